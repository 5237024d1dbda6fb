/**
 * The bot's inbox in the database (SQLite file or PostgreSQL): one row per update, written when
 * it arrives, marked done when handled; done rows are kept a day (so a re-delivered update is
 * recognised, also by another replica) and then deleted.
 */
import type { Update } from 'grammy/types';
import type { Inbox, PendingUpdate } from '../bot/inbox.ts';
import { inListBatches, type SqlClient } from './sql.ts';

/** Done rows are kept this long, in ms. */
const KEEP_DONE_MS = 24 * 3600_000;
/** A running bot deletes old done rows once per this many batches. */
const PRUNE_EVERY_BATCHES = 1000;

/** An Inbox for one bot (update ids are per bot). */
export class InboxStore implements Inbox {
  /** Batches received since the last prune of old done rows. */
  private batches = 0;

  constructor(
    private readonly sql: SqlClient,
    private readonly botId: number,
    private readonly now: () => number = Date.now,
  ) {}

  async receive(updates: readonly Update[]): Promise<Update[]> {
    if (updates.length === 0) return [];
    const at = this.now();
    if (++this.batches >= PRUNE_EVERY_BATCHES || this.batches === 1) {
      this.batches = 1;
      await this.prune(at);
    }
    const rows = updates.map(() => '(?, ?, ?, ?)').join(', ');
    const params = updates.flatMap((u) => [this.botId, u.update_id, JSON.stringify(u), at]);
    // One statement: of two replicas given the same update (a webhook retried elsewhere), one inserts it.
    const inserted = await this.sql.all<{ update_id: number }>(
      `INSERT INTO inbox (bot_id, update_id, payload, received_at) VALUES ${rows} ON CONFLICT (bot_id, update_id) DO NOTHING RETURNING update_id`,
      params,
    );
    const fresh = new Set(inserted.map((r) => Number(r.update_id)));
    return updates.filter((u) => fresh.has(u.update_id));
  }

  async done(updateId: number): Promise<void> {
    await this.sql.run('UPDATE inbox SET done_at = ? WHERE bot_id = ? AND update_id = ?', [this.now(), this.botId, updateId]);
  }

  async reserveReply(updateId: number, messageId: number): Promise<void> {
    await this.sql.run('UPDATE inbox SET reply_message_id = ? WHERE bot_id = ? AND update_id = ?', [messageId, this.botId, updateId]);
  }

  async renew(updateIds: readonly number[]): Promise<void> {
    const at = this.now();
    for (const { batch, placeholders } of inListBatches(updateIds)) {
      await this.sql.run(
        `UPDATE inbox SET received_at = ? WHERE bot_id = ? AND done_at IS NULL AND update_id IN (${placeholders})`,
        [at, this.botId, ...batch],
      );
    }
  }

  /**
   * Takes the updates never marked done that arrived before `minAgeMs` ago (0: all of them, for
   * the one bot on an SQLite file). Taking is one statement that restamps them, so of replicas
   * starting together only one replays each.
   */
  async pending(minAgeMs = 0): Promise<PendingUpdate[]> {
    const now = this.now();
    const rows = await this.sql.all<{ update_id: number; payload: string; reply_message_id: number | null }>(
      `UPDATE inbox SET received_at = ? WHERE bot_id = ? AND done_at IS NULL AND received_at <= ? RETURNING update_id, payload, reply_message_id`,
      [now, this.botId, now - minAgeMs],
    );
    return rows
      .sort((a, b) => Number(a.update_id) - Number(b.update_id))
      .map((r) => ({
        update: JSON.parse(r.payload) as Update,
        receivedAt: now,
        ...(r.reply_message_id !== null ? { replyMessageId: Number(r.reply_message_id) } : {}),
      }));
  }

  private async prune(at: number): Promise<void> {
    await this.sql.run('DELETE FROM inbox WHERE bot_id = ? AND done_at IS NOT NULL AND done_at < ?', [this.botId, at - KEEP_DONE_MS]);
  }
}
