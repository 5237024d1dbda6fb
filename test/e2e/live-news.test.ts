/**
 * Live news end to end: the bot as `npm start` runs it (`runBot`: the live library, the feed
 * poller over TRICHDAN_FEEDS, the corpus-folder watch, the admin commands and the daily digest)
 * on a private copy of the seed corpus, against the Bot API emulator and a web server on
 * 127.0.0.1 that serves an RSS feed and Vietnamese article pages. Users send messages; the
 * assertions read what the bot sent them. The only thing not real is the digest's clock (a
 * FakeClock decides when it is 07:30 in Hanoi; the scheduler is ticked by hand).
 *
 * The pages (test/fixtures/web/live/) hold invented facts found nowhere in the seed corpus.
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminStrings } from '../../src/bot/admin-strings.ts';
import { createLogger } from '../../src/bot/log.ts';
import { strings } from '../../src/bot/strings.ts';
import { runBot } from '../../src/cli/bot-command.ts';
import type { Config } from '../../src/config.ts';
import { FakeClock } from '../../src/digest/clock.ts';
import { createDigest, type Digest } from '../../src/digest/extension.ts';
import type { Engine } from '../../src/engine-types.ts';
import { copySeedCorpus, tempDir, testConfig } from '../helpers/engine.ts';
import { startWebServer, type WebServer } from '../helpers/web-server.ts';
import { rssFeed, type RssItem } from '../ingest/helpers/feed-server.ts';
import { startEmulator, waitFor, type BotMessage, type EmulatedUser, type Emulator } from './helpers/emulator.ts';
import { blockquoteTexts, htmlToText, telegramHtmlProblems } from './helpers/telegram-html.ts';

const TOKEN = `424242424:${'LiveNews_e2e-token'.repeat(2)}`;
const ADMIN_ID = 7001;
/** Minutes between feed polls (the smallest TRICHDAN_FEED_INTERVAL allowed: 3 s). */
const FEED_INTERVAL_MIN = 0.05;
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'web', 'live');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const vi = strings('vi');
const adminVi = adminStrings('vi');
const adminEn = adminStrings('en');

/** 07:00 in Hanoi on 3 Dec 2025; the digest slots are 07:30 on the 3rd and the 4th. */
const DAY_1_SLOT = Date.parse('2025-12-03T00:30:00Z');
const DAY = 24 * 3600_000;

