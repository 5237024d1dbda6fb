import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/scan.ts';
import { FakeClock } from '../../src/digest/clock.ts';
import { DigestComposer } from '../../src/digest/compose.ts';
import { DigestStore } from '../../src/digest/store.ts';
import { leadSummary } from '../../src/digest/summary.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';
import { FakeEngine, makeArticle } from './helpers/fake-engine.ts';

const defaults = { time: '07:30', zone: 'Asia/Ho_Chi_Minh', language: 'vi' as const };

/** Tags of Telegram HTML are balanced (the parser rejects a message otherwise). */
function expectBalanced(html: string) {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  // No stray markup characters outside tags and entities.
  expect(html.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;)/);
}

/** The visible text of Telegram HTML. */
const visible = (html: string) =>
  html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('leadSummary on the seed corpus', () => {
  it('quotes one or two prose sentences verbatim from each article', async () => {
    const { articles } = await loadCorpus(path.resolve('corpus'));
    expect(articles.length).toBeGreaterThan(0);
    for (const a of articles) {
      const s = leadSummary(a)!;
      expect(s, a.id).not.toBeNull();
      expect(a.text.slice(s.start, s.end)).toBe(s.text);
      expect(a.text.includes(s.text)).toBe(true);
      expect(s.text.length).toBeLessThanOrEqual(320);
      expect(s.text).not.toMatch(/Ảnh:/);
      if (!s.truncated) expect(s.text).toMatch(/[.!?…]["”’)]*$/);
    }
  });

  it('skips the title line and a photo caption', () => {
    const a = makeArticle({
      id: 'x',
      title: 'Hội đàm quốc phòng',
      text: 'Hội đàm quốc phòng\n\nHai bộ trưởng tại buổi hội đàm. Ảnh: TTXVN\n\nChiều 2/11, hai bộ trưởng đã hội đàm tại Hà Nội về hợp tác. Hai bên nhất trí nhiều nội dung.',
    });
    expect(leadSummary(a)!.text).toBe('Chiều 2/11, hai bộ trưởng đã hội đàm tại Hà Nội về hợp tác. Hai bên nhất trí nhiều nội dung.');
  });
});

describe.each(testDatabases())('DigestComposer on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  let clock: FakeClock;
  let store: DigestStore;
  let engine: FakeEngine;
  let composer: DigestComposer;

  beforeEach(async () => {
    if (skip) return;
    clock = new FakeClock('2026-11-24T00:30:00Z');
    store = new DigestStore(await clients.open(name, await url()), { clock });
    engine = new FakeEngine([
      makeArticle({ id: 'old1', date: '2026-10-01', text: 'Bài cũ nói về hợp tác quốc phòng Việt – Mỹ trong năm qua. Còn nữa.' }),
      makeArticle({ id: 'old2', date: '2026-10-02' }),
    ]);
    composer = new DigestComposer(engine, store);
    await store.syncArticles(engine.articles());
  });
  afterEach(async () => {
    await store?.close();
    await clients.closeAll();
  });

  it.skipIf(skip)(skip ?? "gives a new subscriber's first digest the latest articles", async () => {
    const sub = (await store.subscribe(1, defaults)).subscriber;
    const d = await composer.scheduled(sub, '2026-11-24', []);
    expect(d.empty).toBe(false);
    expect(d.articleIds).toEqual(['old2', 'old1']);
    expect(d.throughSeq).toBe(2);
    expect(d.parts.join('\n')).toContain('Bản tin trichdan ngày 24/11/2026');
    expect(d.parts.join('\n')).toContain('Các bài mới nhất trong kho');
  });

  it.skipIf(skip)(skip ?? 'lists only articles registered after the cursor, with title link, date, source and a verbatim lead', async () => {
    await store.subscribe(1, defaults);
    const claim = (await store.claim(1, 'd1', clock.now()))!;
    await store.saveComposition(claim.id, ['x'], await store.maxSeq());
    await store.finish(claim.id, 'sent');

    const fresh = makeArticle({
      id: 'new',
      date: '2026-11-23',
      title: 'Mỹ & Việt Nam <ký> thỏa thuận',
      source: 'Báo "Tin"',
      url: 'https://example.vn/a?b=1&c=2',
      text: 'Hai nước đã ký thỏa thuận về xử lý dioxin tại sân bay Biên Hòa. Thỏa thuận có hiệu lực ngay từ hôm nay, theo hai bên.',
    });
    engine.add(fresh);
    await store.syncArticles(engine.articles());
    const d = await composer.scheduled((await store.getSubscriber(1))!, '2026-11-25', ['dioxin', 'Nga']);
    expect(d.articleIds).toEqual(['new']);
    const html = d.parts.join('\n\n');
    expectBalanced(html);
    expect(html).toContain('<a href="https://example.vn/a?b=1&amp;c=2">Mỹ &amp; Việt Nam &lt;ký&gt; thỏa thuận</a> — 23/11/2026, Báo &quot;Tin&quot;');
    expect(html).toContain('1 bài mới kể từ bản tin trước');
    expect(visible(html)).toContain(
      'Hai nước đã ký thỏa thuận về xử lý dioxin tại sân bay Biên Hòa. Thỏa thuận có hiệu lực ngay từ hôm nay, theo hai bên.',
    );
    // The topic excerpt comes from the new article only, and "Nga" has none.
    expect(engine.asks.at(-1)?.options).toEqual({ articleIds: ['new'], topK: 1 });
    expect(html).toContain('🔎 <b>Chủ đề bạn theo dõi</b>');
    expect(html).toMatch(/<b>dioxin<\/b>\n<blockquote>Hai nước đã ký thỏa thuận về xử lý dioxin tại sân bay Biên Hòa\.<\/blockquote>\n— <a href/);
    expect(html).toContain('Không có trích đoạn mới về «Nga».');
    expect(html).not.toContain('old1');
  });

  it.skipIf(skip)(skip ?? 'says briefly that nothing is new', async () => {
    await store.subscribe(1, defaults);
    const claim = (await store.claim(1, 'd1', clock.now()))!;
    await store.saveComposition(claim.id, ['x'], await store.maxSeq());
    await store.finish(claim.id, 'sent');
    const d = await composer.scheduled((await store.getSubscriber(1))!, '2026-11-25', ['dioxin']);
    expect(d.empty).toBe(true);
    expect(d.parts).toHaveLength(1);
    expect(d.parts[0]).toContain('Không có bài mới kể từ bản tin trước.');
    expect(engine.asks).toHaveLength(0);
  });

  it.skipIf(skip)(skip ?? 'writes English for English chats', async () => {
    const sub = (await store.subscribe(1, { ...defaults, language: 'en' })).subscriber;
    const d = await composer.scheduled(sub, '2026-11-24', ['nothing-matches']);
    expect(d.parts.join('')).toContain('trichdan digest, 24/11/2026');
    expect(d.parts.join('')).toContain('No new excerpt about «nothing-matches».');
  });

  it.skipIf(skip)(skip ?? 'splits a long digest between paragraphs, each message within 4096 characters and balanced', async () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      makeArticle({
        id: `n${String(i).padStart(2, '0')}`,
        title: `Tiêu đề rất dài số ${i} `.repeat(8).trim(),
        date: '2026-11-20',
        text: `${'Câu mở đầu rất dài với nhiều chữ để làm đầy bản tin '.repeat(5).trim()} số ${i}. Câu sau.`,
      }),
    );
    await store.subscribe(1, defaults);
    const claim = (await store.claim(1, 'd1', clock.now()))!;
    await store.saveComposition(claim.id, ['x'], await store.maxSeq());
    await store.finish(claim.id, 'sent');
    for (const a of many) engine.add(a);
    await store.syncArticles(engine.articles());
    const small = new DigestComposer(engine, store, { maxArticles: 30 });
    const d = await small.scheduled((await store.getSubscriber(1))!, '2026-11-25', []);
    expect(d.parts.length).toBeGreaterThan(1);
    for (const part of d.parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expectBalanced(part);
    }
    const all = d.parts.join('\n\n');
    expect(all).toContain('40 bài mới kể từ bản tin trước');
    expect(all).toContain('… và 10 bài mới khác');
    expect(all.match(/<blockquote>/g)).toHaveLength(30);
  });

  it.skipIf(skip)(skip ?? 'shows the latest articles on demand without touching the cursor', async () => {
    await store.subscribe(1, defaults);
    const parts = await composer.latest('vi', ['hợp tác quốc phòng']);
    expect(parts.join('')).toContain('Các bài mới nhất');
    expect(parts.join('')).toContain('Bài cũ nói về hợp tác quốc phòng Việt – Mỹ trong năm qua.');
    expect((await store.getSubscriber(1))!.seenSeq).toBeNull();
  });
});

describe('leadSummary and derived titles', () => {
  it('does not repeat the sentence a shortened title was cut from', () => {
    const a = makeArticle({
      id: 'y',
      title: 'Tối 7/2, Đại tướng Phan Văn Giang điện đàm…',
      text: 'Tối 7/2, Đại tướng Phan Văn Giang điện đàm với Bộ trưởng Quốc phòng Mỹ về nhiều nội dung.\n\nHai bên nhất trí thúc đẩy hợp tác khắc phục hậu quả chiến tranh.',
    });
    expect(leadSummary(a)!.text).toBe('Hai bên nhất trí thúc đẩy hợp tác khắc phục hậu quả chiến tranh.');
  });
});
