/**
 * End to end, Telegram as its users use it (issue 15): inline mode, claims ("where does this come
 * from?"), follow-up questions and photo captions. The real bot on the real engine and seed corpus
 * against the Bot API emulator; assertions read the Bot API calls the bot made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import type { Engine } from '../../src/engine-types.ts';
import { createBot, type TrichdanBot } from '../../src/bot/create-bot.ts';
import { INLINE_CACHE_SECONDS } from '../../src/bot/inline.ts';
import { createLogger } from '../../src/bot/log.ts';
import { ALLOWED_UPDATES, startBot, type RunningBot } from '../../src/bot/run.ts';
import { startEmulator, waitFor, type BotMessage, type EmulatedUser, type Emulator, type SentUpdate } from './helpers/emulator.ts';
import { telegramHtmlProblems } from './helpers/telegram-html.ts';
import { citedQuotes } from '../helpers/quotes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = `123456789:${'Conversation_test-token'.repeat(2)}`;

let emulator: Emulator;
let engine: Engine;
let config: Config;
let trichdan: TrichdanBot;
let running: RunningBot;
let indexDir: string;
const logLines: string[] = [];
let nextUserId = 5000;

function newUser(options: Parameters<Emulator['user']>[1] = {}): EmulatedUser {
  return emulator.user(TOKEN, { userId: nextUserId++, ...options });
}

/** Sends something and returns the bot's messages to that chat once the bot has handled it. */
async function exchange(user: EmulatedUser, send: () => Promise<SentUpdate>): Promise<BotMessage[]> {
  const before = new Set(emulator.botMessages(user.token, user.chatId).map((m) => m.messageId));
  const sent = await send();
  await waitFor(() => (trichdan.lastUpdateId() ?? 0) >= sent.updateId, 10_000, `the bot to take update ${sent.updateId}`);
  expect(await trichdan.idle(15_000)).toBe(true);
  return emulator.botMessages(user.token, user.chatId).filter((m) => !before.has(m.messageId));
}

/** Every quote of a reply, checked verbatim against the article its citation names; returns [articleId, quote] pairs. */
const quotes = (html: string) => citedQuotes(html, engine.articles());

/** Types an inline query and returns the bot's answerInlineQuery call for it. */
async function inline(user: EmulatedUser, query: string) {
  let queryId = '';
  const sent = await exchange(user, async () => {
    const update = await user.inlineQuery(query);
    queryId = update.queryId;
    return update;
  });
  expect(sent).toHaveLength(0);
  const answers = emulator.inlineAnswers(queryId);
  expect(answers).toHaveLength(1);
  return answers[0];
}

const doc = (prefix: string) => engine.articles().find((a) => a.id.startsWith(prefix))!.id;

beforeAll(async () => {
  emulator = await startEmulator();
  indexDir = mkdtempSync(path.join(tmpdir(), 'trichdan-conversation-e2e-'));
  config = loadConfig(
    {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
      TRICHDAN_INDEX_DIR: indexDir,
      TRICHDAN_MODELS_DIR: path.join(ROOT, 'models'),
      TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
      TRICHDAN_LEXICON: path.join(ROOT, 'lexicons/en-vi/en-vi.tsv'),
      TRICHDAN_RATE_LIMIT_PER_MINUTE: '100',
      TRICHDAN_LOG_LEVEL: 'debug',
    },
    { cwd: ROOT, dotenv: false },
  );
  engine = await createEngine(config, { progress: false, log: () => {} });
  trichdan = createBot({ engine, config, log: createLogger('debug', (line) => logLines.push(line)) });
  running = await startBot(trichdan, config);
});

afterAll(async () => {
  await running?.stop();
  await engine?.close();
  await emulator?.stop();
  if (indexDir) rmSync(indexDir, { recursive: true, force: true });
});

