/**
 * End to end: the real bot (createBot + startBot, as `npm start` runs them) on the real engine
 * over the seed corpus (the model where present, lexical retrieval where not), against
 * telegram-test-api on 127.0.0.1. Questions are sent as Telegram users would send them; the
 * assertions read what the bot sent to the emulator.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citationOf, formatCitationHtml } from '../../src/answer/citation.ts';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import type { Engine } from '../../src/engine-types.ts';
import { createBot, type TrichdanBot } from '../../src/bot/create-bot.ts';
import { createLogger } from '../../src/bot/log.ts';
import { startBot, type RunningBot } from '../../src/bot/run.ts';
import { strings } from '../../src/bot/strings.ts';
import { runBot } from '../../src/cli/bot-command.ts';
import { freePort, startEmulator, waitFor, type BotMessage, type EmulatedUser, type Emulator, type SentUpdate } from './helpers/emulator.ts';
import { blockquoteTexts, htmlToText, telegramHtmlProblems } from './helpers/telegram-html.ts';
import { citedQuotes } from '../helpers/quotes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = `123456789:${'Tr1chDan_test-token'.repeat(2)}`;
const TOKEN_2 = `987654321:${'second_bot-Token'.repeat(2)}`;
const TOKEN_3 = `555555555:${'cli_process-Token'.repeat(2)}`;
const RATE = 40;
const vi = strings('vi');
const en = strings('en');

let emulator: Emulator;
let engine: Engine;
let config: Config;
let trichdan: TrichdanBot;
let running: RunningBot;
let indexDir: string;
const logLines: string[] = [];
const asked: string[] = [];
let nextUserId = 2000;

function settings(extra: Record<string, string> = {}): Config {
  return loadConfig(
    {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
      TRICHDAN_INDEX_DIR: indexDir,
      TRICHDAN_MODELS_DIR: path.join(ROOT, 'models'),
      TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
      // The committed test lexicon, so English works the same with or without ../shared.
      TRICHDAN_LEXICON: path.join(ROOT, 'test/fixtures/lexicon/en-vi-small.tsv'),
      TRICHDAN_RATE_LIMIT_PER_MINUTE: String(RATE),
      TRICHDAN_LOG_LEVEL: 'debug',
      ...extra,
    },
    { cwd: ROOT, dotenv: false },
  );
}

/** A new user (own private chat unless `chat` is given), so rate limits never mix between tests. */
function newUser(options: Parameters<Emulator['user']>[1] = {}): EmulatedUser {
  return emulator.user(TOKEN, { userId: nextUserId++, ...options });
}

/** Sends something and returns the bot's messages to that chat once the bot has handled it. */
async function exchange(user: EmulatedUser, send: () => Promise<SentUpdate>, bot: TrichdanBot = trichdan): Promise<BotMessage[]> {
  const before = new Set(emulator.botMessages(user.token, user.chatId).map((m) => m.messageId));
  const sent = await send();
  await waitFor(() => (bot.lastUpdateId() ?? 0) >= sent.updateId, 10_000, `the bot to take update ${sent.updateId}`);
  expect(await bot.idle(15_000)).toBe(true);
  return emulator.botMessages(user.token, user.chatId).filter((m) => !before.has(m.messageId));
}

function ask(user: EmulatedUser, text: string): Promise<BotMessage[]> {
  asked.push(text);
  return exchange(user, () => user.sendText(text));
}

/** Checks every quote of an answer (verbatim in the article its citation names); returns the cited article ids in order. */
const citedArticles = (html: string): string[] => citedQuotes(html, engine.articles()).map(([id]) => id);

/** The environment of a `trichdan bot` process started by a test, on its own database. */
const botProcessEnv = (db: string): NodeJS.ProcessEnv => ({
  ...process.env,
  TELEGRAM_BOT_TOKEN: TOKEN_3,
  TELEGRAM_API_ROOT: emulator.apiRoot,
  TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
  TRICHDAN_INDEX_DIR: indexDir,
  TRICHDAN_MODELS_DIR: path.join(ROOT, 'models'),
  TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
  TRICHDAN_LOG_LEVEL: 'info',
  TRICHDAN_DB: db,
});

