/**
 * /add, /remove, /feeds, /reindex (admins), /stats (everyone) and the "Add to corpus" button under
 * links: the real grammY bot (createBot + startBot, long polling) against the Bot API emulator,
 * on the fake engine and an in-memory library. Users type as on Telegram; the assertions read
 * what the bot sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/answer/citation.ts';
import { MAX_ARGUMENT_CHARS, PendingLinks, plainLink } from '../../src/bot/admin.ts';
import { formatLocalTime, renderFeeds, renderStats } from '../../src/bot/admin-render.ts';
import { adminStrings } from '../../src/bot/admin-strings.ts';
import { groupAdminOnly } from '../../src/bot/permissions.ts';
import { createBot, type TrichdanBot } from '../../src/bot/create-bot.ts';
import { createLogger } from '../../src/bot/log.ts';
import { startBot, type RunningBot } from '../../src/bot/run.ts';
import { strings } from '../../src/bot/strings.ts';
import type { Config } from '../../src/config.ts';
import { IngestError } from '../../src/ingest/types.ts';
import type { FeedStatus } from '../../src/library/types.ts';
import { startEmulator, waitFor, type BotMessage, type EmulatedUser, type Emulator, type SentUpdate } from '../e2e/helpers/emulator.ts';
import { htmlToText, telegramHtmlProblems } from '../e2e/helpers/telegram-html.ts';
import { testConfig } from '../helpers/engine.ts';
import { fakeArticle, fakeEngine } from './fake-engine.ts';
import { FakeLibrary, fakeArticleInfo } from './fake-library.ts';

const TOKEN = `123456789:${'Admin_test-token'.repeat(2)}`;
const TOKEN_FIXED = `987654321:${'Fixed_index-token'.repeat(2)}`;
const ADMIN = 7001;
const ADMIN_EN = 7002;
const vi = adminStrings('vi');
const en = adminStrings('en');

const NEW_URL = 'https://vnexpress.net/viet-nam-va-my-hop-tac-quoc-phong-4800000.html';
const FEEDS: FeedStatus[] = [
  {
    url: 'https://vnexpress.net/rss/the-gioi.rss',
    lastStatus: 'ok',
    lastPolledAt: '2025-11-20T02:15:00.000Z',
    lastError: null,
    itemsAdded: 12,
    nextPollAt: '2025-11-20T02:30:00.000Z',
  },
  {
    url: 'https://tienphong.vn/rss/quoc-phong.rss',
    lastStatus: 'error',
    lastPolledAt: '2025-11-20T02:16:00.000Z',
    lastError: 'The site answered 503 <Service Unavailable>',
    itemsAdded: 0,
    nextPollAt: '2025-11-20T03:16:00.000Z',
  },
];

let emulator: Emulator;
let config: Config;
let library: FakeLibrary;
let engine: ReturnType<typeof fakeEngine>;
let trichdan: TrichdanBot;
let running: RunningBot;
const logLines: string[] = [];
let nextUserId = 8000;

/** Sends something and returns the bot's new (or edited) messages to that chat once it has handled it. */
async function exchange(user: EmulatedUser, send: () => Promise<SentUpdate>, bot: TrichdanBot = trichdan): Promise<BotMessage[]> {
  const before = new Set(emulator.botMessages(user.token, user.chatId).map((m) => m.messageId));
  const sent = await send();
  await waitFor(() => (bot.lastUpdateId() ?? 0) >= sent.updateId, 10_000, `the bot to take update ${sent.updateId}`);
  expect(await bot.idle(15_000)).toBe(true);
  const replies = emulator.botMessages(user.token, user.chatId).filter((m) => !before.has(m.messageId));
  for (const reply of replies) expect(telegramHtmlProblems(reply.text)).toEqual([]);
  return replies;
}

const type = (user: EmulatedUser, text: string) => exchange(user, () => user.sendText(text));
const admin = (languageCode = 'vi') => emulator.user(TOKEN, { userId: languageCode === 'en' ? ADMIN_EN : ADMIN, languageCode });
const someone = (languageCode = 'vi') => emulator.user(TOKEN, { userId: nextUserId++, languageCode });
/** The texts the bot sent (before any edit) to a chat, in order. */
const sentTexts = (chatId: number) =>
  emulator.callsOf('sendMessage').filter((c) => Number(c.body.chat_id) === chatId).map((c) => String(c.body.text));

