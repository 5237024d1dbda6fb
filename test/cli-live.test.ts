/**
 * The live-corpus commands of the CLI as a user runs them (`node bin/trichdan.js`, a subprocess):
 * add a web page and ask about it, list, remove by id and by URL, the messages for mistakes
 * (exit 1, one line, no stack trace), and `feeds` with and without TRICHDAN_FEEDS, `feeds --once`
 * against a feed on 127.0.0.1. Real fetches, real index, temp folders.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySeedCorpus, tempDir, testEnv } from './helpers/engine.ts';
import { startWebServer, type WebServer } from './helpers/web-server.ts';
import { rssFeed, startFeedServer, type FeedServer } from './ingest/helpers/feed-server.ts';
import { type CliResult, runCli } from './library/helpers/cli-process.ts';
import { articlePage, generatedArticle } from './library/helpers/articles.ts';

const VNEXPRESS = {
  path: '/fixtures/vnexpress-dien-tap-cuu-ho.html',
  title: 'Việt Nam, Philippines lần đầu diễn tập cứu hộ chung trên biển',
  canonical: 'https://vnexpress.net/viet-nam-philippines-lan-dau-dien-tap-cuu-ho-chung-tren-bien-4981234.html',
  question: 'Hai tàu cảnh sát biển của Việt Nam và Philippines cứu bao nhiêu thuyền viên gặp nạn?',
};
const TIENPHONG = {
  path: '/fixtures/tienphong-ra-pha-bom-min.html',
  title: 'Rà phá 1.200 ha đất nhiễm bom mìn ở Quảng Trị trước mùa mưa',
  canonical: 'https://tienphong.vn/ra-pha-1200-ha-dat-nhiem-bom-min-o-quang-tri-truoc-mua-mua-post1790123.tpo',
  question: 'Tốc độ rà phá bom mìn trên mỗi ha giảm từ 18 ngày xuống còn bao nhiêu ngày?',
};

/** A failure as the user sees it: exit 1, one line on stderr starting "trichdan: ", no stack trace. */
function expectOneLineFailure(result: CliResult, message: RegExp) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^trichdan: /u);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at |Error:|run with TRICHDAN_LOG_LEVEL/u);
}

let server: WebServer;
let env: Record<string, string>;
let corpusDir: string;
const trichdan = (...args: string[]) => runCli(['-q', ...args], env);

beforeAll(async () => {
  server = await startWebServer();
  corpusDir = await copySeedCorpus();
  const data = await tempDir('trichdan-cli-live-');
  await mkdir(path.join(data, 'models'));
  env = testEnv({
    TRICHDAN_CORPUS_DIR: corpusDir,
    TRICHDAN_INDEX_DIR: path.join(data, 'index'),
    TRICHDAN_MODELS_DIR: path.join(data, 'models'),
    TRICHDAN_DB: path.join(data, 'trichdan.sqlite'),
    TRICHDAN_ALLOW_PRIVATE_URLS: 'true',
    TRICHDAN_FETCH_TIMEOUT_MS: '2000',
  });
});
afterAll(() => server.close());

