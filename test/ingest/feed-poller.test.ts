import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedItem } from '../../src/ingest/feed-parse.ts';
import { backoffMs, FeedPoller, type FeedPollerOptions, type IngestOutcome, MAX_BACKOFF_MS } from '../../src/ingest/feed-poller.ts';
import { FeedStateStore, MAX_ITEM_ATTEMPTS } from '../../src/ingest/feed-state.ts';
import { IngestError, type FetchPolicy } from '../../src/ingest/types.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';
import { rssFeed, startFeedServer, type FeedServer, type RssItem } from './helpers/feed-server.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');
const policy: FetchPolicy = { timeoutMs: 5000, maxBytes: 20_000_000, maxRedirects: 5, allowPrivate: true, userAgent: 'trichdan-test' };
const INTERVAL = 15 * 60_000;
const START = new Date('2026-12-01T00:00:00Z');

/** Items `from`..`to` (inclusive), newest (highest number) first, one minute apart. */
const items = (from: number, to: number): RssItem[] => {
  const list: RssItem[] = [];
  for (let i = to; i >= from; i--)
    list.push({ guid: `bai-${i}`, link: `https://tin.example.vn/bai-${i}.html`, pubDate: new Date(START.getTime() - (10_000 - i) * 60_000).toUTCString() });
  return list;
};

/** An ingest callback that records what it was given; `fail` decides which URLs throw. */
function recorder(fail: (item: FeedItem) => boolean = () => false) {
  const calls: { item: FeedItem; feedUrl: string }[] = [];
  const ingest = async (item: FeedItem, feedUrl: string): Promise<IngestOutcome> => {
    calls.push({ item, feedUrl });
    if (fail(item)) throw new IngestError('no_article', `No article text found at ${item.url}.`);
    return 'added';
  };
  return { calls, ingest, urls: () => calls.map((c) => c.item.url) };
}

