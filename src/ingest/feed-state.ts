/**
 * What the feed poller remembers between polls and restarts, in the TRICHDAN_DB file (tables
 * `feeds` and `feed_items`, migration 2): each feed's validators (ETag, Last-Modified), last
 * outcome and back-off, and every item it has handled, so no item is ingested twice.
 */
import { inListBatches, type SqlClient, type SqlExecutor } from '../db/sql.ts';
import { storeDatabase } from '../db/sqlite-client.ts';
import type { FeedStatus } from './types.ts';

/**
 * What became of one feed item. `failed`: ingest threw, retried at the next poll;
 * `gave_up`: failed {@link MAX_ITEM_ATTEMPTS} times; `skipped`: past the per-poll cap, never fetched.
 */
export type FeedItemStatus = 'added' | 'duplicate' | 'failed' | 'gave_up' | 'skipped';

/** Ingest attempts of one item before it is given up. */
export const MAX_ITEM_ATTEMPTS = 3;

/** One feed's stored state. */
export interface FeedState {
  url: string;
  etag: string | null;
  lastModified: string | null;
  lastStatus: FeedStatus['lastStatus'];
  lastError: string | null;
  lastPolledAt: Date | null;
  nextPollAt: Date | null;
  /** Consecutive failed polls (0 after a success). */
  failures: number;
  itemsAdded: number;
}

/** The outcome of one poll, as {@link FeedStateStore.updateFeed} records it. */
export interface FeedPollRecord {
  status: 'ok' | 'not_modified' | 'error';
  polledAt: Date;
  nextPollAt: Date;
  failures: number;
  error?: string | null;
  /** The response's validators; `undefined` keeps the stored ones (a failed poll has none), `null` clears them. */
  etag?: string | null;
  lastModified?: string | null;
}

/** Options of {@link FeedStateStore}. */
export interface FeedStateStoreOptions {
  /** Timestamps of items (first seen, updated) come from this (default: the system time). */
  clock?: () => Date;
}

interface FeedRow {
  url: string;
  etag: string | null;
  last_modified: string | null;
  last_status: 'ok' | 'not_modified' | 'error' | null;
  last_error: string | null;
  last_polled_at: string | null;
  next_poll_at: string | null;
  failures: number;
  items_added: number;
}

const toFeedState = (r: FeedRow): FeedState => ({
  url: r.url,
  etag: r.etag,
  lastModified: r.last_modified,
  lastStatus: r.last_status ?? 'never',
  lastError: r.last_error,
  lastPolledAt: r.last_polled_at ? new Date(r.last_polled_at) : null,
  nextPollAt: r.next_poll_at ? new Date(r.next_poll_at) : null,
  failures: r.failures,
  itemsAdded: r.items_added,
});

/**
 * Feed state in the bot's database (SQLite file or PostgreSQL). The last known state of each
 * feed is also kept in memory, so /stats and /feeds read it without a query.
 */
export class FeedStateStore {
  readonly sql: SqlClient;
  private readonly clock: () => Date;
  private readonly ownsClient: boolean;
  private readonly known = new Map<string, FeedState>();

  /** `database`: an open client (shared with the other stores), or an SQLite file this store opens. */
  constructor(database: SqlClient | string, options: FeedStateStoreOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    ({ sql: this.sql, owned: this.ownsClient } = storeDatabase(database));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.sql.close();
  }

  /** The feed's state, or undefined before its first poll. */
  async getFeed(url: string, db: SqlExecutor = this.sql): Promise<FeedState | undefined> {
    const row = await db.get<FeedRow>('SELECT * FROM feeds WHERE url = ?', [url]);
    const state = row && toFeedState(row);
    if (state) this.known.set(url, state);
    return state;
  }

  /** Reads the state of these feeds into memory (for {@link statuses}). */
  async load(urls: readonly string[]): Promise<void> {
    for (const url of urls) await this.getFeed(url);
  }

  /** Records a poll's outcome (creating the feed's row on its first poll). */
  async updateFeed(url: string, record: FeedPollRecord): Promise<void> {
    const row = await this.sql.transaction(async (tx) => {
      const before = await this.getFeed(url, tx);
      return tx.get<FeedRow>(
        `INSERT INTO feeds (url, etag, last_modified, last_status, last_error, last_polled_at, next_poll_at, failures)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
           last_status = excluded.last_status, last_error = excluded.last_error, last_polled_at = excluded.last_polled_at,
           next_poll_at = excluded.next_poll_at, failures = excluded.failures
         RETURNING *`,
        [
          url,
          record.etag === undefined ? (before?.etag ?? null) : record.etag,
          record.lastModified === undefined ? (before?.lastModified ?? null) : record.lastModified,
          record.status,
          record.error ? record.error.slice(0, 500) : null,
          record.polledAt.toISOString(),
          record.nextPollAt.toISOString(),
          record.failures,
        ],
      );
    });
    // The row as written becomes the state /stats and /feeds show.
    if (row) this.known.set(url, toFeedState(row));
  }

