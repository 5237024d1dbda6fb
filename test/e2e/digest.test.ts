/**
 * The daily digest end to end: the real retrieval core on a private copy of the seed corpus,
 * the real bot (createBot + startBot, long polling) with the digest plugged in as an extension,
 * a Bot API emulator on 127.0.0.1, users typing commands, and a fake clock deciding when it is
 * 07:30 in Hanoi. Restarts stop the whole stack and start it again on the same SQLite file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.ts';
import { silentLogger } from '../../src/bot/log.ts';
import { startBot, type RunningBot } from '../../src/bot/run.ts';
import type { Config } from '../../src/config.ts';
import { FakeClock } from '../../src/digest/clock.ts';
import { createDigest, type Digest } from '../../src/digest/extension.ts';
import { PostgresClient } from '../../src/db/postgres-client.ts';
import type { SqlClient } from '../../src/db/sql.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { createEngine } from '../../src/engine.ts';
import type { Engine } from '../../src/engine-types.ts';
import { copySeedCorpus, testConfig } from '../helpers/engine.ts';
import { startEmulator, waitFor, type EmulatedUser, type Emulator } from './helpers/emulator.ts';
import { blockquoteTexts, htmlToText, telegramHtmlProblems } from './helpers/telegram-html.ts';
import { isVerbatimQuote } from '../helpers/quotes.ts';

const TOKEN = '123456789:AAdigest-e2e-test-token-xxxxxxxxxxxxxx';
/** 07:30 in Hanoi on 24 Nov 2026. */
const SLOT_24 = Date.parse('2026-11-24T00:30:00Z');
const DAY = 24 * 3600_000;

const NEW_ARTICLE = `Mỹ và Việt Nam hoàn tất giai đoạn hai xử lý dioxin tại sân bay Biên Hòa

Sáng 20/11, tại Đồng Nai, hai nước đã tổ chức lễ hoàn tất giai đoạn hai của dự án xử lý ô nhiễm dioxin tại sân bay Biên Hòa. Dự án do phía Mỹ tài trợ.

Theo Bộ Quốc phòng, khoảng 150.000 mét khối đất nhiễm dioxin đã được xử lý an toàn trong giai đoạn này. Hai bên cam kết tiếp tục hợp tác khắc phục hậu quả chiến tranh.

Nguồn Tiền Phong: https://tienphong.vn/vi-du-dioxin-bien-hoa-post1.tpo
`;

/** The running stack: engine, digest, bot. */
interface Stack {
  engine: Engine;
  digest: Digest;
  running: RunningBot;
}