beforeAll(async () => {
  emulator = await startEmulator({ acceptAll: true });
  config = testConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    TRICHDAN_ADMIN_IDS: `${ADMIN}, ${ADMIN_EN}`,
  });
  engine = fakeEngine([
    fakeArticle('001_dioxin', 'Mỹ hỗ trợ xử lý dioxin ở Biên Hòa', 'Mỹ công bố thêm 130 triệu USD cho dự án xử lý dioxin.'),
  ]);
  library = new FakeLibrary(engine, {
    articles: [fakeArticleInfo('001_dioxin', 'Mỹ hỗ trợ xử lý dioxin ở Biên Hòa', { passages: 5 })],
    pages: {
      [NEW_URL]: { title: 'Việt Nam & Mỹ <bàn> hợp tác quốc phòng', date: '2025-11-20', source: 'VnExpress', passages: 7 },
      'https://tuoitre.vn/bai-moi.htm': { title: 'Bài mới từ nút bấm', passages: 2 },
    },
    feeds: FEEDS,
    lastIngestAt: '2025-11-20T01:05:00.000Z',
    now: () => new Date('2025-11-21T03:00:00.000Z'),
  });
  trichdan = createBot({ engine, library, config, log: createLogger('debug', (line) => logLines.push(line)) });
  running = await startBot(trichdan, config, { mode: 'polling' });
});

afterAll(async () => {
  await running?.stop();
  await emulator?.stop();
});