  /** Whether the item needs no more work: handled, skipped or given up (a `failed` item with attempts left is not seen). */
  async seen(feedUrl: string, itemId: string): Promise<boolean> {
    return (await this.seenAmong(feedUrl, [itemId])).has(itemId);
  }

  /** Which of a feed's items are {@link seen}: a poll's whole list in a few statements, not one per item. */
  async seenAmong(feedUrl: string, itemIds: readonly string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    for (const { batch, placeholders } of inListBatches(itemIds)) {
      const rows = await this.sql.all<{ item_id: string }>(
        `SELECT item_id FROM feed_items WHERE feed_url = ? AND status <> 'failed' AND item_id IN (${placeholders})`,
        [feedUrl, ...batch],
      );
      for (const r of rows) seen.add(r.item_id);
    }
    return seen;
  }

  /** The item's status and ingest attempts, or undefined when the feed never listed it. */
  itemStatus(feedUrl: string, itemId: string, db: SqlExecutor = this.sql): Promise<{ status: FeedItemStatus; attempts: number } | undefined> {
    return db.get<{ status: FeedItemStatus; attempts: number }>('SELECT status, attempts FROM feed_items WHERE feed_url = ? AND item_id = ?', [
      feedUrl,
      itemId,
    ]);
  }

  /**
   * Records one ingest attempt of an item. A `failed` attempt that was the item's
   * {@link MAX_ITEM_ATTEMPTS}th becomes `gave_up`. The first `added` counts towards the feed's
   * itemsAdded. Returns the status stored.
   */
  async markItem(feedUrl: string, itemId: string, url: string, status: 'added' | 'duplicate' | 'failed', error?: string): Promise<FeedItemStatus> {
    const stored = await this.sql.transaction(async (tx): Promise<FeedItemStatus> => {
      if (tx.dialect === 'postgres') {
        // Replicas handling the same item take turns (a row lock on the feed), so attempts and itemsAdded count once each.
        await tx.run('INSERT INTO feeds (url) VALUES (?) ON CONFLICT (url) DO NOTHING', [feedUrl]);
        await tx.get('SELECT url FROM feeds WHERE url = ? FOR UPDATE', [feedUrl]);
      }
      const now = this.clock().toISOString();
      const before = await this.itemStatus(feedUrl, itemId, tx);
      const attempts = (before?.attempts ?? 0) + 1;
      const result: FeedItemStatus = status === 'failed' && attempts >= MAX_ITEM_ATTEMPTS ? 'gave_up' : status;
      await tx.run(
        `INSERT INTO feed_items (feed_url, item_id, url, status, attempts, last_error, first_seen_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (feed_url, item_id) DO UPDATE SET url = excluded.url, status = excluded.status,
           attempts = excluded.attempts, last_error = excluded.last_error, updated_at = excluded.updated_at`,
        [feedUrl, itemId, url, result, attempts, error ? error.slice(0, 500) : null, now, now],
      );
      if (result === 'added' && before?.status !== 'added') {
        await tx.run('INSERT INTO feeds (url) VALUES (?) ON CONFLICT (url) DO NOTHING', [feedUrl]);
        await tx.run('UPDATE feeds SET items_added = items_added + 1 WHERE url = ?', [feedUrl]);
      }
      return result;
    });
    if (stored === 'added') await this.getFeed(feedUrl);
    return stored;
  }

  /** Records items that will never be fetched (past the per-poll cap), in one transaction; items already known are left as they are. */
  async markSkipped(feedUrl: string, items: readonly { id: string; url: string }[]): Promise<void> {
    if (items.length === 0) return;
    const now = this.clock().toISOString();
    await this.sql.transaction(async (tx) => {
      // Many rows per statement: a feed with thousands of old items is one round trip per 200.
      for (let i = 0; i < items.length; i += 200) {
        const batch = items.slice(i, i + 200);
        await tx.run(
          `INSERT INTO feed_items (feed_url, item_id, url, status, attempts, first_seen_at, updated_at)
           VALUES ${batch.map(() => "(?, ?, ?, 'skipped', 0, ?, ?)").join(', ')} ON CONFLICT (feed_url, item_id) DO NOTHING`,
          batch.flatMap((item) => [feedUrl, item.id, item.url, now, now]),
        );
      }
    });
  }

  /** The last known state of each feed (read or written by this process), in the order given (`never` for one not polled yet). */
  statuses(urls: readonly string[]): FeedStatus[] {
    return urls.map((url) => {
      const state = this.known.get(url);
      return {
        url,
        lastStatus: state?.lastStatus ?? 'never',
        lastPolledAt: state?.lastPolledAt?.toISOString() ?? null,
        lastError: state?.lastError ?? null,
        itemsAdded: state?.itemsAdded ?? 0,
        nextPollAt: state?.nextPollAt?.toISOString() ?? null,
      };
    });
  }
}