/** Already in the feed when the bot starts (an existing fixture page). */
const INDONESIA = {
  path: '/fixtures/tuoitre-tau-huan-luyen-indonesia.html',
  title: 'Tàu huấn luyện Hải quân Indonesia cập cảng Nhà Rồng',
};
/** Appears in the feed while the bot runs. */
const BIEN_XANH = {
  path: '/quoc-phong-an-ninh/dien-tap-bien-xanh-2025.html',
  html: fixture('qdnd-dien-tap-bien-xanh-2025.html'),
  title: 'Diễn tập tìm kiếm cứu nạn Biển Xanh 2025 tại vịnh Cam Ranh',
  canonical: 'https://www.qdnd.vn/quoc-phong-an-ninh/tin-tuc/dien-tap-tim-kiem-cuu-nan-bien-xanh-2025-tai-vinh-cam-ranh-851734',
  citation: '03/12/2025, Quân đội nhân dân',
  question: 'Diễn tập Biển Xanh 2025 ở vịnh Cam Ranh có bao nhiêu tàu chiến tham gia?',
  fact: '37 tàu chiến',
};
/** Added by an admin with /add, then changed at the same URL, then removed. */
const HOSPITAL = {
  path: '/thoi-su/benh-vien-da-chien-cap-2-so-7.html',
  html: fixture('vnexpress-benh-vien-da-chien-so-7.html'),
  title: 'Bệnh viện dã chiến cấp 2 số 7 lên đường làm nhiệm vụ tại Nam Sudan',
  canonical: 'https://vnexpress.net/benh-vien-da-chien-cap-2-so-7-len-duong-lam-nhiem-vu-tai-nam-sudan-4991207.html',
  citation: '05/12/2025, VnExpress',
  question: 'Bệnh viện dã chiến cấp 2 số 7 sang Nam Sudan gồm bao nhiêu quân nhân?',
  oldSentence: 'Lực lượng của Bệnh viện dã chiến cấp 2 số 7 gồm 63 quân nhân, trong đó có 19 nữ',
  newSentence: 'Lực lượng của Bệnh viện dã chiến cấp 2 số 7 gồm 71 quân nhân, trong đó có 22 nữ',
};
/** Copied into the corpus folder by hand while the bot runs. */
const DROPPED = {
  file: 'hoc-vien-quan-y-trung-tam-mo-phong.txt',
  title: 'Học viện Quân y khánh thành trung tâm huấn luyện mô phỏng y học',
  canonical: 'https://www.qdnd.vn/xa-hoi/tin-tuc/hoc-vien-quan-y-khanh-thanh-trung-tam-huan-luyen-mo-phong-852010',
  question: 'Trung tâm huấn luyện mô phỏng của Học viện Quân y có bao nhiêu mô hình bệnh nhân?',
  fact: '26 mô hình bệnh nhân',
  text: `Học viện Quân y khánh thành trung tâm huấn luyện mô phỏng y học

10:20 - 08/12/2025

QĐND Online - Sáng 8-12, tại Hà Đông (Hà Nội), Học viện Quân y khánh thành Trung tâm huấn luyện mô phỏng y học, công trình có tổng vốn đầu tư khoảng 118 tỷ đồng.

Trung tâm được trang bị 26 mô hình bệnh nhân thông minh điều khiển bằng máy tính, có thể mô phỏng nhịp tim, nhịp thở, chảy máu và phản ứng với thuốc. Học viên thực hành xử trí vết thương hỏa khí, cấp cứu ngừng tuần hoàn và gây mê trước khi vào bệnh viện thực tập.

Thiếu tướng Đỗ Minh Trung, Giám đốc Học viện, cho biết mỗi năm trung tâm có thể đào tạo khoảng 2.400 lượt học viên và mở thêm các khóa ngắn hạn cho nhân viên y tế tuyến cơ sở.

Nguồn Quân đội nhân dân: https://www.qdnd.vn/xa-hoi/tin-tuc/hoc-vien-quan-y-khanh-thanh-trung-tam-huan-luyen-mo-phong-852010
`,
};

const FEED_PATH = '/rss/quoc-phong.rss';

/** Text content of a page, roughly as a reader sees it (for "the quote is on the page" checks). */
function pageText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The Telegram HTML of a citation as the bot writes it: linked title — date, source. */
const citationHtml = (a: { canonical: string; title: string; citation: string }) => `<a href="${a.canonical}">${a.title}</a> — ${a.citation}`;
/**
 * An answer with quotes that cites the article at `link`. Not the link alone: a "not in the
 * corpus" reply lists the corpus's articles, the new one too when it was asked an instant before
 * the article came and rendered an instant after.
 */