describe('/add', () => {
  it('says "fetching", then shows the added article with its citation and passages', async () => {
    const user = admin();
    const replies = await type(user, `/add  ${NEW_URL} `);
    expect(library.addedUrls.at(-1)).toBe(NEW_URL);
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    // The "fetching" message was sent first and then edited into the outcome.
    expect(sentTexts(user.chatId).at(-1)).toBe(vi.fetching);
    const edits = emulator.callsOf('editMessageText').filter((c) => Number(c.body.message_id) === reply.messageId);
    expect(edits).toHaveLength(1);
    expect(reply.parseMode).toBe('HTML');
    expect(reply.text).toContain(vi.added(7));
    expect(reply.text).toContain(`<a href="${NEW_URL}">${escapeHtml('Việt Nam & Mỹ <bàn> hợp tác quốc phòng')}</a> — 20/11/2025, VnExpress`);
    expect(htmlToText(reply.text)).toMatch(/id: 1\d\d_/);
  });

  it('tells an already-known link as a duplicate, naming the article', async () => {
    const [reply] = await type(admin('en'), `/add ${NEW_URL}`);
    expect(reply.text.startsWith(en.duplicate)).toBe(true);
    expect(htmlToText(reply.text)).toContain('Việt Nam & Mỹ <bàn> hợp tác quốc phòng');
  });

  it('shows an IngestError’s own sentence, and only that', async () => {
    const message = 'The page at this link is not HTML (application/pdf): send the link of a news article.';
    library.failNext(new IngestError('not_html', message));
    const [reply] = await type(admin(), '/add https://example.org/report.pdf');
    expect(htmlToText(reply.text)).toBe(message);

    const [notFound] = await type(admin(), '/add https://example.org/missing');
    expect(htmlToText(notFound.text)).toContain('404 Not Found');
  });

  it('answers any other failure with the generic apology, never the error', async () => {
    library.failNext(new Error('SQLITE_BUSY: database is locked at /secret/path'));
    const [reply] = await type(admin(), '/add https://example.org/boom');
    expect(reply.text).toBe(strings('vi').internalError);
    expect(logLines.some((l) => l.includes('admin command failed') && l.includes('SQLITE_BUSY'))).toBe(true);
  });

  it('gives the usage line without a link, and a "too long" reply that does not repeat the argument', async () => {
    expect((await type(admin(), '/add'))[0].text).toBe(vi.addUsage);
    const long = `https://example.org/${'a'.repeat(MAX_ARGUMENT_CHARS + 100)}`;
    const before = library.addedUrls.length;
    const [reply] = await type(admin('en'), `/add ${long}`);
    expect(reply.text).toBe(en.argumentTooLong(long.length, MAX_ARGUMENT_CHARS));
    expect(reply.text).not.toContain('aaaa');
    const [removeReply] = await type(admin(), `/remove ${'x'.repeat(5000)}`);
    expect(removeReply.text).toBe(vi.argumentTooLong(5000, MAX_ARGUMENT_CHARS));
    expect(library.addedUrls.length).toBe(before);
  });

  it('is refused, politely and in their language, to everyone but the admins', async () => {
    const before = library.addedUrls.length;
    for (const command of [`/add ${NEW_URL}`, '/remove 001_dioxin', '/feeds', '/reindex', '/add']) {
      expect((await type(someone(), command))[0].text).toBe(vi.notAdmin);
    }
    expect((await type(someone('en'), '/add https://example.org/x'))[0].text).toBe(en.notAdmin);
    expect(library.addedUrls.length).toBe(before);
    expect(library.removeCalls).not.toContain('001_dioxin');
    expect(library.refreshCalls).toBe(0);
  });

  it('in a group also needs a chat administrator; private chats are unchanged (issue 12)', async () => {
    const group = { id: -100_555, type: 'supergroup' as const, title: 'Ban biên tập' };
    emulator.setChatAdmins(group.id, [ADMIN_EN]);
    const notChatAdmin = emulator.user(TOKEN, { userId: ADMIN, languageCode: 'vi', chat: group });
    const before = library.addedUrls.length;
    for (const command of [`/add ${NEW_URL}`, '/remove 001_dioxin', '/reindex', '/feeds']) {
      const replies = await type(notChatAdmin, command);
      expect(replies.map((r) => r.text)).toEqual([groupAdminOnly('vi')]);
    }
    expect(library.addedUrls.length).toBe(before);
    expect(library.refreshCalls).toBe(0);
    const chatAdmin = emulator.user(TOKEN, { userId: ADMIN_EN, languageCode: 'en', chat: group });
    expect(htmlToText((await type(chatAdmin, '/feeds'))[0].text)).toContain('vnexpress.net/rss/the-gioi.rss');
    // A member of the group who is not in TRICHDAN_ADMIN_IDS gets the usual refusal.
    const member = emulator.user(TOKEN, { userId: nextUserId++, languageCode: 'vi', chat: group });
    expect((await type(member, '/feeds'))[0].text).toBe(vi.notAdmin);
  });
});

describe('/remove', () => {
  it('confirms with the title of the removed article, found by id or by link', async () => {
    const [byUrl] = await type(admin(), `/remove ${NEW_URL}`);
    expect(byUrl.text.startsWith(vi.removed)).toBe(true);
    expect(htmlToText(byUrl.text)).toContain('Việt Nam & Mỹ <bàn> hợp tác quốc phòng');
    expect(library.list().some((a) => a.url === NEW_URL)).toBe(false);
  });

  it('says when no article has that id or link', async () => {
    const [reply] = await type(admin('en'), '/remove 999_<none>');
    expect(reply.text).toBe(en.notRemoved('999_<none>'));
    expect(htmlToText(reply.text)).toBe('No article has the id or link 999_<none>.');
    expect((await type(admin(), '/remove'))[0].text).toBe(vi.removeUsage);
  });
});

describe('/reindex', () => {
  it('says "re-scanning", then reports what changed as counts', async () => {
    library.nextRefresh = { added: ['a', 'b'], updated: ['c'], removed: [] };
    const user = admin();
    const [reply] = await type(user, '/reindex');
    expect(sentTexts(user.chatId).at(-1)).toBe(vi.reindexing);
    expect(reply.text).toBe(vi.reindexed(2, 1, 0));
    expect(library.refreshCalls).toBe(1);
  });
});

