import { describe, expect, it } from 'vitest';
import { CallbackCodec } from '../../src/bot/callbacks.ts';
import { articlePages, renderAnswer, renderArticlePage, renderNotFound, renderPassage, renderSources } from '../../src/bot/render.ts';
import { blockquoteTexts, htmlToText, telegramHtmlProblems } from '../e2e/helpers/telegram-html.ts';
import { fakeArticle, fakeEngine } from './fake-engine.ts';

const hostile = fakeArticle(
  'h1',
  'Tiêu đề <b>đậm</b> & "trích"',
  'Mỹ cam kết xử lý dioxin <script>alert(1)</script> & tẩy độc *đất* _Biên Hòa_.\n\nĐoạn hai về dioxin: 1 < 2 > 0.',
  { url: 'https://example.org/a?x=1&y="2"', source: 'Báo <i>' },
);
const long = fakeArticle('long', 'Bài dài', Array.from({ length: 40 }, (_, i) => `Đoạn ${i}: phần${i} ${'hợp tác quốc phòng dioxin. '.repeat(12)}`).join('\n\n'));
const engine = fakeEngine([hostile, long]);

const valid = (messages: string[]) => {
  for (const m of messages) expect(telegramHtmlProblems(m), m).toEqual([]);
};

describe('renderAnswer', () => {
  it('quotes verbatim in blockquotes, escapes everything, numbers several results', async () => {
    const answer = await engine.ask('dioxin', { topK: 3 });
    const codec = new CallbackCodec();
    const reply = renderAnswer(answer, { lang: 'vi', codec, moreKey: codec.rememberQuestion('dioxin', 'vi') });
    valid(reply.messages);
    const html = reply.messages.join('\n\n');
    expect(blockquoteTexts(html)).toEqual(answer.results.map((r) => r.quote));
    for (const q of blockquoteTexts(html)) expect(hostile.text.includes(q) || long.text.includes(q)).toBe(true);
    expect(html).toContain('<b>[1]</b> <a href="https://example.org/a?x=1&amp;y=&quot;2&quot;">Tiêu đề &lt;b&gt;đậm&lt;/b&gt; &amp; &quot;trích&quot;</a>');
    expect(html).toContain('<b>[3]</b>');
    const buttons = reply.keyboard!.inline_keyboard.flat();
    expect(buttons.map((b) => 'callback_data' in b && codec.decode(b.callback_data)?.kind)).toEqual(['passage', 'passage', 'passage', 'more']);
  });

  it('puts the words that answer (highlights) in bold, escaped, and the quote still reads verbatim', async () => {
    const answer = await engine.ask('dioxin', { topK: 1 });
    const quote = answer.results[0].quote;
    const at = quote.indexOf('dioxin');
    answer.results[0].highlights = [[at, at + 'dioxin'.length]];
    const reply = renderAnswer(answer, { lang: 'vi', codec: new CallbackCodec() });
    valid(reply.messages);
    expect(reply.messages[0]).toContain('<b>dioxin</b>');
    expect(blockquoteTexts(reply.messages[0])).toEqual([quote]);
  });

  it('shows a quote of two excerpts as one blockquote with " … " between them, its answer in bold', async () => {
    const answer = await engine.ask('dioxin', { topK: 1 });
    const [first, second] = ['Mỹ cam kết xử lý dioxin <script>alert(1)</script> & tẩy độc *đất* _Biên Hòa_.', 'Đoạn hai về dioxin: 1 < 2 > 0.'];
    const quote = `${first} … ${second}`;
    answer.results[0] = { ...answer.results[0], quote, excerpts: [first, second], highlights: [[quote.lastIndexOf('dioxin'), quote.lastIndexOf('dioxin') + 6]] };
    const reply = renderAnswer(answer, { lang: 'vi', codec: new CallbackCodec() });
    valid(reply.messages);
    expect(blockquoteTexts(reply.messages[0])).toEqual([quote]);
    expect(reply.messages[0]).toContain('_Biên Hòa_. … Đoạn hai về <b>dioxin</b>: 1 &lt; 2 &gt; 0.');
  });

  it('uses an expandable blockquote for long quotes and no number for a single result', async () => {
    const answer = await engine.ask('phần7', { topK: 1 });
    const reply = renderAnswer(answer, { lang: 'vi', codec: new CallbackCodec() });
    expect(reply.messages[0]).toMatch(/^<blockquote expandable>/);
    expect(reply.messages[0]).toContain('\n— <a href=');
    expect(reply.keyboard!.inline_keyboard.flat()).toHaveLength(1);
  });

  it('says in English where the quotes come from and what they were matched by', async () => {
    const answer = await engine.ask('what about the dioxin', { topK: 2 });
    const reply = renderAnswer(answer, { lang: 'en', codec: new CallbackCodec() });
    valid(reply.messages);
    expect(reply.messages[0]).toMatch(/^<i>From the Vietnamese articles.*<\/i>\n<i>Matched by: dioxin<\/i>/);
  });

  it('continues numbering on "more results" pages', async () => {
    const answer = await engine.ask('dioxin', { topK: 2, offset: 3 });
    const reply = renderAnswer(answer, { lang: 'en', codec: new CallbackCodec(), offset: 3 });
    expect(reply.messages[0]).toMatch(/^<b>More results \(from #4\):<\/b>/);
    expect(reply.messages[0]).toContain('<b>[4]</b>');
  });

  it('splits a long answer within 4096 characters', async () => {
    const answer = await engine.ask('Đoạn', { topK: 30 });
    const reply = renderAnswer(answer, { lang: 'vi', codec: new CallbackCodec() });
    expect(reply.messages.length).toBeGreaterThan(1);
    valid(reply.messages);
    for (const m of reply.messages) expect(m.length).toBeLessThanOrEqual(4096);
    expect(blockquoteTexts(reply.messages.join('\n\n'))).toEqual(answer.results.map((r) => r.quote));
  });
});

describe('other replies', () => {
  it('"not in the corpus" suggests titles, escaped', () => {
    const reply = renderNotFound('vi', engine.articles());
    valid(reply.messages);
    expect(reply.messages[0]).toMatch(/^Các bài báo đã lưu không có câu trả lời/);
    expect(reply.messages[0]).toContain('Tiêu đề &lt;b&gt;đậm&lt;/b&gt;');
    expect(reply.messages[0]).not.toContain('<blockquote');
  });

  it('/sources lists title, date, source and link', () => {
    const reply = renderSources(engine.articles(), 'en');
    valid(reply.messages);
    expect(htmlToText(reply.messages[0])).toContain('1. Tiêu đề <b>đậm</b> & "trích" — 02/11/2025, Báo <i>');
  });

  it('a passage shows the whole chunk and a button for the whole article', () => {
    const codec = new CallbackCodec();
    const reply = renderPassage(engine.chunk('h1#1')!, hostile, 'vi', codec);
    valid(reply.messages);
    expect(blockquoteTexts(reply.messages[0])).toEqual(['Đoạn hai về dioxin: 1 < 2 > 0.']);
    const data = (reply.keyboard!.inline_keyboard[0][0] as { callback_data: string }).callback_data;
    expect(codec.decode(data)).toEqual({ kind: 'article', lang: 'vi', articleId: 'h1', page: 0, edit: false });
  });

  it('pages a long article within the limit, with previous/next buttons', () => {
    const codec = new CallbackCodec();
    const pages = articlePages(long);
    expect(pages.length).toBeGreaterThan(2);
    for (let p = 0; p < pages.length; p++) {
      const page = renderArticlePage(long, p, 'en', codec)!;
      expect(page.text.length).toBeLessThanOrEqual(4096);
      valid([page.text]);
      expect(page.text).toContain(`Page ${p + 1}/${pages.length}`);
      const labels = page.keyboard!.inline_keyboard.flat().map((b) => b.text);
      expect(labels).toEqual([...(p > 0 ? ['◀ Previous'] : []), ...(p < pages.length - 1 ? ['Next ▶'] : [])]);
    }
    expect(renderArticlePage(long, pages.length, 'en', codec)).toBeUndefined();
    const text = pages.map(htmlToText).join('\n\n');
    for (const para of long.text.split('\n\n')) expect(text).toContain(para.trim());
  });
});

describe('every reply fits (issue 12: a corpus file holding one 1.2-million-character sentence)', () => {
  const huge = fakeArticle('huge', 'Một câu dài', `Mở đầu khổng lồ ${'hợp tác quốc phòng dioxin '.repeat(48_000)}kết thúc.`);
  const hugeEngine = fakeEngine([huge]);

  it('an answer quotes at most 1,000 characters, cut at a word with "…", in one message', async () => {
    expect(huge.text.length).toBeGreaterThan(1_200_000);
    const answer = await hugeEngine.ask('khổng lồ', { topK: 1 });
    const reply = renderAnswer(answer, { lang: 'vi', codec: new CallbackCodec() });
    expect(reply.messages).toHaveLength(1);
    valid(reply.messages);
    const [quote] = blockquoteTexts(reply.messages[0]);
    expect(quote.length).toBeLessThanOrEqual(1000);
    expect(quote).toMatch(/ dioxin…$|quốc phòng…$|hợp tác…$/);
    expect(huge.text.startsWith(quote.slice(0, -1))).toBe(true);
  });

  it('its passage button shows one capped message; the whole article pages one message at a time', () => {
    const reply = renderPassage(hugeEngine.chunk('huge#0')!, huge, 'vi', new CallbackCodec());
    expect(reply.messages).toHaveLength(1);
    valid(reply.messages);
    const page = renderArticlePage(huge, 0, 'vi', new CallbackCodec())!;
    expect(page.text.length).toBeLessThanOrEqual(4096);
    expect(page.pages).toBeGreaterThan(100);
  });
});