const quotesFrom = (reply: { text: string }, link: string) => reply.text.includes(link) && blockquoteTexts(reply.text).length > 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live news (e2e: runBot with feeds, folder watch and admin commands; emulator; 127.0.0.1 web server)', () => {
  let emulator: Emulator;
  let web: WebServer;
  let corpusDir: string;
  let work: string;
  let config: Config;
  let engine: Engine;
  let digest: Digest;
  const clock = new FakeClock(DAY_1_SLOT - 30 * 60_000);
  const abort = new AbortController();
  let bot: Promise<void>;
  const logLines: string[] = [];
  let nextUserId = 7100;

  const feedItems: RssItem[] = [];
  const publishFeed = () =>
    web.set(FEED_PATH, {
      headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
      body: rssFeed(feedItems, 'Quốc phòng - An ninh'),
    });

  beforeAll(async () => {
    emulator = await startEmulator({ acceptAll: true });
    web = await startWebServer();
    corpusDir = await copySeedCorpus();
    work = await tempDir('trichdan-live-e2e-');
    feedItems.push({
      guid: 'tuoitre-20251114014012345',
      link: web.url(`${INDONESIA.path}?utm_source=rss`),
      title: INDONESIA.title,
      pubDate: 'Fri, 14 Nov 2025 01:40:00 +0700',
    });
    publishFeed();
    web.set(BIEN_XANH.path, { body: BIEN_XANH.html }); // the page is up before the feed lists it
    web.set(HOSPITAL.path, { body: HOSPITAL.html });
    config = testConfig({
      TRICHDAN_CORPUS_DIR: corpusDir,
      TRICHDAN_INDEX_DIR: path.join(work, 'index'),
      TRICHDAN_MODELS_DIR: path.join(work, 'no-models'),
      TRICHDAN_DB: path.join(work, 'trichdan.sqlite'),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TRICHDAN_ADMIN_IDS: String(ADMIN_ID),
      TRICHDAN_FEEDS: web.url(FEED_PATH),
      TRICHDAN_FEED_INTERVAL: String(FEED_INTERVAL_MIN),
      TRICHDAN_ALLOW_PRIVATE_URLS: 'true',
      TRICHDAN_WATCH_SECONDS: '1',
      TRICHDAN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    const started = new Promise<void>((resolve) => {
      bot = runBot(config, {
        signal: abort.signal,
        log: createLogger('info', (line) => {
          logLines.push(line);
          if (line.includes('is answering')) resolve();
        }),
        engineLog: (line) => logLines.push(line),
        // The digest as digestExtensions makes it, with a clock the test moves and ticks it drives.
        extensions: (liveEngine, cfg) => {
          engine = liveEngine;
          digest = createDigest({ config: cfg, engine: liveEngine, clock, autoTick: false, log: (line) => logLines.push(line) });
          return [digest.extension];
        },
      });
      bot.catch(() => resolve());
    });
    await started;
    // The first poll brings in the item the feed already had.
    await waitFor(() => engine.articles().some((a) => a.title === INDONESIA.title), 15_000, 'the first feed item to be indexed');
    expect(logLines).toContain(`bot: polling 1 feed(s) every ${FEED_INTERVAL_MIN} min`);
  }, 30_000);

  afterAll(async () => {
    abort.abort();
    await bot?.catch((error: unknown) => console.error(error));
    await emulator?.stop();
    await web?.close();
    if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
    if (process.env.LIVE_E2E_LOG) console.log(logLines.join('\n'));
  });

  function newUser(options: { languageCode?: string } = {}): EmulatedUser {
    return emulator.user(TOKEN, { userId: nextUserId++, ...options });
  }
  const admin = (languageCode = 'vi') => emulator.user(TOKEN, { userId: ADMIN_ID, languageCode });

  /**
   * Sends `text` and returns the bot's first reply to it once final (a "Fetching…" message is
   * waited out until it is edited into the outcome). Every reply must be valid Telegram HTML.
   */
  async function send(user: EmulatedUser, text: string, timeoutMs = 15_000): Promise<BotMessage> {
    const before = emulator.botMessages(TOKEN, user.chatId).length;
    await user.sendText(text);
    const reply = await waitFor(
      () => {
        const m = emulator.botMessages(TOKEN, user.chatId)[before];
        return m && m.text !== adminVi.fetching && m.text !== adminEn.fetching ? m : undefined;
      },
      timeoutMs,
      `a reply to ${JSON.stringify(text)}`,
    );
    expect(telegramHtmlProblems(reply.text)).toEqual([]);
    return reply;
  }

  /** Asks until `ok(reply)` or the deadline; returns the first good reply and when it came. */
  async function askUntil(user: EmulatedUser, question: string, ok: (reply: BotMessage) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let asked = 0;
    for (;;) {
      const reply = await send(user, question);
      asked++;
      if (ok(reply)) return { reply, at: Date.now(), asked };
      if (Date.now() > deadline) throw new Error(`no good answer to ${question} within ${timeoutMs} ms; last reply: ${htmlToText(reply.text)}`);
      await sleep(100);
    }
  }

  /** Every message the bot has sent to anyone (answers, digests, admin replies). */
  const allBotText = () => emulator.botMessages(TOKEN).map((m) => m.text).join('\n');

  /** Subscribed to the daily digest before the new article appeared. */
  let reader: EmulatedUser;

  it('answers from an article that appeared in the feed while the bot runs, with title, date and canonical link', async () => {
    // A reader subscribed earlier and got the first digest (before the new article existed).
    reader = newUser({ languageCode: 'vi' });
    expect(htmlToText((await send(reader, '/subscribe 07:30')).text)).toContain('Đã đăng ký nhận bản tin hằng ngày lúc 07:30');
    clock.set(DAY_1_SLOT);
    expect(await digest.scheduler!.tick()).toMatchObject({ sent: 1 });

    const user = newUser();
    const before = await send(user, BIEN_XANH.question);
    expect(before.text).not.toContain(BIEN_XANH.fact);

    // The site publishes: the feed now lists the new article first.
    feedItems.unshift({
      guid: 'qdnd-851734',
      link: web.url(`${BIEN_XANH.path}?utm_source=rss&utm_medium=feed`),
      title: BIEN_XANH.title,
      pubDate: 'Wed, 03 Dec 2025 10:15:00 +0700',
    });
    const publishedAt = Date.now();
    publishFeed();
    const { reply, at, asked } = await askUntil(user, BIEN_XANH.question, (r) => quotesFrom(r, BIEN_XANH.canonical), 20_000);
    const elapsed = at - publishedAt;
    console.log(
      `live news: feed item to first correct answer in ${(elapsed / 1000).toFixed(2)} s ` +
        `(TRICHDAN_FEED_INTERVAL=${FEED_INTERVAL_MIN} min = ${FEED_INTERVAL_MIN * 60} s; ${asked} questions asked meanwhile)`,
    );

    const [quote] = blockquoteTexts(reply.text);
    expect(quote).toContain(BIEN_XANH.fact);
    for (const paragraph of quote.split(/\n+/)) expect(pageText(BIEN_XANH.html)).toContain(paragraph); // verbatim from the page
    expect(reply.text).toContain(citationHtml(BIEN_XANH)); // title, dd/MM/yyyy, source, canonical link without utm_*
    expect(reply.text).not.toContain('127.0.0.1');
    expect(logLines.some((l) => l.includes('bot: feeds: added'))).toBe(true);
  });

  it('lists the new article in the next daily digest, with its title and link', async () => {
    const digests = () => emulator.botMessages(TOKEN, reader.chatId).filter((m) => m.text.includes('Bản tin trichdan ngày'));
    expect(digests()).toHaveLength(1);
    clock.set(DAY_1_SLOT + DAY);
    expect(await digest.scheduler!.tick()).toMatchObject({ sent: 1 });
    const day2 = digests()[1].text;
    expect(telegramHtmlProblems(day2)).toEqual([]);
    expect(day2).toContain('Bản tin trichdan ngày 04/12/2025');
    expect(day2).toContain('1 bài mới kể từ bản tin trước');
    expect(day2).toContain(citationHtml(BIEN_XANH));
    const [lead] = blockquoteTexts(day2);
    for (const paragraph of lead.replace(/…$/, '').split(/\n+/)) expect(pageText(BIEN_XANH.html)).toContain(paragraph);
    expect(day2).not.toContain(INDONESIA.title); // already in yesterday's digest
  });

  let hospitalId = '';

  it('/add from an admin adds a page that is answered at once; anyone else is refused politely', async () => {
    const stranger = newUser();
    const refused = await send(stranger, `/add ${web.url(HOSPITAL.path)}`);
    expect(htmlToText(refused.text)).toBe(adminVi.notAdmin);
    expect(web.requests.some((r) => r.path.startsWith(HOSPITAL.path))).toBe(false); // not even fetched
    const refusedEn = await send(newUser({ languageCode: 'en' }), `/add ${web.url(HOSPITAL.path)}`);
    expect(htmlToText(refusedEn.text)).toBe(adminEn.notAdmin);

    const added = await send(admin(), `/add ${web.url(HOSPITAL.path)}`);
    expect(added.text.startsWith(adminVi.added(1).split('(')[0])).toBe(true);
    expect(added.text).toMatch(/Đã thêm bài báo \(\d+ đoạn văn\)/);
    expect(added.text).toContain(citationHtml(HOSPITAL));
    hospitalId = /id: ([\w.-]+)/.exec(htmlToText(added.text))![1];
    expect(engine.article(hospitalId)?.title).toBe(HOSPITAL.title);

    const reply = await send(newUser(), HOSPITAL.question);
    const [quote] = blockquoteTexts(reply.text);
    expect(quote).toContain(HOSPITAL.oldSentence);
    expect(reply.text).toContain(citationHtml(HOSPITAL));
  });

  it('an article changed at the same URL is updated by /add; the old number is never quoted again', async () => {
    expect(htmlToText((await send(admin(), `/add ${web.url(HOSPITAL.path)}`)).text)).toContain(adminVi.duplicate);

    const changed = HOSPITAL.html.replace('gồm 63 quân nhân, trong đó có 19 nữ', 'gồm 71 quân nhân, trong đó có 22 nữ');
    expect(changed).not.toBe(HOSPITAL.html);
    web.set(HOSPITAL.path, { body: changed });
    const updated = await send(admin('en'), `/add ${web.url(HOSPITAL.path)}`);
    expect(updated.text).toMatch(/^🔄 Updated \(\d+ passages\):/);
    expect(htmlToText(updated.text)).toContain(`id: ${hospitalId}`);
    const messagesBefore = emulator.botMessages(TOKEN).length;

    const reply = await send(newUser(), HOSPITAL.question);
    expect(blockquoteTexts(reply.text)[0]).toContain(HOSPITAL.newSentence);
    expect(reply.text).toContain(citationHtml(HOSPITAL));
    // Asked with the old number, in several ways: the old sentence is gone for good.
    for (const q of ['Bệnh viện dã chiến cấp 2 số 7 có 63 quân nhân phải không?', 'benh vien da chien so 7 gom 63 quan nhan, 19 nu', '63 quân nhân 19 nữ']) {
      const r = await send(newUser(), q);
      expect(r.text).not.toContain('63 quân nhân');
    }
    const after = emulator.botMessages(TOKEN).slice(messagesBefore).map((m) => m.text).join('\n');
    expect(after).not.toContain(HOSPITAL.oldSentence);
    expect(engine.article(hospitalId)!.text).not.toContain('63 quân nhân');
  });

  it('/remove takes an article out: it is never cited again, and the feed does not bring a removed item back', async () => {
    const removed = await send(admin(), `/remove ${hospitalId}`);
    expect(removed.text).toContain(adminVi.removed);
    expect(removed.text).toContain(citationHtml(HOSPITAL));
    const messagesBefore = emulator.botMessages(TOKEN).length;
    for (const q of [HOSPITAL.question, 'Thượng tá Đoàn Thị Hạnh làm giám đốc bệnh viện nào?', 'Bệnh viện dã chiến đóng quân ở Bentiu bao lâu?']) {
      const r = await send(newUser(), q);
      expect(r.text).not.toContain(HOSPITAL.canonical);
      expect(r.text).not.toContain('quân nhân, trong đó có');
    }
    expect(emulator.botMessages(TOKEN).slice(messagesBefore).map((m) => m.text).join('\n')).not.toContain(HOSPITAL.title);
    expect(engine.article(hospitalId)).toBeUndefined();

    // The feed's article, removed by its link (as /sources shows it), stays out after the next polls.
    const gone = await send(admin(), `/remove ${BIEN_XANH.canonical}`);
    expect(gone.text).toContain(adminVi.removed);
    const polls = () => web.requests.filter((r) => r.path === FEED_PATH).length;
    const pollsBefore = polls();
    await waitFor(() => polls() >= pollsBefore + 1, 15_000, 'the next feed poll');
    await sleep(500);
    const r = await send(newUser(), BIEN_XANH.question);
    expect(r.text).not.toContain(BIEN_XANH.canonical);
    expect(r.text).not.toContain(BIEN_XANH.fact);
    expect(engine.articles().some((a) => a.title === BIEN_XANH.title)).toBe(false);
  });

  it('answers from a file dropped into the corpus folder by hand within seconds, without a restart', async () => {
    const user = newUser();
    expect((await send(user, DROPPED.question)).text).not.toContain(DROPPED.fact);
    const droppedAt = Date.now();
    await writeFile(path.join(corpusDir, DROPPED.file), DROPPED.text);
    const { reply, at } = await askUntil(user, DROPPED.question, (r) => quotesFrom(r, DROPPED.canonical), 10_000);
    const elapsed = at - droppedAt;
    console.log(`live news: file dropped into the corpus folder to first correct answer in ${(elapsed / 1000).toFixed(2)} s`);
    expect(elapsed).toBeLessThan(5000);
    const [quote] = blockquoteTexts(reply.text);
    expect(quote).toContain(DROPPED.fact);
    for (const paragraph of quote.split(/\n+/)) expect(DROPPED.text).toContain(paragraph);
    expect(reply.text).toContain(citationHtml({ ...DROPPED, citation: '08/12/2025, Quân đội nhân dân' }));
  });

  it('/stats shows the article count, the last ingest and the feed with status ok', async () => {
    const count = engine.articles().length;
    expect(count).toBe(7); // 5 seed + Indonesia (feed) + Biển Xanh (feed) + hospital (/add) − both removed + dropped file
    const stats = htmlToText((await send(newUser(), '/stats')).text);
    expect(stats).toContain(`Bài báo: ${count}`);
    const lastIngest = /Cập nhật lần cuối: (\d\d\/\d\d\/\d{4} \d\d:\d\d)/.exec(stats)?.[1];
    expect(lastIngest, stats).toBeDefined();
    const shown = DateTime.fromFormat(lastIngest!, 'dd/MM/yyyy HH:mm', { zone: 'Asia/Ho_Chi_Minh' });
    expect(Math.abs(shown.toMillis() - Date.now())).toBeLessThan(2 * 60_000); // the dropped file, moments ago
    expect(stats).toContain('Nguồn tin (1):');
    expect(stats).toContain(`• ${web.url(FEED_PATH)}\n  tốt, tải lần cuối `);
    expect(stats).toContain('đã thêm 2 bài');

    const statsEn = htmlToText((await send(newUser({ languageCode: 'en' }), '/stats')).text);
    expect(statsEn).toContain(`Articles: ${count}`);
    expect(statsEn).toMatch(new RegExp(`• ${web.url(FEED_PATH).replace(/[.]/g, '\\.')}\\n  ok, last polled \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d, 2 articles added`));

    const feeds = htmlToText((await send(admin(), '/feeds')).text);
    expect(feeds).toContain('tốt');
    expect(feeds).toContain('lần tới');
    // Nothing along the way ended in the generic apology.
    expect(allBotText()).not.toContain(vi.internalError);
    expect(allBotText()).not.toContain(strings('en').internalError);
  });
});
