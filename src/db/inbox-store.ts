/**
 * The bot's inbox in the SQLite file (TRICHDAN_DB): one row per update, written in one
 * transaction per getUpdates batch, marked done when handled; done rows are kept a day (so a
 * re-delivered update is recognised) and then deleted.
 */
import type Database from 'better-sqlite3';
import type { Update } from 'grammy/types';
import type { Inbox, PendingUpdate } from '../bot/inbox.ts';
import { openDatabase } from './database.ts';

/** Done rows are kept this long, in ms. */
const KEEP_DONE_MS = 24 * 3600_000;
/** A running bot deletes old done rows once per this many getUpdates batches. */
const PRUNE_EVERY_BATCHES = 1000;

/** An Inbox in SQLite for one bot (update ids are per bot). */
export class InboxStore implements Inbox {
  readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly markDone: Database.Statement;

  constructor(
    file: string,
    private readonly botId: number,
    private readonly now: () => number = Date.now,
  ) {
    this.db = openDatabase(file);
    this.insert = this.db.prepare('INSERT OR IGNORE INTO inbox (bot_id, update_id, payload, received_at) VALUES (?, ?, ?, ?)');
    this.markDone = this.db.prepare('UPDATE inbox SET done_at = ? WHERE bot_id = ? AND update_id = ?');
    this.prune = this.db.prepare('DELETE FROM inbox WHERE bot_id = ? AND done_at IS NOT NULL AND done_at < ?');
    this.prune.run(botId, this.now() - KEEP_DONE_MS);
  }

  private readonly prune: Database.Statement;
  /** Batches received since the last prune of old done rows. */
  private batches = 0;

  receive(updates: readonly Update[]): Update[] {
    if (updates.length === 0) return [];
    const at = this.now();
    if (++this.batches >= PRUNE_EVERY_BATCHES) {
      this.batches = 0;
      this.prune.run(this.botId, at - KEEP_DONE_MS);
    }
    return this.db.transaction(() =>
      updates.filter((u) => this.insert.run(this.botId, u.update_id, JSON.stringify(u), at).changes > 0),
    )();
  }

  done(updateId: number): void {
    this.markDone.run(this.now(), this.botId, updateId);
  }

  pending(): PendingUpdate[] {
    const rows = this.db
      .prepare('SELECT payload, received_at FROM inbox WHERE bot_id = ? AND done_at IS NULL ORDER BY update_id')
      .all(this.botId) as { payload: string; received_at: number }[];
    return rows.map((r) => ({ update: JSON.parse(r.payload) as Update, receivedAt: r.received_at }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