describe.each(testDatabases())('FeedPoller on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  /** The SQLite file, or the PostgreSQL URL. */
  let target: string;
  let server: FeedServer;
  let now: Date;
  let store: FeedStateStore;
  let logs: string[];
  const stores: FeedStateStore[] = [];

  /** A store on the test's database: on SQLite it opens the file itself, on PostgreSQL it is given a connection. */
  const openStore = async () => {
    const s = new FeedStateStore(name === 'sqlite' ? target : await clients.open(name, target), { clock: () => now });
    stores.push(s);
    return s;
  };
  const poller = (options: Partial<FeedPollerOptions> & Pick<FeedPollerOptions, 'feeds' | 'ingest'>) =>
    new FeedPoller({ intervalMs: INTERVAL, policy, store, clock: () => now, log: (line) => logs.push(line), ...options });

  beforeEach(async () => {
    if (skip) return;
    target = await url();
    server = await startFeedServer();
    now = new Date(START);
    logs = [];
    store = await openStore();
  });
  afterEach(async () => {
    if (skip) return;
    for (const s of stores.splice(0)) await s.close();
    await clients.closeAll();
    await server.close();
  });

  it.skipIf(skip)(skip ?? 'sends the ETag and Last-Modified back on the next poll and handles a 304', async () => {
    const lastModified = 'Mon, 01 Dec 2025 02:05:00 GMT';
    server.route('/rss/thoi-su.rss', { body: fixture('vnexpress-thoi-su.rss'), etag: '"v1"', lastModified });
    server.route('/atom', { body: fixture('baochinhphu-thoi-su.atom'), contentType: 'application/atom+xml', lastModified });
    const rec = recorder();
    const feeds = [server.url('/rss/thoi-su.rss'), server.url('/atom')];
    const p = poller({ feeds, ingest: rec.ingest });

    const first = await p.pollOnce();
    expect(first.map((r) => [r.status, r.added])).toEqual([['ok', 5], ['ok', 3]]);
    const [rssFirst] = server.requestsFor('/rss/thoi-su.rss');
    expect(rssFirst.headers['if-none-match']).toBeUndefined();
    expect(rssFirst.headers.accept).toMatch(/application\/rss\+xml.*application\/atom\+xml/);
    expect(rssFirst.headers['user-agent']).toBe('trichdan-test');

    const second = await p.pollOnce({ force: true });
    expect(second.map((r) => r.status)).toEqual(['not_modified', 'not_modified']);
    const rssSecond = server.requestsFor('/rss/thoi-su.rss')[1];
    expect(rssSecond.headers['if-none-match']).toBe('"v1"');
    expect(rssSecond.headers['if-modified-since']).toBe(lastModified);
    expect(server.requestsFor('/atom')[1].headers['if-modified-since']).toBe(lastModified); // Last-Modified alone
    expect(rec.calls).toHaveLength(8); // nothing ingested on a 304
    expect(await store.getFeed(feeds[0])).toMatchObject({ lastStatus: 'not_modified', etag: '"v1"', failures: 0 });
  });

  it.skipIf(skip)(skip ?? 'ingests an item that appears between polls once, also after a restart on the same database', async () => {
    server.route('/feed', { body: rssFeed(items(1, 3)), etag: '"a"' });
    const rec = recorder();
    const feed = server.url('/feed');
    const first = await poller({ feeds: [feed], ingest: rec.ingest }).pollOnce();
    expect(first[0]).toMatchObject({ status: 'ok', newItems: 3, added: 3 });
    expect(rec.urls()).toEqual(['https://tin.example.vn/bai-3.html', 'https://tin.example.vn/bai-2.html', 'https://tin.example.vn/bai-1.html']);

    server.route('/feed', { body: rssFeed(items(1, 4)), etag: '"b"' });
    now = new Date(now.getTime() + INTERVAL);
    const second = await poller({ feeds: [feed], ingest: rec.ingest }).pollOnce();
    expect(second[0]).toMatchObject({ status: 'ok', newItems: 1, added: 1 });

    // Restart: a new store and poller on the same file; the server forgot its ETag and sends everything.
    await store.close();
    await store.sql.close();
    store = await openStore();
    server.route('/feed', { body: rssFeed(items(1, 4)), etag: '"c"' });
    const third = await poller({ feeds: [feed], ingest: rec.ingest }).pollOnce({ force: true });
    expect(third[0]).toMatchObject({ status: 'ok', newItems: 0, added: 0 });

    const counts = new Map<string, number>();
    for (const url of rec.urls()) counts.set(url, (counts.get(url) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(rec.urls()).toHaveLength(4);
    expect(store.statuses([feed])[0].itemsAdded).toBe(4);
  });

  it.skipIf(skip)(skip ?? 'polls only feeds that are due', async () => {
    server.route('/feed', { body: rssFeed(items(1, 1)) });
    const p = poller({ feeds: [server.url('/feed')], ingest: recorder().ingest });
    expect(await p.pollOnce()).toHaveLength(1);
    now = new Date(now.getTime() + INTERVAL - 1000);
    expect(await p.pollOnce()).toEqual([]);
    now = new Date(now.getTime() + 1000);
    expect(await p.pollOnce()).toHaveLength(1);
  });

  it.skipIf(skip)(skip ?? 'backs off exponentially while a feed fails and resets after a success', async () => {
    server.route('/flaky', { status: 500, body: 'Internal Server Error', contentType: 'text/plain' });
    const feed = server.url('/flaky');
    const p = poller({ feeds: [feed], ingest: recorder().ingest });
    const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);

    expect((await p.pollOnce())[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/500/) });
    expect(await store.getFeed(feed)).toMatchObject({ failures: 1, nextPollAt: at(30) }); // 15 min × 2
    now = at(29);
    expect(await p.pollOnce()).toEqual([]); // not due yet
    now = at(30);
    await p.pollOnce();
    expect(await store.getFeed(feed)).toMatchObject({ failures: 2, nextPollAt: at(30 + 60) }); // × 4
    now = at(90);
    await p.pollOnce();
    expect(await store.getFeed(feed)).toMatchObject({ failures: 3, nextPollAt: at(90 + 120) }); // × 8

    server.route('/flaky', { body: rssFeed(items(1, 2)) });
    now = at(210);
    expect((await p.pollOnce())[0]).toMatchObject({ status: 'ok', added: 2 });
    expect(await store.getFeed(feed)).toMatchObject({ failures: 0, lastError: null, lastStatus: 'ok', nextPollAt: at(225) });

    expect(backoffMs(INTERVAL, 1)).toBe(2 * INTERVAL);
    expect(backoffMs(INTERVAL, 7)).toBe(MAX_BACKOFF_MS); // 15 min × 128 > 24 h
    expect(backoffMs(INTERVAL, 5000)).toBe(MAX_BACKOFF_MS);
  });

  it.skipIf(skip)(skip ?? 'keeps polling the other feeds when one answers 500, one is malformed and one is not a feed', async () => {
    server.route('/down', { status: 500, body: 'oops', contentType: 'text/plain' });
    server.route('/broken', { body: fixture('malformed.rss') });
    server.route('/image', { body: 'GIF89a', contentType: 'image/gif' });
    server.route('/page', { body: '<!DOCTYPE html><html><body>Trang chủ</body></html>', contentType: 'text/html' });
    server.route('/good', { body: rssFeed(items(1, 2)) });
    server.route('/mislabelled', { body: rssFeed(items(3, 3)), contentType: 'text/html; charset=utf-8' });
    const rec = recorder();
    const feeds = ['/down', '/broken', '/image', '/page', '/good', '/mislabelled'].map(server.url);
    const reports = await poller({ feeds, ingest: rec.ingest }).pollOnce();

    expect(reports.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error', 'ok', 'ok']);
    expect(reports[1].error).toMatch(/not well-formed XML/);
    expect(reports[2].error).toMatch(/sent image\/gif, not an RSS or Atom feed/);
    expect(reports[3].error).toMatch(/web page, not an RSS or Atom feed/);
    expect(rec.urls()).toEqual(['https://tin.example.vn/bai-2.html', 'https://tin.example.vn/bai-1.html', 'https://tin.example.vn/bai-3.html']);
    expect(logs).toHaveLength(4); // one line per failed feed, no stack
    for (const line of logs) {
      expect(line).not.toContain('\n');
      expect(line).toMatch(/^feed http:\/\/127\.0\.0\.1:\d+\/\w+: .*\(failure 1 in a row; next try in 30 min\)$/);
    }
  });

  it.skipIf(skip)(skip ?? 'takes the newest maxItemsPerPoll items of a 5,000-item feed and never fetches the rest', async () => {
    server.route('/big', { body: rssFeed(items(1, 5000)), etag: '"big"' });
    const rec = recorder();
    const feed = server.url('/big');
    const p = poller({ feeds: [feed], ingest: rec.ingest, maxItemsPerPoll: 30 });
    const started = performance.now();
    const [report] = await p.pollOnce();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report).toMatchObject({ status: 'ok', newItems: 5000, added: 30, skipped: 4970 });
    expect(rec.urls()[0]).toBe('https://tin.example.vn/bai-5000.html');
    expect(rec.urls()[29]).toBe('https://tin.example.vn/bai-4971.html');
    expect(await store.itemStatus(feed, 'bai-1')).toEqual({ status: 'skipped', attempts: 0 });

    server.route('/big', { body: rssFeed(items(1, 5001)), etag: '"big2"' });
    const [next] = await p.pollOnce({ force: true });
    expect(next).toMatchObject({ newItems: 1, added: 1, skipped: 0 });
    expect(rec.calls).toHaveLength(31);
  });

  it.skipIf(skip)(skip ?? `retries an item whose ingest failed at the next polls, ${MAX_ITEM_ATTEMPTS} attempts in all, without stopping the feed`, async () => {
    server.route('/feed', { body: rssFeed(items(1, 3)), etag: '"same"' });
    const rec = recorder((item) => item.url.endsWith('bai-2.html'));
    const feed = server.url('/feed');
    const p = poller({ feeds: [feed], ingest: rec.ingest });

    expect((await p.pollOnce())[0]).toMatchObject({ status: 'ok', added: 2, failed: 1 });
    expect(logs).toEqual([expect.stringMatching(/bai-2\.html: No article text found .* \(retried at the next poll\)$/)]);
    // The ETag is not kept while an item waits for a retry: the next poll gets the whole feed, not a 304.
    expect((await store.getFeed(feed))?.etag).toBeNull();
    expect((await p.pollOnce({ force: true }))[0]).toMatchObject({ status: 'ok', newItems: 1, failed: 1 });
    expect((await p.pollOnce({ force: true }))[0]).toMatchObject({ status: 'ok', newItems: 1, failed: 1 });
    expect(logs[2]).toMatch(/\(given up\)$/);
    expect(await store.itemStatus(feed, 'bai-2')).toMatchObject({ status: 'gave_up', attempts: MAX_ITEM_ATTEMPTS });
    expect((await store.getFeed(feed))?.etag).toBe('"same"');
    expect((await p.pollOnce({ force: true }))[0]).toMatchObject({ status: 'not_modified', newItems: 0 });
    expect(rec.urls().filter((u) => u.endsWith('bai-2.html'))).toHaveLength(MAX_ITEM_ATTEMPTS);
  });

  it.skipIf(skip)(skip ?? 'counts duplicates and updates apart from added articles', async () => {
    server.route('/feed', { body: rssFeed(items(1, 4)) });
    const outcomes: IngestOutcome[] = ['added', 'duplicate', 'unchanged', 'updated'];
    let i = 0;
    const [report] = await poller({ feeds: [server.url('/feed')], ingest: async () => outcomes[i++] }).pollOnce();
    expect(report).toMatchObject({ added: 1, duplicates: 3, failed: 0 });
    expect(store.statuses([server.url('/feed')])[0].itemsAdded).toBe(1);
  });

  it.skipIf(skip)(skip ?? 'statuses() tells /feeds each feed\'s last poll, error, count and next poll', async () => {
    server.route('/good', { body: rssFeed(items(1, 2)) });
    server.route('/down', { status: 503, body: 'busy', contentType: 'text/plain' });
    const feeds = [server.url('/good'), server.url('/down')];
    await poller({ feeds, ingest: recorder().ingest }).pollOnce();
    const never = server.url('/new');
    expect(store.statuses([...feeds, never])).toEqual([
      { url: feeds[0], lastStatus: 'ok', lastPolledAt: START.toISOString(), lastError: null, itemsAdded: 2, nextPollAt: '2026-12-01T00:15:00.000Z' },
      {
        url: feeds[1],
        lastStatus: 'error',
        lastPolledAt: START.toISOString(),
        lastError: expect.stringMatching(/503/),
        itemsAdded: 0,
        nextPollAt: '2026-12-01T00:30:00.000Z',
      },
      { url: never, lastStatus: 'never', lastPolledAt: null, lastError: null, itemsAdded: 0, nextPollAt: null },
    ]);
  });

  it.skipIf(skip)(skip ?? 'start() polls at once; stop() waits for the poll in flight and leaves unreached items for later', async () => {
    server.route('/feed', { body: rssFeed(items(1, 5)), etag: '"e"' });
    const calls: string[] = [];
    let release!: () => void;
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const ingest = async (item: FeedItem): Promise<IngestOutcome> => {
      calls.push(item.url);
      if (calls.length === 1) {
        firstStarted();
        await new Promise<void>((resolve) => (release = resolve));
      }
      return 'added';
    };
    const feed = server.url('/feed');
    const p = poller({ feeds: [feed], ingest });
    p.start();
    await started;
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false); // waits for the item being ingested
    release();
    await stopping;
    expect(calls).toHaveLength(1);
    expect((await store.getFeed(feed))?.etag).toBeNull(); // unfinished: no 304 next time

    const [report] = await p.pollOnce({ force: true });
    expect(report).toMatchObject({ newItems: 4, added: 4 });
    expect(calls).toHaveLength(5);
  });
});
