/**
 * What the feed poller remembers between polls and restarts, in the TRICHDAN_DB file (tables
 * `feeds` and `feed_items`, migration 2): each feed's validators (ETag, Last-Modified), last
 * outcome and back-off, and every item it has handled, so no item is ingested twice.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../db/database.ts';
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
 * Feed state over its own connection to the SQLite file (the digest store may hold another);
 * the file is opened and migrated by {@link openDatabase}, like the digest store's.
 */
export class FeedStateStore {
  readonly db: Database.Database;
  private readonly clock: () => Date;
  private readonly selectFeed: Database.Statement<[string]>;
  private readonly selectItem: Database.Statement<[string, string]>;

  constructor(file: string, options: FeedStateStoreOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.db = openDatabase(file);
    this.selectFeed = this.db.prepare('SELECT * FROM feeds WHERE url = ?');
    this.selectItem = this.db.prepare('SELECT status, attempts FROM feed_items WHERE feed_url = ? AND item_id = ?');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The feed's state, or undefined before its first poll. */
  getFeed(url: string): FeedState | undefined {
    const row = this.selectFeed.get(url) as FeedRow | undefined;
    return row && toFeedState(row);
  }

  /** Records a poll's outcome (creating the feed's row on its first poll). */
  updateFeed(url: string, record: FeedPollRecord): void {
    this.db.transaction(() => {
      const before = this.getFeed(url);
      this.db
        .prepare(
          `INSERT INTO feeds (url, etag, last_modified, last_status, last_error, last_polled_at, next_poll_at, failures)
           VALUES (@url, @etag, @lastModified, @status, @error, @polledAt, @nextPollAt, @failures)
           ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
             last_status = excluded.last_status, last_error = excluded.last_error, last_polled_at = excluded.last_polled_at,
             next_poll_at = excluded.next_poll_at, failures = excluded.failures`,
        )
        .run({
          url,
          etag: record.etag === undefined ? (before?.etag ?? null) : record.etag,
          lastModified: record.lastModified === undefined ? (before?.lastModified ?? null) : record.lastModified,
          status: record.status,
          error: record.error ? record.error.slice(0, 500) : null,
          polledAt: record.polledAt.toISOString(),
          nextPollAt: record.nextPollAt.toISOString(),
          failures: record.failures,
        });
    })();
  }

  /** Whether the item needs no more work: handled, skipped or given up (a `failed` item with attempts left is not seen). */
  seen(feedUrl: string, itemId: string): boolean {
    const row = this.selectItem.get(feedUrl, itemId) as { status: FeedItemStatus } | undefined;
    return row !== undefined && row.status !== 'failed';
  }

  /** The item's status and ingest attempts, or undefined when the feed never listed it. */
  itemStatus(feedUrl: string, itemId: string): { status: FeedItemStatus; attempts: number } | undefined {
    return this.selectItem.get(feedUrl, itemId) as { status: FeedItemStatus; attempts: number } | undefined;
  }

  /**
   * Records one ingest attempt of an item. A `failed` attempt that was the item's
   * {@link MAX_ITEM_ATTEMPTS}th becomes `gave_up`. The first `added` counts towards the feed's
   * itemsAdded. Returns the status stored.
   */
  markItem(feedUrl: string, itemId: string, url: string, status: 'added' | 'duplicate' | 'failed', error?: string): FeedItemStatus {
    return this.db.transaction((): FeedItemStatus => {
      const now = this.clock().toISOString();
      const before = this.itemStatus(feedUrl, itemId);
      const attempts = (before?.attempts ?? 0) + 1;
      const stored: FeedItemStatus = status === 'failed' && attempts >= MAX_ITEM_ATTEMPTS ? 'gave_up' : status;
      this.db
        .prepare(
          `INSERT INTO feed_items (feed_url, item_id, url, status, attempts, last_error, first_seen_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(feed_url, item_id) DO UPDATE SET url = excluded.url, status = excluded.status,
             attempts = excluded.attempts, last_error = excluded.last_error, updated_at = excluded.updated_at`,
        )
        .run(feedUrl, itemId, url, stored, attempts, error ? error.slice(0, 500) : null, now, now);
      if (stored === 'added' && before?.status !== 'added') {
        this.db.prepare('INSERT INTO feeds (url) VALUES (?) ON CONFLICT(url) DO NOTHING').run(feedUrl);
        this.db.prepare('UPDATE feeds SET items_added = items_added + 1 WHERE url = ?').run(feedUrl);
      }
      return stored;
    })();
  }

  /** Records items that will never be fetched (past the per-poll cap), in one transaction; items already known are left as they are. */
  markSkipped(feedUrl: string, items: readonly { id: string; url: string }[]): void {
    const now = this.clock().toISOString();
    const insert = this.db.prepare(
      `INSERT INTO feed_items (feed_url, item_id, url, status, attempts, first_seen_at, updated_at)
       VALUES (?, ?, ?, 'skipped', 0, ?, ?) ON CONFLICT(feed_url, item_id) DO NOTHING`,
    );
    this.db.transaction(() => {
      for (const item of items) insert.run(feedUrl, item.id, item.url, now, now);
    })();
  }

  /** The last known state of each feed, in the order given (`never` for one not polled yet). */
  statuses(urls: readonly string[]): FeedStatus[] {
    return urls.map((url) => {
      const state = this.getFeed(url);
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