describe('trichdan add / ask / list / remove', () => {
  let vneId: string;
  let tpId: string;

  it('add <url> prints "added <id>  <title>" and writes the article file', async () => {
    // No index yet: the first command builds it (without -q it says so on stderr).
    const result = await runCli(['add', server.url(`${VNEXPRESS.path}?utm_source=facebook`)], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/index built \(5 articles/u);
    const m = /^added (2025-11-12_vnexpress-net_[0-9a-f]{8}) {2}(.+) \(2025-11-12\), (\d+) passages?\n$/u.exec(result.stdout);
    expect(m, result.stdout).not.toBeNull();
    vneId = m![1];
    expect(m![2]).toBe(VNEXPRESS.title);
    expect(await readdir(corpusDir)).toContain(`${vneId}.md`);
  });

  it('add with two URLs prints one line each; the same article again says it is already there', async () => {
    const result = await trichdan('add', server.url(TIENPHONG.path), server.url(VNEXPRESS.path));
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const m = /^added (2025-11-15_tienphong-vn_[0-9a-f]{8}) {2}Rà phá 1\.200 ha đất nhiễm bom mìn ở Quảng Trị trước mùa mưa \(2025-11-15\), \d+ passages?$/u.exec(lines[0]);
    expect(m, lines[0]).not.toBeNull();
    tpId = m![1];
    expect(lines[1].startsWith(`already in the corpus as ${vneId}  ${VNEXPRESS.title} (2025-11-12), `), lines[1]).toBe(true);
  });

  it('ask cites the added article with its title, date, source and link', async () => {
    const text = await trichdan('ask', VNEXPRESS.question);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\[1\] “[^”]*23 thuyền viên[^”]*”\n {4}— Việt Nam, Philippines lần đầu diễn tập cứu hộ chung trên biển — 12\/11\/2025, VnExpress — https:\/\/vnexpress\.net\/viet-nam-philippines-lan-dau-dien-tap-cuu-ho-chung-tren-bien-4981234\.html$/mu);
    const json = await trichdan('ask', '--json', TIENPHONG.question);
    expect(json.code, json.stderr).toBe(0);
    const answer = JSON.parse(json.stdout);
    expect(answer.answered).toBe(true);
    expect(answer.results[0].article).toEqual({ id: tpId, title: TIENPHONG.title, date: '2025-11-15', source: 'Tiền Phong', url: TIENPHONG.canonical });
    expect(answer.results[0].quote).toContain('11 ngày');
  });

  it('list prints every article for people; list --json gives id, title, date, source, url, addedAt, passages', async () => {
    const text = await trichdan('list');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${vneId}  2025-11-12  VnExpress  added `);
    expect(text.stdout).toContain(`  ${VNEXPRESS.title}\n  ${VNEXPRESS.canonical}\n`);
    expect(text.stdout).toMatch(/^002_8639caca932e6f8c {2}2025-11-02 {2}Tiền Phong {2}added \d{4}-\d\d-\d\d \d\d:\d\d UTC {2}\d+ passages$/mu);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('7 articles');

    const json = await trichdan('list', '--json');
    expect(json.code, json.stderr).toBe(0);
    const articles = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(articles).toHaveLength(7);
    for (const a of articles) expect(Object.keys(a).sort()).toEqual(['addedAt', 'date', 'id', 'passages', 'source', 'title', 'url']);
    expect(articles.find((a) => a.id === vneId)).toMatchObject({ title: VNEXPRESS.title, date: '2025-11-12', source: 'VnExpress', url: VNEXPRESS.canonical, passages: expect.any(Number) });
    // Oldest addition first: the seed articles, then the two web pages in the order they were added.
    expect(articles.slice(-2).map((a) => a.id)).toEqual([vneId, tpId]);
    const added = articles.map((a) => a.addedAt as string);
    expect([...added].sort()).toEqual(added);
  });

  it('remove <id> and remove <url> delete the file; the article is no longer cited', async () => {
    const byId = await trichdan('remove', vneId);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toBe(`removed ${vneId}  ${VNEXPRESS.title}\n`);
    const byUrl = await trichdan('remove', `${TIENPHONG.canonical}?utm_source=zalo`);
    expect(byUrl.code, byUrl.stderr).toBe(0);
    expect(byUrl.stdout).toBe(`removed ${tpId}  ${TIENPHONG.title}\n`);
    const files = await readdir(corpusDir);
    expect(files.filter((n) => n.startsWith(vneId) || n.startsWith(tpId))).toEqual([]);
    // Both questions in one run: ask --json reads one question per line from stdin.
    const asked = await runCli(['-q', 'ask', '--json', '-k', '10'], env, 60_000, `${VNEXPRESS.question}\n${TIENPHONG.question}\n`);
    const answers = asked.stdout.trim().split('\n').map((l) => JSON.parse(l) as { results: { article: { id: string } }[] });
    expect(answers).toHaveLength(2);
    for (const answer of answers) {
      const ids = answer.results.map((r) => r.article.id);
      expect(ids).not.toContain(vneId);
      expect(ids).not.toContain(tpId);
    }
    const list = JSON.parse((await trichdan('list', '--json')).stdout) as unknown[];
    expect(list).toHaveLength(5);
  });

  it('remove of something that is not there: exit 1 and a one-line message', async () => {
    expectOneLineFailure(await trichdan('remove', 'nothing'), /^trichdan: no article with id or URL "nothing": see trichdan list$/u);
    expectOneLineFailure(await trichdan('remove', vneId), new RegExp(`no article with id or URL "${vneId}"`, 'u'));
  });

  it('add of a page that fails: exit 1 and the reason on one line, no stack trace; nothing added', async () => {
    const before = await readdir(corpusDir);
    const missing = server.url('/status/404');
    expectOneLineFailure(await trichdan('add', missing), new RegExp(`^trichdan: ${missing.replace(/[.]/gu, '\\.')}: the server answered 404 Not Found$`, 'u'));
    expectOneLineFailure(await trichdan('add', 'file:///etc/passwd'), /^trichdan: file:\/\/\/etc\/passwd: only http:\/\/ and https:\/\/ addresses can be fetched, not file:$/u);
    expectOneLineFailure(await trichdan('add', '/nonexistent/bai.md'), /^trichdan: add: \/nonexistent\/bai\.md: no such file or folder$/u);
    expect(await readdir(corpusDir)).toEqual(before);
  });

  it('add of a good and a bad URL adds the good one, reports the bad one and exits 1', async () => {
    const result = await trichdan('add', server.url('/pdf'), server.url(VNEXPRESS.path));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^added ${vneId.replace(/_[0-9a-f]{8}$/u, '_[0-9a-f]{8}')} {2}`, 'u'));
    expect(result.stderr.trim()).toBe(`trichdan: ${server.url('/pdf')}: the address gives application/pdf, not a web page (HTML)`);
  });
});