describe('/feeds and /stats', () => {
  it('/feeds lists every feed with its status, last poll, next poll, articles added and error', async () => {
    const [reply] = await type(admin('en'), '/feeds');
    const text = htmlToText(reply.text);
    expect(text).toContain('RSS/Atom feeds (2):');
    expect(text).toContain('https://vnexpress.net/rss/the-gioi.rss\n  ok, last polled 20/11/2025 09:15, 12 articles added, next 20/11/2025 09:30');
    expect(text).toContain('https://tienphong.vn/rss/quoc-phong.rss\n  error, last polled 20/11/2025 09:16, 0 articles added');
    expect(text).toContain('Error: The site answered 503 <Service Unavailable>');
  });

  it('/feeds says how to configure TRICHDAN_FEEDS when there are none', async () => {
    library.setFeeds([]);
    try {
      const [reply] = await type(admin(), '/feeds');
      expect(reply.text).toBe(vi.noFeeds);
      expect(reply.text).toContain('TRICHDAN_FEEDS');
    } finally {
      library.setFeeds(FEEDS);
    }
  });

  it('/stats shows everyone the articles, passages, retrieval, last update (Hanoi time) and feeds', async () => {
    const stats = library.stats();
    const [reply] = await type(someone(), '/stats');
    const text = htmlToText(reply.text);
    expect(text).toContain(`Bài báo: ${stats.articles}`);
    expect(text).toContain(`Đoạn văn: ${stats.passages}`);
    expect(text).toContain(vi.retrieval('lexical'));
    expect(text).toContain(`Cập nhật lần cuối: ${formatLocalTime(stats.lastIngestAt)}`);
    expect(text).toContain('Nguồn tin (2):');
    expect(text).toContain('https://vnexpress.net/rss/the-gioi.rss\n  tốt, tải lần cuối 20/11/2025 09:15, đã thêm 12 bài');
    expect(text).toContain('lỗi, tải lần cuối 20/11/2025 09:16, đã thêm 0 bài\n  Lỗi: The site answered 503');
    expect(text).not.toContain('lần tới');
  });

  it('splits a long feed list between feeds, each message valid Telegram HTML', () => {
    const many: FeedStatus[] = Array.from({ length: 120 }, (_, i) => ({
      ...FEEDS[1],
      url: `https://example.org/rss/${i}?a=1&b=<2>`,
      lastError: `<script>${'x'.repeat(400)}`,
    }));
    for (const messages of [renderFeeds(many, 'vi'), renderStats({ ...library.stats(), feeds: many }, 'en')]) {
      expect(messages.length).toBeGreaterThan(1);
      for (const m of messages) {
        expect(m.length).toBeLessThanOrEqual(4096);
        expect(telegramHtmlProblems(m)).toEqual([]);
      }
      expect(messages.join('\n').match(/https:\/\/example\.org\/rss\//g)).toHaveLength(120);
    }
  });

  it('formats instants as dd/MM/yyyy HH:mm in Asia/Ho_Chi_Minh', () => {
    expect(formatLocalTime('2025-12-31T17:30:00.000Z')).toBe('01/01/2026 00:30');
    expect(formatLocalTime(null)).toBeNull();
    expect(formatLocalTime('not a time')).toBeNull();
  });
});

describe('links sent as messages', () => {
  it('recognises a message that is only one http(s) link', () => {
    expect(plainLink('  https://vnexpress.net/a.html \n')).toBe('https://vnexpress.net/a.html');
    expect(plainLink('http://x.vn/b')).toBe('http://x.vn/b');
    expect(plainLink('xem https://vnexpress.net/a.html')).toBeNull();
    expect(plainLink('https://a.vn/1 https://a.vn/2')).toBeNull();
    expect(plainLink('ftp://a.vn/1')).toBeNull();
    expect(plainLink('https://')).toBeNull();
  });

  it('from an admin in private: an "Add to corpus" button that adds the article when pressed', async () => {
    const user = admin();
    const asked = engine.asked.length;
    const [offer] = await type(user, ' https://tuoitre.vn/bai-moi.htm ');
    expect(engine.asked.length).toBe(asked); // not treated as a question
    expect(offer.text).toBe(vi.linkPrompt);
    const [[button]] = offer.buttons;
    expect(button.text).toBe(vi.addButton);
    expect(Buffer.byteLength(button.callback_data!)).toBeLessThanOrEqual(64);

    const replies = await exchange(user, () => user.press(offer, button.callback_data!));
    expect(library.addedUrls.at(-1)).toBe('https://tuoitre.vn/bai-moi.htm');
    const result = replies.find((m) => m.messageId !== offer.messageId)!;
    expect(result.text).toContain(vi.added(2));
    expect(htmlToText(result.text)).toContain('Bài mới từ nút bấm');
    // The button is gone, so a second press cannot add it twice.
    expect(emulator.botMessages(TOKEN, user.chatId).find((m) => m.messageId === offer.messageId)!.buttons.flat()).toHaveLength(0);
  });

  it('an unknown or expired button gets a pop-up, not an add', async () => {
    const user = admin();
    const before = library.addedUrls.length;
    const [offer] = await type(user, 'https://tuoitre.vn/bai-moi.htm');
    await exchange(user, () => user.press(offer, 'add:nosuchtk'));
    const popup = emulator.callsOf('answerCallbackQuery').at(-1)!;
    expect(popup.body.text).toBe(vi.staleLink);
    expect(library.addedUrls.length).toBe(before);

    let now = 0;
    const links = new PendingLinks(2, 1000, () => now);
    const token = links.remember('https://a.vn/1');
    expect(links.url(token)).toBe('https://a.vn/1');
    now = 1000;
    expect(links.url(token)).toBeUndefined();
  });

  it('from anyone else stays a question', async () => {
    const user = someone();
    const asked = engine.asked.length;
    const replies = await type(user, 'https://vnexpress.net/dioxin-bien-hoa.html');
    expect(engine.asked.length).toBe(asked + 1);
    expect(engine.asked.at(-1)!.question).toBe('https://vnexpress.net/dioxin-bien-hoa.html');
    expect(replies[0].buttons.flat().some((b) => b.callback_data?.startsWith('add:'))).toBe(false);
  });
});

describe('commands in /help and the menu', () => {
  it('/help lists /stats and the admin commands; the menu has /stats only', async () => {
    const [help] = await type(someone(), '/help');
    for (const command of ['/stats', '/add', '/remove', '/feeds', '/reindex']) expect(help.text).toContain(command);
    expect(help.text).toContain('(quản trị viên)');
    const menu = emulator.callsOf('setMyCommands').map((c) => JSON.stringify(c.body.commands));
    expect(menu.length).toBeGreaterThan(0);
    for (const commands of menu) {
      expect(commands).toContain('"stats"');
      expect(commands).not.toContain('"add"');
    }
  });
});

describe('without a live library', () => {
  it('admin commands say they are not available; /stats shows the fixed index', async () => {
    const fixedConfig = testConfig({ TELEGRAM_BOT_TOKEN: TOKEN_FIXED, TELEGRAM_API_ROOT: emulator.apiRoot, TRICHDAN_ADMIN_IDS: String(ADMIN) });
    const fixed = createBot({ engine, config: fixedConfig, log: createLogger('error', () => {}) });
    const fixedRunning = await startBot(fixed, fixedConfig, { mode: 'polling' });
    try {
      const user = emulator.user(TOKEN_FIXED, { userId: ADMIN, languageCode: 'en' });
      const say = (text: string) => exchange(user, () => user.sendText(text), fixed);
      expect((await say(`/add ${NEW_URL}`))[0].text).toBe(en.noLibrary);
      expect((await say('/reindex'))[0].text).toBe(en.noLibrary);
      const stats = htmlToText((await say('/stats'))[0].text);
      expect(stats).toContain('Articles: 1');
      expect(stats).toContain('Passages: 1');
      expect(stats).toContain('Last update: none yet');
      // A link stays a question here.
      const asked = engine.asked.length;
      await say(NEW_URL);
      expect(engine.asked.length).toBe(asked + 1);
      const [help] = await say('/help');
      expect(help.text).toContain('/stats');
      expect(help.text).not.toContain('/reindex');
    } finally {
      await fixedRunning.stop();
    }
  });
});