describe('inline mode', () => {
  it('asks Telegram for inline queries', () => {
    expect(ALLOWED_UPDATES).toContain('inline_query');
  });

  it('lists quotes: title, date and quote as description, the rendered answer as the message', async () => {
    const user = newUser();
    const answer = await inline(user, 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt');
    expect(answer.body.cache_time).toBe(INLINE_CACHE_SECONDS);
    expect(answer.body.is_personal).toBe(false);
    expect(answer.results.length).toBeGreaterThan(0);
    expect(answer.results.length).toBeLessThanOrEqual(5);
    const first = answer.results[0] as {
      type: string;
      id: string;
      title: string;
      description: string;
      input_message_content: { message_text: string; parse_mode: string };
    };
    expect(first.type).toBe('article');
    expect(Buffer.byteLength(first.id)).toBeLessThanOrEqual(64);
    expect(first.title).toBe(engine.article(doc('002'))!.title);
    expect(first.description).toContain('02/11/2025');
    expect(first.description).toContain('994 hòm');
    const html = first.input_message_content.message_text;
    expect(first.input_message_content.parse_mode).toBe('HTML');
    expect(telegramHtmlProblems(html)).toEqual([]);
    expect(html.startsWith('<blockquote')).toBe(true);
    const [[articleId, quote]] = quotes(html);
    expect(articleId).toBe(doc('002'));
    expect(quote).toContain('994 hòm');
    // Every result's message is one quote and its citation, as in an answer.
    for (const r of answer.results as (typeof first)[]) expect(quotes(r.input_message_content.message_text)).toHaveLength(1);
  });

  it('lists the newest articles for an empty query, and nothing for a question the corpus does not answer', async () => {
    const user = newUser();
    const empty = await inline(user, '');
    expect(empty.results.map((r) => r.title)).toEqual(engine.articles().slice(0, 5).map((a) => a.title));
    for (const r of empty.results as { input_message_content: { message_text: string } }[]) {
      expect(quotes(r.input_message_content.message_text)).toHaveLength(1);
    }
    const none = await inline(user, 'Giá vàng SJC hôm nay là bao nhiêu?');
    expect(none.results).toEqual([]);
  });
});

describe('where does this claim come from?', () => {
  it('/nguon quotes the sentences that say the claim, with their citations', async () => {
    const user = newUser();
    const [reply, ...rest] = await exchange(user, () => user.sendText('/nguon Phía Mỹ đã nhận dạng được 740 trường hợp trong số hài cốt Việt Nam trao trả'));
    expect(rest).toHaveLength(0);
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    expect(reply.text.startsWith('<b>Các bài báo nói điều này:</b>\n\n')).toBe(true);
    const found = quotes(reply.text);
    expect(found[0][0]).toBe(doc('002'));
    expect(found[0][1]).toContain('740 trường hợp');
  });

  it('says plainly when no article says it (a wrong figure is not confirmed)', async () => {
    const user = newUser();
    const [wrong] = await exchange(user, () => user.sendText('/nguon Việt Nam đã trao trả cho Mỹ 500 hòm đựng hài cốt'));
    expect(wrong.text).toBe('Không tìm thấy bài nào nói điều này.');
    const english = newUser({ languageCode: 'en' });
    const [absent] = await exchange(english, () => english.sendText('/source Pete Hegseth announced that US troops will leave South Korea'));
    expect(absent.text).toBe('No article I keep says this.');
  });

  it('/source checks an English claim through the lexicon, and a forwarded message is a claim', async () => {
    const user = newUser({ languageCode: 'en' });
    const [reply] = await exchange(user, () => user.sendText('/source Vietnam has returned 994 boxes of remains to the US'));
    expect(reply.text.startsWith('<b>The articles that say this:</b>')).toBe(true);
    expect(quotes(reply.text)[0][1]).toContain('994 hòm');

    const reader = newUser();
    const [forwarded] = await exchange(reader, () => reader.forwardText('Bộ trưởng Belousov muốn tàu quân sự Nga được ghé các cảng biển Việt Nam'));
    expect(forwarded.text.startsWith('<b>Các bài báo nói điều này:</b>')).toBe(true);
    const [[articleId, quote]] = quotes(forwarded.text);
    expect(articleId).toBe(doc('004'));
    expect(quote).toContain('tàu quân sự Nga');
    const [fake] = await exchange(reader, () => reader.forwardText('Mỹ viện trợ 300 triệu USD cho dự án dioxin ở Đà Nẵng'));
    expect(fake.text).toBe('Không tìm thấy bài nào nói điều này.');
  });

  it('/nguon alone explains itself', async () => {
    const user = newUser();
    const [usage] = await exchange(user, () => user.sendText('/nguon'));
    expect(usage.text).toContain('/nguon');
  });
});

describe('follow-up questions', () => {
  it('reads "còn … thì sao?" with the previous question and says how it understood it', async () => {
    const user = newUser();
    const [first] = await exchange(user, () => user.sendText('Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?'));
    expect(first.text).not.toContain('Hiểu là');
    const [reply] = await exchange(user, () => user.sendText('còn nhận dạng được bao nhiêu trường hợp?'));
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    const [line, ...rest] = reply.text.split('\n\n');
    expect(line).toBe('<i>Hiểu là: “còn nhận dạng được bao nhiêu trường hợp?” (tiếp câu “Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?”)</i>');
    const found = quotes(rest.join('\n\n'));
    expect(found[0][0]).toBe(doc('002'));
    expect(found[0][1]).toContain('740 trường hợp');
    // "khi nào?" alone: the subject of the question before.
    await exchange(user, () => user.sendText('Bản ghi nhớ về tăng cường hợp tác khắc phục hậu quả chiến tranh do ai ký?'));
    const [when] = await exchange(user, () => user.sendText('khi nào?'));
    expect(when.text.startsWith('<i>Hiểu là: “khi nào?”')).toBe(true);
    expect(quotes(when.text)[0][1]).toContain('31/10/2025');
  });

  it('does not merge a question of its own, nor a fragment after the window, nor in another chat', async () => {
    const user = newUser();
    await exchange(user, () => user.sendText('Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?'));
    const [own] = await exchange(user, () => user.sendText('Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở sân bay Biên Hòa?'));
    expect(own.text).not.toContain('Hiểu là');
    expect(quotes(own.text)[0][1]).toContain('130 triệu USD');
    const other = newUser();
    const [alone] = await exchange(other, () => other.sendText('khi nào?'));
    expect(alone.text).not.toContain('Hiểu là');
  });

  it('reads a reply to an answer with its question, in English too', async () => {
    const user = newUser({ languageCode: 'en' });
    const [answer] = await exchange(user, () => user.sendText('What aid did the US announce for the dioxin project at Bien Hoa airport?'));
    await exchange(user, () => user.sendText('/help'));
    const [reply] = await exchange(user, () => user.replyTo(answer, 'how much?'));
    expect(reply.text.startsWith('<i>Understood as: “how much?” (following “What aid did the US announce')).toBe(true);
    expect(quotes(reply.text).length).toBeGreaterThan(0);
  });
});

describe('photo captions', () => {
  it('answers a caption as a question, and gives media without one the one-line hint', async () => {
    const user = newUser();
    const photo = [{ file_id: 'p1', file_unique_id: 'u1', width: 640, height: 480 }];
    const [answer] = await exchange(user, () => user.send({ photo, caption: 'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?' }));
    expect(quotes(answer.text)[0][1]).toContain('học tiếng Việt');
    const [hint] = await exchange(user, () => user.send({ photo }));
    expect(hint.text).toBe('Tôi chỉ trả lời câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé.');
  });
});

describe('privacy', () => {
  it('never logs the text of a question, a claim or an inline query', () => {
    const log = logLines.join('\n');
    for (const text of ['nhận dạng được', 'khi nào', '994', 'Belousov', 'how much', 'học tiếng']) expect(log).not.toContain(text);
  });
});