describe('trichdan feeds', () => {
  let feeds: FeedServer;
  beforeAll(async () => {
    feeds = await startFeedServer();
  });
  afterAll(() => feeds.close());

  it('without TRICHDAN_FEEDS says how to set them', async () => {
    expectOneLineFailure(await trichdan('feeds'), /^trichdan: no feeds configured: set TRICHDAN_FEEDS to RSS or Atom URLs, separated by commas$/u);
    expectOneLineFailure(await trichdan('feeds', '--once'), /no feeds configured/u);
  });

  it('feeds --once polls a local feed, prints the report and adds its items; then shows the state', async () => {
    const numbers = [300, 301, 302];
    for (const n of numbers) server.set(`/rss-bai/${n}.html`, { body: articlePage(generatedArticle(n)) });
    const items = numbers.map((n, i) => ({ guid: `bai-${n}`, link: server.url(`/rss-bai/${n}.html`), title: generatedArticle(n).title, pubDate: new Date(Date.UTC(2025, 10, 20, 10 - i)).toUTCString() }));
    feeds.route('/tin-moi.rss', { body: rssFeed(items), etag: '"v1"' });
    const feedUrl = feeds.url('/tin-moi.rss');
    const withFeed = { ...env, TRICHDAN_FEEDS: feedUrl };

    const once = await runCli(['-q', 'feeds', '--once'], withFeed);
    expect(once.code, once.stderr).toBe(0);
    const lines = once.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${feedUrl}: ok, 3 new, 3 added, 0 already there, 0 failed`);
    expect(lines[1]).toBe(feedUrl);
    expect(lines[2]).toMatch(/^ {2}last: ok at \d{4}-\d\d-\d\dT[\d:.]+Z; 3 added in all; next poll \d{4}-\d\d-\d\dT[\d:.]+Z$/u);

    const list = JSON.parse((await trichdan('list', '--json')).stdout) as { url: string }[];
    for (const n of numbers) expect(list.map((a) => a.url)).toContain(server.url(`/rss-bai/${n}.html`));
    const answer = JSON.parse((await trichdan('ask', '--json', generatedArticle(301).question)).stdout);
    expect(answer.results[0].article.url).toBe(server.url('/rss-bai/301.html'));
    expect(answer.results[0].quote).toContain('1301 mét');

    // Not due again yet: nothing polled, only the state. Forced: the feed answers 304.
    const again = await runCli(['-q', 'feeds', '--once'], withFeed);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(feedUrl);
    const forced = await runCli(['-q', 'feeds', '--once', '--force'], withFeed);
    expect(forced.stdout.split('\n')[0]).toBe(`${feedUrl}: not_modified, 0 new, 0 added, 0 already there, 0 failed`);
    expect(feeds.requestsFor('/tin-moi.rss')).toHaveLength(2);
    expect(existsSync(env.TRICHDAN_DB)).toBe(true);
  });

  it('feeds --once with a broken feed reports it on its line and still exits 0', async () => {
    feeds.route('/hong.rss', { body: '<?xml version="1.0"?><rss><channel><item><title>Cắt giữa' });
    const feedUrl = feeds.url('/hong.rss');
    const result = await runCli(['-q', 'feeds', '--once'], { ...env, TRICHDAN_FEEDS: feedUrl });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`${feedUrl}: error (${feedUrl} is not well-formed XML (cut off or broken), so it cannot be read as a feed; check it in a browser or remove it from TRICHDAN_FEEDS.), 0 new, 0 added, 0 already there, 0 failed`);
  });
});