describe.each(testDatabases())('daily digest (e2e: real engine, real bot, emulator, fake clock) on $name', ({ name, skip, url }) => {
  if (skip) {
    it.skip(skip, () => {});
    return;
  }
  let emulator: Emulator;
  let databaseUrl: string;
  let database: SqlClient | undefined;
  let corpusDir: string;
  let work: string;
  let config: Config;
  let clock: FakeClock;
  let stack: Stack | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ acceptAll: true });
    corpusDir = await copySeedCorpus();
    work = await mkdtemp(path.join(tmpdir(), 'trichdan-digest-e2e-'));
    databaseUrl = await url();
    config = testConfig({
      TRICHDAN_CORPUS_DIR: corpusDir,
      TRICHDAN_INDEX_DIR: path.join(work, 'index'),
      TRICHDAN_MODELS_DIR: path.join(work, 'no-models'),
      TRICHDAN_DB: name === 'sqlite' ? databaseUrl : path.join(work, 'unused.sqlite'),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
    });
    clock = new FakeClock(SLOT_24 - 30 * 60_000); // 07:00 in Hanoi
  });
  afterEach(async () => {
    await stop();
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(corpusDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  /** Starts engine, digest and bot (a process start). */
  async function start(): Promise<Stack> {
    const engine = await createEngine(config, { log: () => {}, progress: false });
    // On PostgreSQL the bot's database is opened by the process and shared by its stores, as runBot does.
    database = name === 'postgres' ? await PostgresClient.open(databaseUrl) : undefined;
    const digest = createDigest({ config, engine, clock, autoTick: false, log: () => {}, ...(database ? { database } : {}) });
    const trichdan = createBot({ engine, config, log: silentLogger, extensions: [digest.extension] });
    const running = await startBot(trichdan, config, { mode: 'polling' });
    stack = { engine, digest, running };
    return stack;
  }

  async function stop(): Promise<void> {
    if (!stack) return;
    await stack.running.stop(); // stops the digest too (extension onStop)
    await stack.engine.close();
    await database?.close();
    database = undefined;
    stack = undefined;
  }

  /** Sends a command and returns the bot's reply (the next message to that chat). */
  async function command(user: EmulatedUser, text: string): Promise<string> {
    const before = emulator.botMessages(TOKEN, user.chatId).length;
    await user.sendText(text);
    const reply = await waitFor(
      () => emulator.botMessages(TOKEN, user.chatId)[before],
      10_000,
      `a reply to ${text}`,
    );
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    return htmlToText(reply.text);
  }

  const tick = () => stack!.digest.scheduler!.tick();

  it('handles the commands in the user’s language, with clear errors and examples', async () => {
    await start();
    const lan = emulator.user(TOKEN, { userId: 2001, languageCode: 'vi' });
    expect(await command(lan, '/subscribe 7h30')).toContain('Đã đăng ký nhận bản tin hằng ngày lúc 07:30 (Asia/Ho_Chi_Minh).\nBản tin đầu tiên: 07:30 24/11/2026');
    expect(await command(lan, '/subscribe')).toContain('Bạn đã đăng ký rồi');
    expect(await command(lan, '/subscribe 8:00')).toContain('Đã đổi giờ nhận bản tin thành 08:00');
    expect(await command(lan, '/time 25:00')).toBe(
      'Giờ không hợp lệ: «25:00». Hãy viết giờ:phút theo 24 giờ, ví dụ: /time 07:30 hoặc /time 18:05.',
    );
    expect(await command(lan, '/timezone Asia/Hanoi')).toContain('ví dụ: /timezone Asia/Ho_Chi_Minh');
    expect(await command(lan, '/timezone europe/berlin')).toContain('Đã đổi múi giờ thành Europe/Berlin');
    expect(await command(lan, '/time 06:45')).toContain('Đã đổi giờ nhận bản tin thành 06:45 (Europe/Berlin). Bản tin tiếp theo: 06:45 24/11/2026');
    expect(await command(lan, '/follow')).toContain('Cách dùng: /follow dioxin');
    expect(await command(lan, `/follow ${'x'.repeat(65)}`)).toContain('tối đa 64 ký tự');
    expect(await command(lan, '/follow <b>dioxin</b> & Nga')).toContain('Đã theo dõi chủ đề «<b>dioxin</b> & Nga»');
    expect(await command(lan, '/follow hợp tác quốc phòng')).toContain('Đã theo dõi chủ đề «hợp tác quốc phòng»');
    expect(await command(lan, '/topics')).toBe(
      'Chủ đề bạn theo dõi (2):\n• <b>dioxin</b> & Nga\n• hợp tác quốc phòng\nBỏ theo dõi: /unfollow <chủ đề>',
    );
    expect(await command(lan, '/unfollow <B>DIOXIN</B> & nga')).toContain('Đã bỏ theo dõi');
    expect(await command(lan, '/digest_empty off')).toContain('không nhận tin nào');
    expect(await command(lan, '/unsubscribe')).toContain('Đã hủy đăng ký');
    expect(await command(lan, '/unsubscribe')).toContain('Bạn chưa đăng ký');
    expect(await stack!.digest.store.getSubscriber(2001)).toMatchObject({
      active: false,
      time: '06:45',
      zone: 'Europe/Berlin',
      sendEmpty: false,
    });

    const ann = emulator.user(TOKEN, { userId: 2002, languageCode: 'en' });
    expect(await command(ann, '/subscribe 18:05')).toContain('Subscribed to the daily digest at 18:05 (Asia/Ho_Chi_Minh).');
    expect(await command(ann, '/time noon')).toContain('Not a valid time: «noon»');
    expect(await command(ann, '/timezone Mars/Olympus')).toContain('for example /timezone Asia/Ho_Chi_Minh');
    expect(await stack!.digest.store.getSubscriber(2002)).toMatchObject({ language: 'en', time: '18:05' });

    // Issue 12: an argument of ~4,000 characters is not repeated whole (the reply came to 4,099 and Telegram refused it).
    const long = `${'dài '.repeat(999)}x`;
    for (const cmd of ['/subscribe', '/time', '/timezone']) {
      const reply = await command(ann, `${cmd} ${long}`);
      expect(reply.length).toBeLessThan(400);
      expect(reply).toMatch(/«(dài )+dài…»/);
    }

    // /help lists the digest's commands beside the bot's own.
    const help = await command(ann, '/help');
    expect(help).toContain('/subscribe [HH:MM]');
    expect(help).toContain('/timezone <zone>');
    expect(emulator.callsOf('setMyCommands').some((c) => JSON.stringify(c.body).includes('digest_empty'))).toBe(true);
  });

  it('in a group only its administrators change the digest; members get one polite line; private chats are unchanged (issue 12)', async () => {
    await start();
    const group = { id: -100_777, type: 'supergroup' as const, title: 'Nhóm tin' };
    emulator.setChatAdmins(group.id, [3001, 3002]);
    const owner = emulator.user(TOKEN, { userId: 3001, languageCode: 'vi', chat: group });
    const admin = emulator.user(TOKEN, { userId: 3002, languageCode: 'en', chat: group });
    const member = emulator.user(TOKEN, { userId: 3003, languageCode: 'vi', chat: group });
    const memberEn = emulator.user(TOKEN, { userId: 3004, languageCode: 'en', chat: group });
    const refusal = 'Xin lỗi, trong nhóm chỉ quản trị viên mới dùng được lệnh này.';

    for (const cmd of ['/subscribe', '/unsubscribe', '/timezone Europe/Berlin', '/time 06:00', '/follow dioxin', '/unfollow dioxin', '/digest_empty on', '/digest']) {
      expect(await command(member, cmd)).toBe(refusal);
    }
    expect(await command(memberEn, '/subscribe 05:00')).toBe('Sorry, in a group only its administrators can use this command.');
    expect(await stack!.digest.store.getSubscriber(group.id)).toBeUndefined();

    expect(await command(owner, '/subscribe 08:15')).toContain('Đã đăng ký nhận bản tin hằng ngày lúc 08:15');
    expect(await command(admin, '/follow dioxin')).toContain('Following «dioxin»');
    expect(await command(member, '/topics')).toContain('dioxin');
    expect(await command(member, '/unsubscribe')).toBe(refusal);
    expect(await stack!.digest.store.getSubscriber(group.id)).toMatchObject({ active: true, time: '08:15' });

    // getChatMember is asked once per member and remembered briefly.
    const asked = emulator.callsOf('getChatMember').filter((c) => Number(c.body.user_id) === 3003);
    expect(asked).toHaveLength(1);

    // Private chats need no administrator.
    const alone = emulator.user(TOKEN, { userId: 3005, languageCode: 'vi' });
    expect(await command(alone, '/subscribe')).toContain('Đã đăng ký');
    expect(emulator.callsOf('getChatMember').filter((c) => Number(c.body.user_id) === 3005)).toHaveLength(0);
    // The later tests count the subscribers of this database.
    expect(await command(alone, '/unsubscribe')).toContain('Đã hủy đăng ký');
    expect(await command(owner, '/unsubscribe')).toContain('Đã hủy đăng ký');
  });

  it('/digest shows the latest articles with verbatim leads, on demand', async () => {
    await start();
    const user = emulator.user(TOKEN, { userId: 2101 });
    const before = emulator.botMessages(TOKEN, 2101).length;
    await user.sendText('/digest');
    const reply = await waitFor(() => emulator.botMessages(TOKEN, 2101)[before], 10_000, '/digest');
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    expect(reply.text).toContain('Các bài mới nhất');
    const quotes = blockquoteTexts(reply.text);
    expect(quotes.length).toBe(5);
    const texts = stack!.engine.articles().map((a) => a.text);
    for (const q of quotes) expect(texts.some((t) => t.includes(q.replace(/…$/, '')))).toBe(true);
  });

  it('sends one digest a day across restarts; a new article appears in the next digest only; topics get verbatim excerpts', async () => {
    await start();
    const user = emulator.user(TOKEN, { userId: 2201, languageCode: 'vi' });
    await command(user, '/subscribe 07:30');
    await command(user, '/follow dioxin');
    const digests = () => emulator.botMessages(TOKEN, 2201).filter((m) => m.text.includes('Bản tin trichdan ngày'));

    // Day 1, 07:30 in Hanoi: the first digest shows the latest articles and a dioxin excerpt.
    clock.set(SLOT_24);
    expect(await tick()).toMatchObject({ sent: 1 });
    const day1 = digests();
    expect(day1).toHaveLength(1);
    expect(telegramHtmlProblems(day1[0].text)).toEqual([]);
    expect(day1[0].text).toContain('Bản tin trichdan ngày 24/11/2026');
    const day1Quotes = blockquoteTexts(day1[0].text);
    const topicQuote = day1Quotes.at(-1)!;
    expect(topicQuote).toMatch(/dioxin/i);
    expect(stack!.engine.articles().some((a) => isVerbatimQuote(a.text, topicQuote))).toBe(true);

    // A restart the same morning sends nothing more.
    await stop();
    clock.set(SLOT_24 + 10 * 60_000);
    await start();
    expect((await tick()).due).toBe(0);

    // An article is added to the corpus; the bot restarts (re-index) before the next morning.
    await stop();
    await writeFile(path.join(corpusDir, '005_digest_e2e.txt'), NEW_ARTICLE);
    clock.set(SLOT_24 + DAY - 3600_000);
    await start();
    expect(stack!.engine.articles().some((a) => a.id === '005_digest_e2e')).toBe(true);
    expect((await tick()).due).toBe(0);

    clock.set(SLOT_24 + DAY);
    expect(await tick()).toMatchObject({ sent: 1 });
    const day2 = digests()[1].text;
    expect(telegramHtmlProblems(day2)).toEqual([]);
    expect(day2).toContain('1 bài mới kể từ bản tin trước');
    expect(day2).toContain('Mỹ và Việt Nam hoàn tất giai đoạn hai xử lý dioxin tại sân bay Biên Hòa');
    expect(day2).toContain('https://tienphong.vn/vi-du-dioxin-bien-hoa-post1.tpo');
    expect(day2).not.toContain('Tổng Bí thư Tô Lâm tiếp Bộ trưởng Chiến tranh Hoa Kỳ'); // old articles are not repeated
    const [lead, excerpt] = blockquoteTexts(day2);
    const added = stack!.engine.article('005_digest_e2e')!;
    expect(added.text).toContain(lead);
    expect(lead.startsWith('Sáng 20/11, tại Đồng Nai')).toBe(true);
    expect(added.text).toContain(excerpt); // the topic excerpt comes from the new article
    expect(excerpt).toMatch(/dioxin/);

    // Day 3: the article is no longer new.
    clock.set(SLOT_24 + 2 * DAY);
    expect(await tick()).toMatchObject({ sent: 1 });
    const day3 = digests()[2].text;
    expect(day3).toContain('Không có bài mới kể từ bản tin trước.');
    expect(day3).not.toContain('hoàn tất giai đoạn hai');
    expect(digests()).toHaveLength(3);
    expect((await stack!.digest.store.deliveries(2201)).map((d) => [d.slot, d.status])).toEqual([
      ['2026-11-24', 'sent'],
      ['2026-11-25', 'sent'],
      ['2026-11-26', 'sent'],
    ]);
  });

  it('through the running bot: a 429 is waited out (retry_after) and a blocked chat (403) is unsubscribed', async () => {
    clock.set(SLOT_24 + 3 * DAY - 3600_000);
    await start();
    await stack!.digest.store.unsubscribe(2201); // the previous test's subscriber (same database)
    const ok = emulator.user(TOKEN, { userId: 2301 });
    await command(ok, '/subscribe');
    clock.set(SLOT_24 + 3 * DAY);
    emulator.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const callsBefore = emulator.callsOf('sendMessage').length;
    expect(await tick()).toMatchObject({ due: 1, sent: 1, failed: 0 });
    const calls = emulator.callsOf('sendMessage').slice(callsBefore);
    expect(calls).toHaveLength(2);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1000);
    expect(emulator.botMessages(TOKEN, 2301).filter((m) => m.text.includes('Bản tin trichdan'))).toHaveLength(1);

    const blocked = emulator.user(TOKEN, { userId: 2302 });
    await command(blocked, '/subscribe');
    await stop();
    clock.set(SLOT_24 + 4 * DAY);
    await start();
    await stack!.digest.store.unsubscribe(2301); // only the blocked chat is due now
    emulator.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await tick()).toMatchObject({ due: 1, gone: 1, sent: 0 });
    expect(await stack!.digest.store.getSubscriber(2302)).toMatchObject({ active: false, deactivatedReason: 'blocked' });
    clock.set(SLOT_24 + 5 * DAY);
    expect((await tick()).due).toBe(0);
  });
});
