/**
 * The feed poller's memory (FeedStateStore) on both backends: what it keeps per feed and per
 * item, the in-memory cache `statuses()` reads, and two replicas sharing one database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FeedStateStore, MAX_ITEM_ATTEMPTS } from '../../src/ingest/feed-state.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';

const FEED = 'https://tin.example.vn/rss';
const OTHER = 'https://khac.example.vn/rss';
const T0 = new Date('2026-12-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe.each(testDatabases())('FeedStateStore on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  const stores: FeedStateStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await clients.closeAll();
  });
  /** A store with a connection of its own (a process, or a replica). */
  const open = async (target: string, now: () => Date = () => T0) => {
    const store = new FeedStateStore(await clients.open(name, target), { clock: now });
    stores.push(store);
    return store;
  };

  it.skipIf(skip)(skip ?? 'records polls, keeping the validators a failed poll does not have', async () => {
    const store = await open(await url());
    expect(await store.getFeed(FEED)).toBeUndefined();
    await store.updateFeed(FEED, { status: 'ok', polledAt: T0, nextPollAt: at(15), failures: 0, etag: '"v1"', lastModified: 'Mon, 01 Dec 2025 02:05:00 GMT' });
    await store.updateFeed(FEED, { status: 'error', polledAt: at(15), nextPollAt: at(45), failures: 1, error: 'HTTP 500 '.repeat(100) });
    const state = (await store.getFeed(FEED))!;
    expect(state).toMatchObject({
      url: FEED,
      etag: '"v1"',
      lastModified: 'Mon, 01 Dec 2025 02:05:00 GMT',
      lastStatus: 'error',
      lastPolledAt: at(15),
      nextPollAt: at(45),
      failures: 1,
      itemsAdded: 0,
    });
    expect(state.lastError).toHaveLength(500);
    await store.updateFeed(FEED, { status: 'ok', polledAt: at(45), nextPollAt: at(60), failures: 0, etag: null, lastModified: null });
    expect(await store.getFeed(FEED)).toMatchObject({ etag: null, lastModified: null, lastError: null, failures: 0 });
  });

  it.skipIf(skip)(skip ?? 'remembers each item: retried while attempts last, then given up; skipped items stay skipped', async () => {
    const store = await open(await url());
    expect(await store.seen(FEED, 'a')).toBe(false);
    expect(await store.markItem(FEED, 'a', 'https://tin.example.vn/a', 'added')).toBe('added');
    expect(await store.seen(FEED, 'a')).toBe(true);
    for (let i = 1; i < MAX_ITEM_ATTEMPTS; i++) {
      expect(await store.markItem(FEED, 'b', 'https://tin.example.vn/b', 'failed', 'no article')).toBe('failed');
      expect(await store.seen(FEED, 'b')).toBe(false);
    }
    expect(await store.markItem(FEED, 'b', 'https://tin.example.vn/b', 'failed', 'no article')).toBe('gave_up');
    expect(await store.itemStatus(FEED, 'b')).toEqual({ status: 'gave_up', attempts: MAX_ITEM_ATTEMPTS });
    expect(await store.seen(FEED, 'b')).toBe(true);

    await store.markSkipped(FEED, [
      { id: 'a', url: 'https://tin.example.vn/a' },
      { id: 'c', url: 'https://tin.example.vn/c' },
    ]);
    expect(await store.itemStatus(FEED, 'a')).toEqual({ status: 'added', attempts: 1 }); // known: left as it is
    expect(await store.itemStatus(FEED, 'c')).toEqual({ status: 'skipped', attempts: 0 });
    expect(await store.itemStatus(OTHER, 'a')).toBeUndefined(); // items are per feed
    // The same item added again (a re-poll) is counted once.
    await store.markItem(FEED, 'a', 'https://tin.example.vn/a', 'added');
    expect((await store.getFeed(FEED))!.itemsAdded).toBe(1);
  });

  it.skipIf(skip)(skip ?? "statuses() reads memory only: filled by this process's reads and writes, or by load()", async () => {
    const target = await url();
    const writer = await open(target);
    await writer.updateFeed(FEED, { status: 'ok', polledAt: T0, nextPollAt: at(15), failures: 0 });
    await writer.markItem(FEED, 'a', 'https://tin.example.vn/a', 'added');
    expect(writer.statuses([FEED])).toEqual([
      { url: FEED, lastStatus: 'ok', lastPolledAt: T0.toISOString(), lastError: null, itemsAdded: 1, nextPollAt: at(15).toISOString() },
    ]);

    // Another process (a restart, or a replica) knows nothing until it reads.
    const reader = await open(target);
    const never = { lastStatus: 'never', lastPolledAt: null, lastError: null, itemsAdded: 0, nextPollAt: null };
    expect(reader.statuses([FEED, OTHER])).toEqual([
      { url: FEED, ...never },
      { url: OTHER, ...never },
    ]);
    await reader.load([FEED, OTHER]);
    expect(reader.statuses([FEED, OTHER])).toEqual([...writer.statuses([FEED]), { url: OTHER, ...never }]);
  });

  // PostgreSQL runs READ COMMITTED: replicas adding the same item take turns on the feed's row.
  // (SQLite: one process per file, its stores share one connection whose transactions take turns.)
  const concurrent = skip ? it.skip : it;
  concurrent(skip ?? 'of two replicas adding the same item at once, the feed counts it once', async () => {
    const target = await url();
    const a = await open(target);
    const b = name === 'sqlite' ? new FeedStateStore(a.sql, { clock: () => T0 }) : await open(target);
    await a.updateFeed(FEED, { status: 'ok', polledAt: T0, nextPollAt: at(15), failures: 0 });
    const ids = Array.from({ length: 30 }, (_, i) => `item-${i}`);
    const stored = await Promise.all(ids.flatMap((id) => [a, b].map((s) => s.markItem(FEED, id, `https://tin.example.vn/${id}`, 'added'))));
    expect(stored.every((status) => status === 'added')).toBe(true);
    expect((await a.getFeed(FEED))!.itemsAdded).toBe(ids.length);
  });
});