const doc = (prefix: string) => engine.articles().find((a) => a.id.startsWith(prefix))!.id;
const callbackData = (m: BotMessage) => m.buttons.flat().map((b) => b.callback_data ?? '');

beforeAll(async () => {
  emulator = await startEmulator();
  indexDir = mkdtempSync(path.join(tmpdir(), 'trichdan-bot-e2e-'));
  config = settings();
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

describe('the bot on the real engine and corpus', () => {
  it('starts against the emulator even though it rejects setMyCommands', async () => {
    expect(running.botInfo.username).toBe('TestNameBot');
    expect(running.commandsRegistered).toBe(false);
    expect(emulator.callsOf('setMyCommands').length).toBeGreaterThan(0);
    await waitFor(() => emulator.callsOf('getUpdates').length > 0, 5000, 'the first poll');
  });

  it('answers a Vietnamese question with verbatim quotes and the right citation', async () => {
    const user = newUser();
    const replies = await ask(user, 'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?');
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(reply.parseMode).toBe('HTML');
    expect(citedArticles(reply.text)[0]).toBe(doc('002'));
    expect(blockquoteTexts(reply.text)[0]).toContain('học tiếng Việt');
    expect(reply.text).not.toContain(en.englishHeader);
    // "Searching…" came at once, and the answer was written into that message.
    const sends = emulator.callsOf('sendMessage').filter((c) => Number(c.body.chat_id) === user.chatId);
    expect(sends.map((c) => c.body.text)).toEqual([vi.searching]);
    expect(reply.editedAt).toBeGreaterThan(reply.at);
    expect(emulator.placeholders(TOKEN, user.chatId)).toEqual([]);
    expect(callbackData(reply).length).toBeGreaterThan(0);
  });

  it('answers a question typed without diacritics', async () => {
    const [reply] = await ask(newUser(), 'viet nam da trao tra cho my bao nhieu hom hai cot');
    expect(citedArticles(reply.text)).toContain(doc('002'));
    expect(htmlToText(reply.text)).toContain('994 hòm');
  });

  it('answers an English question in English around Vietnamese quotes, with the matched terms', async () => {
    const [reply, ...rest] = await ask(newUser(), 'What new aid for the Bien Hoa airport dioxin project was announced?');
    expect(rest).toHaveLength(0);
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    expect(reply.text.startsWith(en.englishHeader)).toBe(true);
    expect(reply.text).toMatch(/\n<i>Matched by: [^<\n]+<\/i>\n\n<blockquote/);
    expect(citedArticles(reply.text)[0]).toBe(doc('002'));
    expect(blockquoteTexts(reply.text)[0]).toContain('130 triệu USD');
  });

  it('says plainly when the corpus does not answer, and suggests what it covers', async () => {
    for (const [question, s] of [
      ['Giá vàng SJC hôm nay là bao nhiêu?', vi],
      ['Who won the 2022 FIFA World Cup final?', en],
      ['How do I bake sourdough bread?', en],
    ] as const) {
      const [reply, ...rest] = await ask(newUser(), question);
      expect(rest).toHaveLength(0);
      expect(reply.text.startsWith(s.notFound)).toBe(true);
      expect(reply.text).not.toContain('<blockquote');
      expect(reply.buttons).toHaveLength(0);
      const text = htmlToText(reply.text);
      for (const a of engine.articles().slice(0, 5)) expect(text).toContain(a.title);
    }
  });

  it('/start explains the bot with an example question that the corpus answers', async () => {
    const user = newUser();
    const [start] = await exchange(user, () => user.sendText('/start'));
    expect(start.text).toContain('trích nguyên văn');
    const example = htmlToText(/<code>(.*?)<\/code>/.exec(start.text)![1]);
    const [answer] = await ask(user, example);
    expect(citedArticles(answer.text).length).toBeGreaterThan(0);

    const english = newUser({ languageCode: 'en' });
    const [startEn] = await exchange(english, () => english.sendText('/start'));
    expect(startEn.text).toContain('quoted verbatim');
  });

  it('/help lists the commands, also as /help@botname; /help@otherbot is not for it', async () => {
    const user = newUser();
    const [help] = await exchange(user, () => user.sendText('/help'));
    for (const command of ['/start', '/help', '/sources', '/ask']) expect(help.text).toContain(command);
    const [suffixed] = await exchange(user, () => user.sendText('/help@TestNameBot'));
    expect(suffixed.text).toBe(help.text);
    expect(await exchange(user, () => user.sendText('/help@some_other_bot'))).toHaveLength(0);
    const [unknown] = await exchange(user, () => user.sendText('/nosuchcommand'));
    expect(unknown.text).toBe(vi.unknownCommand);
  });

  it('/sources lists every article with title, date and link', async () => {
    const user = newUser({ languageCode: 'en' });
    const [sources] = await exchange(user, () => user.sendText('/sources'));
    expect(sources.text.startsWith(en.sourcesHeader(engine.articles().length))).toBe(true);
    for (const a of engine.articles()) expect(sources.text).toContain(formatCitationHtml(citationOf(a)));
    expect(sources.text).toContain('<a href="https://');
  });

  it('shows the whole passage, pages through the whole article, and shows more results', async () => {
    const user = newUser();
    const [answer] = await ask(user, 'tim kiem bo doi viet nam hy sinh mat tich');
    const passageData = callbackData(answer).find((d) => d.startsWith('p:'))!;
    const chunkId = passageData.slice('p:v:'.length);
    const [passage] = await exchange(user, () => user.press(answer, passageData));
    expect(blockquoteTexts(passage.text)).toEqual([engine.chunk(chunkId)!.text]);
    const article = engine.article(engine.chunk(chunkId)!.articleId)!;
    expect(article.text).toContain(engine.chunk(chunkId)!.text);

    // The longest article, page by page (each page within 4096, buttons edit in place).
    const longest = [...engine.articles()].sort((a, b) => b.text.length - a.text.length)[0];
    expect(longest.text.length).toBeGreaterThan(4096);
    const [page1] = await exchange(user, () => user.press(passage, `a:v:0:${longest.id}`));
    const pages = [page1.text];
    let current = page1;
    while (callbackData(current).some((d) => d.startsWith('n:v:') && d.startsWith(`n:v:${pages.length}:`))) {
      const next = callbackData(current).find((d) => d.startsWith(`n:v:${pages.length}:`))!;
      const edits = emulator.callsOf('editMessageText').length;
      expect(await exchange(user, () => user.press(current, next))).toHaveLength(0); // edited, not sent anew
      expect(emulator.callsOf('editMessageText').length).toBe(edits + 1);
      current = emulator.botMessages(TOKEN, user.chatId).find((m) => m.messageId === page1.messageId)!;
      pages.push(current.text);
    }
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const [i, page] of pages.entries()) {
      expect(htmlToText(page).length).toBeLessThanOrEqual(4096);
      expect(page).toContain(`Trang ${i + 1}/${pages.length}`);
    }
    const all = pages.map(htmlToText).join('\n\n');
    for (const para of longest.text.split(/\n\s*\n/)) expect(all).toContain(para.trim());

    // More results, numbered after the first ones.
    const more = callbackData(answer).find((d) => d.startsWith('m:'));
    expect(more).toBeDefined();
    const [moreReply] = await exchange(user, () => user.press(answer, more!));
    expect(moreReply.text).toMatch(/^<b>Kết quả khác \(từ số 4\):<\/b>/);
    expect(moreReply.text).toContain('<b>[4]</b>');
    citedArticles(moreReply.text);
  });

  it('answers a stale or unknown button politely', async () => {
    const user = newUser();
    const fake = { messageId: 1, text: 'old' };
    for (const data of ['m:v:3:gone1234', 'p:e:000_nothing#99', 'n:v:9:000_nothing', 'garbage', 'x:unknown']) {
      const calls = emulator.callsOf('answerCallbackQuery').length;
      expect(await exchange(user, () => user.press(fake, data))).toHaveLength(0);
      const answered = emulator.callsOf('answerCallbackQuery');
      expect(answered.length).toBe(calls + 1);
      expect(answered.at(-1)!.body.text).toBe(data.startsWith('p:e') ? en.staleButton : vi.staleButton);
    }
  });

  it('splits an answer over 4096 characters on paragraph boundaries', async () => {
    // A second bot (own token) on the same engine that shows up to 50 results per answer.
    const wideConfig = settings({ TRICHDAN_TOP_K: '50', TELEGRAM_BOT_TOKEN: TOKEN_2 });
    const wide = createBot({ engine, config: wideConfig, log: createLogger('debug', (line) => logLines.push(line)) });
    const wideRunning = await startBot(wide, wideConfig);
    try {
      const user = emulator.user(TOKEN_2, { userId: nextUserId++ });
      asked.push('hợp tác quốc phòng Việt Nam Mỹ');
      const replies = await exchange(user, () => user.sendText('hợp tác quốc phòng Việt Nam Mỹ'), wide);
      expect(replies.length).toBeGreaterThanOrEqual(2);
      const quotes: string[] = [];
      for (const [i, reply] of replies.entries()) {
        expect(reply.text.length).toBeLessThanOrEqual(4096);
        expect(telegramHtmlProblems(reply.text)).toEqual([]);
        quotes.push(...blockquoteTexts(reply.text));
        citedArticles(reply.text);
        // Buttons only under the last message.
        expect(reply.buttons.length > 0).toBe(i === replies.length - 1);
      }
      expect(quotes.length).toBeGreaterThan(5);
    } finally {
      await wideRunning.stop();
    }
  });

  it('in groups answers /ask, mentions and replies to it, and keeps quiet otherwise', async () => {
    const group = { id: -1001234, type: 'supergroup' as const, title: 'Đọc báo' };
    const user = newUser({ chat: group });
    expect(await ask(user, 'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?')).toHaveLength(0);
    expect(await exchange(user, () => user.send({ sticker: { file_id: 'x', file_unique_id: 'x', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' } }))).toHaveLength(0);

    const viaAsk = await ask(user, '/ask Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?');
    expect(viaAsk).toHaveLength(1);
    expect(citedArticles(viaAsk[0].text)[0]).toBe(doc('002'));
    expect(viaAsk[0].replyToMessageId).toBe(user.sent.at(-1)!.messageId);

    const viaAskSuffix = await ask(user, '/ask@TestNameBot Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?');
    expect(viaAskSuffix[0].text).toBe(viaAsk[0].text);

    const viaMention = await ask(user, '@TestNameBot Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?');
    expect(viaMention[0].text).toBe(viaAsk[0].text);

    asked.push('Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?');
    const viaReply = await exchange(user, () => user.replyTo(viaAsk[0], 'Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?'));
    expect(htmlToText(viaReply[0].text)).toContain('44/45 bộ hồ sơ');

    const [usage] = await exchange(user, () => user.sendText('/ask'));
    expect(usage.text.startsWith('Cách dùng: <code>/ask ')).toBe(true);
  });

  it('handles bad input: empty, too long, markup characters, media, edits', async () => {
    const user = newUser();
    const [empty] = await ask(user, '   ');
    expect(empty.text).toBe(vi.emptyQuestion);

    const [noWords] = await ask(user, '?!… -- ...');
    expect(noWords.text).toBe(vi.noWords);

    const [tooLong] = await ask(user, 'dioxin '.repeat(700).slice(0, 4096));
    expect(tooLong.text).toBe(vi.tooLong(4096, config.retrieval.maxQuestionChars));

    for (const hostile of ['<b>&', '<b>Biên Hòa</b> & dioxin <i>', '*dioxin* _Biên Hòa_ [x](http://a) `code` ~~s~~ > # | {}']) {
      const [reply] = await ask(user, hostile);
      expect(telegramHtmlProblems(reply.text)).toEqual([]);
      expect(reply.text).not.toContain(hostile);
      if (reply.text.includes('<blockquote')) citedArticles(reply.text);
    }

    for (const media of [
      { photo: [{ file_id: 'p', file_unique_id: 'p', width: 1, height: 1 }] },
      { voice: { file_id: 'v', file_unique_id: 'v', duration: 1 } },
      { sticker: { file_id: 's', file_unique_id: 's', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' } },
    ]) {
      const [reply] = await exchange(user, () => user.send(media as never));
      expect(reply.text).toBe(vi.textOnly);
    }

    // An edited question is answered again, for the edited text.
    const first = await user.sendText('Giá vàng hôm nay là bao nhiêu?');
    await waitFor(() => (trichdan.lastUpdateId() ?? 0) >= first.updateId);
    await trichdan.idle();
    asked.push('Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?');
    const [edited] = await exchange(user, () => user.editText(first.messageId!, 'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?'));
    expect(citedArticles(edited.text)[0]).toBe(doc('002'));
  });

  it('limits each user to the configured questions per minute, with one friendly message', async () => {
    const user = newUser();
    const replies: BotMessage[] = [];
    for (let i = 0; i <= RATE + 1; i++) replies.push(...(await ask(user, `dioxin Biên Hòa ${i}`)));
    const limited = replies.filter((m) => m.text === vi.rateLimited(RATE));
    expect(limited).toHaveLength(1);
    expect(replies).toHaveLength(RATE + 1);
    // Another user is not affected.
    expect(await ask(newUser(), 'dioxin Biên Hòa')).toHaveLength(1);
  });

  it('retries a reply after a 429 with retry_after (auto-retry)', async () => {
    emulator.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const user = newUser();
    const started = Date.now();
    const [reply] = await ask(user, 'Ai là Thứ trưởng thứ nhất Bộ Chiến tranh Mỹ?');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(citedArticles(reply.text)).toContain(doc('001'));
  });

  it('every message it sent is valid Telegram HTML, within limits, with small callback data', () => {
    const sends = [...emulator.callsOf('sendMessage'), ...emulator.callsOf('editMessageText')];
    expect(sends.length).toBeGreaterThan(40);
    // The emulator is strict: nothing was refused as Telegram would refuse it.
    expect(emulator.refused.map((c) => `${c.method}: ${c.description}`)).toEqual([]);
    for (const call of sends) {
      const text = String(call.body.text);
      expect(call.body.parse_mode).toBe('HTML');
      expect(telegramHtmlProblems(text), text).toEqual([]);
      const markup = call.body.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
      for (const button of markup?.inline_keyboard?.flat() ?? []) {
        expect(Buffer.byteLength(button.callback_data ?? '', 'utf8')).toBeLessThanOrEqual(64);
      }
    }
  });

  it('never logs the token or the text of a message', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const log = logLines.join('\n');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(TOKEN.split(':')[1]);
    for (const question of asked.filter((q) => q.trim().length > 8)) expect(log).not.toContain(question);
  });
});

describe('lifecycle', () => {
  it('finishes a reply in flight on shutdown, then stops polling', async () => {
    const user = newUser();
    emulator.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const sent = await user.sendText('Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?');
    await waitFor(() => (trichdan.lastUpdateId() ?? 0) >= sent.updateId);
    await running.stop();
    const replies = emulator.botMessages(TOKEN, user.chatId);
    expect(replies).toHaveLength(1);
    expect(citedArticles(replies[0].text)[0]).toBe(doc('002'));
    const polls = emulator.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(emulator.callsOf('getUpdates').length).toBeLessThanOrEqual(polls + 1);
    // A new bot takes over where this one stopped, without seeing old updates again.
    trichdan = createBot({ engine, config, log: createLogger('debug', (line) => logLines.push(line)) });
    running = await startBot(trichdan, config);
    const [again] = await ask(newUser(), 'Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?');
    expect(htmlToText(again.text)).toContain('44/45 bộ hồ sơ');
    expect(emulator.botMessages(TOKEN, user.chatId)).toHaveLength(1);
  });

  it('runs in webhook mode with a secret token', async () => {
    await running.stop();
    const port = await freePort();
    const secret = 'webhook_secret-123';
    const hookConfig = settings({
      TRICHDAN_BOT_MODE: 'webhook',
      TRICHDAN_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram`,
      TRICHDAN_WEBHOOK_PORT: String(port),
      TRICHDAN_WEBHOOK_SECRET: secret,
    });
    const hook = createBot({ engine, config: hookConfig, log: createLogger('debug', (line) => logLines.push(line)) });
    const hookRunning = await startBot(hook, hookConfig);
    try {
      expect(emulator.callsOf('setWebhook').at(-1)!.body).toMatchObject({ url: `http://127.0.0.1:${port}/telegram`, secret_token: secret });
      const user = newUser();
      const [reply] = await exchange(user, () => user.sendText('Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?'), hook);
      expect(htmlToText(reply.text)).toContain('44/45 bộ hồ sơ');
      const forged = await fetch(`http://127.0.0.1:${port}/telegram`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(forged.status).toBe(401);
      // Issue 12: the request body is capped, also without a Content-Length (chunked).
      const huge = JSON.stringify({ update_id: 1, pad: 'x'.repeat(2 * 1024 * 1024) });
      const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret };
      expect((await fetch(`http://127.0.0.1:${port}/telegram`, { method: 'POST', body: huge, headers })).status).toBe(413);
      const chunked = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
          controller.close();
        },
      });
      const streamed = await fetch(`http://127.0.0.1:${port}/telegram`, { method: 'POST', body: chunked, headers, duplex: 'half' } as RequestInit);
      expect(streamed.status).toBe(413);
      // …and the server listens on loopback only (TRICHDAN_WEBHOOK_HOST unset).
      const outside = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal);
      if (outside) {
        await expect(fetch(`http://${outside.address}:${port}/telegram`, { method: 'POST', body: '{}' })).rejects.toThrow();
      }
    } finally {
      await hookRunning.stop();
      await fetch(`${emulator.apiRoot}/bot${TOKEN}/deleteWebhook`, { method: 'POST' });
    }
  });
});

describe('webhook settings (issue 12)', () => {
  it('listens on 127.0.0.1 unless TRICHDAN_WEBHOOK_HOST says otherwise, and needs an https:// public URL', async () => {
    expect(settings().telegram.webhookHost).toBe('127.0.0.1');
    expect(settings({ TRICHDAN_WEBHOOK_HOST: '0.0.0.0' }).telegram.webhookHost).toBe('0.0.0.0');
    const plain = settings({ TRICHDAN_BOT_MODE: 'webhook', TRICHDAN_WEBHOOK_URL: 'http://bot.example.org/telegram', TRICHDAN_WEBHOOK_PORT: String(await freePort()) });
    const hook = createBot({ engine, config: plain, log: createLogger('error', () => {}) });
    const failure = await startBot(hook, plain).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/^TRICHDAN_WEBHOOK_URL="http:\/\/bot\.example\.org\/telegram": Telegram calls webhooks over https only/);
  });
});

describe('`trichdan bot` (what `npm start` runs)', () => {
  it('answers through the CLI process and stops cleanly on SIGINT', async () => {
    const cliDb = path.join(indexDir, 'cli-bot.sqlite');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/trichdan.js'), 'bot'], {
      cwd: ROOT,
      env: botProcessEnv(cliDb),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('is answering'), 30_000, 'the bot to start');
      expect(stderr).toMatch(/bot: @TestNameBot is answering \(polling, (lexical|hybrid) retrieval, 5 articles/);

      // Issue 12: a second bot on the same database refuses to start, with one line.
      const second = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/trichdan.js'), 'bot'], {
        cwd: ROOT,
        env: { ...process.env, TELEGRAM_BOT_TOKEN: TOKEN_2, TELEGRAM_API_ROOT: emulator.apiRoot, TRICHDAN_DB: cliDb, TRICHDAN_INDEX_DIR: indexDir },
      }).then(() => undefined, (e: { code: number; stderr: string }) => e);
      expect(second?.code).toBe(1);
      expect(second!.stderr.trim().split('\n')).toEqual([
        `trichdan: another trichdan bot (pid ${child.pid}) is running on the database ${cliDb}: stop it first, or give this bot its own TRICHDAN_DB (lock file ${cliDb}.bot.lock)`,
      ]);
      const user = emulator.user(TOKEN_3, { userId: nextUserId++ });
      await user.sendText('Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?');
      const reply = await waitFor(() => emulator.botMessages(TOKEN_3, user.chatId)[0], 10_000, 'the reply');
      expect(htmlToText(reply.text)).toContain('44/45 bộ hồ sơ');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGINT: finishing the replies in flight');
      expect(stderr).toMatch(/bot: stopped\n$/);
      expect(stderr).not.toContain(TOKEN_3.split(':')[1]);
      expect(existsSync(`${cliDb}.bot.lock`)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('`npm start` under a process supervisor (issue 12)', () => {
  /** Starts `npm start` on its own database; resolves once the bot answers, with the bot's pid (from its lock file). */
  async function npmStart(db: string) {
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: botProcessEnv(db),
    });
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => stderr.includes('is answering'), 30_000, 'the bot to start under npm');
    const botPid = Number.parseInt(readFileSync(`${db}.bot.lock`, 'utf8'), 10);
    expect(botPid).not.toBe(npm.pid);
    return { npm, botPid, stderr: () => stderr };
  }
  const running = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('SIGTERM to npm stops the bot cleanly (it finishes and removes its lock)', async () => {
    const db = path.join(indexDir, 'npm-term.sqlite');
    const { npm, botPid, stderr } = await npmStart(db);
    try {
      // 'close', not 'exit': 'exit' can come before the last stderr chunks ("bot: stopped") are read.
      const npmExited = new Promise((resolve) => npm.once('close', resolve));
      npm.kill('SIGTERM');
      await waitFor(() => !running(botPid), 15_000, 'the bot to stop');
      await npmExited;
      expect(stderr()).toContain('SIGTERM: finishing the replies in flight');
      expect(stderr()).toMatch(/bot: stopped\n/);
      expect(existsSync(`${db}.bot.lock`)).toBe(false);
    } finally {
      if (running(botPid)) process.kill(botPid, 'SIGKILL');
      npm.kill('SIGKILL');
    }
  });

  /** Kills npm with SIGKILL: the bot it started notices it was re-parented, stops and removes its lock. */
  async function expectStopsWhenNpmIsKilled(npm: ChildProcess, botPid: number, db: string) {
    try {
      npm.kill('SIGKILL');
      await waitFor(() => !running(botPid), 30_000, 'the orphaned bot to stop');
      expect(existsSync(`${db}.bot.lock`)).toBe(false);
    } finally {
      if (running(botPid)) process.kill(botPid, 'SIGKILL');
    }
  }

  it('the bot also stops when npm dies without passing anything on (SIGKILL)', async () => {
    const db = path.join(indexDir, 'npm-kill.sqlite');
    const { npm, botPid } = await npmStart(db);
    await expectStopsWhenNpmIsKilled(npm, botPid, db);
  });

  it('a bot whose npm was killed while it was still starting stops once it is up', async () => {
    const db = path.join(indexDir, 'npm-kill-early.sqlite');
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: botProcessEnv(db) });
    npm.stderr.resume();
    // The lock file is written first thing, long before the bot is up.
    const lock = `${db}.bot.lock`;
    const botPid = await waitFor(() => existsSync(lock) && Number.parseInt(readFileSync(lock, 'utf8'), 10), 30_000, 'the bot to take its lock');
    await expectStopsWhenNpmIsKilled(npm, botPid, db);
  });
});

describe('token problems: one clear line', () => {
  it('rejects a missing or malformed token before loading anything', async () => {
    await expect(runBot(settings({ TELEGRAM_BOT_TOKEN: '' }))).rejects.toThrow(/TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather/);
    const bad = runBot(settings({ TELEGRAM_BOT_TOKEN: '12345:short' }));
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await expect(bad).rejects.toThrow(/does not look like a bot token/);
  });

  it('says the token was rejected when getMe answers 401, without printing it', async () => {
    emulator.failNext('getMe', { error_code: 401, description: 'Unauthorized' });
    const bot = createBot({ engine, config, log: createLogger('debug', (line) => logLines.push(line)) });
    const error = await startBot(bot, config).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('the token was rejected by Telegram: check TELEGRAM_BOT_TOKEN with @BotFather');
  });

  it('says when the Bot API cannot be reached, without the token', async () => {
    const closed = await freePort();
    const bot = createBot({ engine, config, apiRoot: `http://127.0.0.1:${closed}`, log: createLogger('debug', (line) => logLines.push(line)) });
    const error = await startBot(bot, config).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe(`cannot reach the Telegram Bot API at http://127.0.0.1:${closed} (ECONNREFUSED): check the network or TELEGRAM_API_ROOT`);
    expect(logLines.join('\n')).not.toContain(TOKEN.split(':')[1]);
  });

  it('`trichdan bot` prints one line and exits 1 without a token', async () => {
    const run = promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/trichdan.js'), 'bot'], {
      cwd: indexDir, // no .env there
      env: { ...process.env, TELEGRAM_BOT_TOKEN: '', TRICHDAN_LOG_LEVEL: 'info' },
    });
    const failure = await run.then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(failure?.code).toBe(1);
    const lines = failure!.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trichdan: TELEGRAM_BOT_TOKEN is not set/);
  });
});
