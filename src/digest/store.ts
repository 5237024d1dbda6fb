import type { Article } from '../corpus/article.ts';
import { inListBatches, type SqlClient, type SqlExecutor } from '../db/sql.ts';
import { storeDatabase } from '../db/sqlite-client.ts';
import { normalizeText } from '../text/normalize.ts';
import { systemClock, type Clock } from './clock.ts';

export { DigestStoreError } from '../db/database.ts';

/** Language of a chat's confirmations and digests. */
import type { Language } from '../text/language.ts';

/** One chat's digest settings (a row exists once the chat used any digest command). */
export interface Subscriber {
  chatId: number;
  language: Language;
  /** Local delivery time, `HH:MM`. */
  time: string;
  /** IANA time zone the time is in. */
  zone: string;
  /** Send a short "nothing new" digest (true) or skip the day (false). */
  sendEmpty: boolean;
  active: boolean;
  /** Slots scheduled before this instant are never due (set on subscribe and on /time, /timezone). */
  scheduleFrom: Date;
  /** Article registry position covered by the last digest; null before the first one. */
  seenSeq: number | null;
  deactivatedReason: 'unsubscribed' | 'blocked' | null;
  createdAt: Date;
}

/** Status of one (chat, day) in the delivery log. */
export type DeliveryStatus = 'pending' | 'sent' | 'skipped' | 'failed' | 'gave_up';

/** One row of the delivery log. */
export interface Delivery {
  id: number;
  chatId: number;
  slot: string;
  scheduledAt: Date;
  status: DeliveryStatus;
  attempts: number;
  /** The composed messages (HTML), fixed at the first attempt so a retry resumes the same digest. */
  parts: string[] | null;
  throughSeq: number | null;
  partsSent: number;
  messageIds: number[];
  lastError: string | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
  /** Replica holding the claim, and until when (a pending row past it may be taken over). */
  claimedBy: string | null;
  leaseUntil: Date | null;
}

/** One article as the registry knows it. */
export interface RegisteredArticle {
  seq: number;
  articleId: string;
  contentHash: string;
  title: string;
  firstSeenAt: Date;
}

/** What {@link DigestStore.syncArticles} changed. */
export interface SyncResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Result of {@link DigestStore.follow}. */
export type FollowResult = 'added' | 'exists' | 'limit';

/** Options of {@link DigestStore}. */
export interface DigestStoreOptions {
  /** Timestamps written to the database come from this clock (default: the system clock). */
  clock?: Clock;
  /** Most topics one chat may follow (default 10). */
  maxTopics?: number;
  /** Who claims deliveries: this process, among the replicas sharing the database (default: a random id). */
  replicaId?: string;
  /** How long a claimed digest stays this replica's without a sign of progress (default 60 s). */
  leaseMs?: number;
}

/** Defaults for a chat row created by any command. */
export interface ChatDefaults {
  time: string;
  zone: string;
  language: Language;
}

interface SubscriberRow {
  chat_id: number;
  language: Language;
  time: string;
  zone: string;
  send_empty: number;
  active: number;
  schedule_from: string;
  seen_seq: number | null;
  deactivated_reason: Subscriber['deactivatedReason'];
  created_at: string;
}

interface DeliveryRow {
  id: number;
  chat_id: number;
  slot: string;
  scheduled_at: string;
  status: DeliveryStatus;
  attempts: number;
  parts: string | null;
  through_seq: number | null;
  parts_sent: number;
  in_flight: number;
  message_ids: string;
  last_error: string | null;
  next_attempt_at: string | null;
  sent_at: string | null;
  claimed_by: string | null;
  lease_until: string | null;
}

const toSubscriber = (r: SubscriberRow): Subscriber => ({
  chatId: r.chat_id,
  language: r.language,
  time: r.time,
  zone: r.zone,
  sendEmpty: r.send_empty === 1,
  active: r.active === 1,
  scheduleFrom: new Date(r.schedule_from),
  seenSeq: r.seen_seq,
  deactivatedReason: r.deactivated_reason,
  createdAt: new Date(r.created_at),
});

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  chatId: r.chat_id,
  slot: r.slot,
  scheduledAt: new Date(r.scheduled_at),
  status: r.status,
  attempts: r.attempts,
  parts: r.parts === null ? null : (JSON.parse(r.parts) as string[]),
  throughSeq: r.through_seq,
  partsSent: r.parts_sent,
  messageIds: JSON.parse(r.message_ids) as number[],
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at ? new Date(r.next_attempt_at) : null,
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
  claimedBy: r.claimed_by,
  leaseUntil: r.lease_until ? new Date(r.lease_until) : null,
});


/** Key a topic is matched by: the one text normaliser (`/unfollow DIOXIN` removes "dioxin", "hoà" is "hòa"). */
export const topicKey = (topic: string): string => normalizeText(topic);

/** A random id for this process among the replicas (its pid and a few random letters). */
export function newReplicaId(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The digest's state, in the SQLite file or the PostgreSQL database ({@link SqlClient}):
 * subscribers and their settings, followed topics, the delivery log whose UNIQUE(chat_id, slot)
 * makes each day's digest claimable exactly once (also across replicas), and the article
 * registry that says which articles are new to whom.
 *
 * A claim has an owner and a lease, renewed at every message: a replica that dies mid-broadcast
 * leaves its claims to the others once the lease has run out ({@link claim}).
 */
export class DigestStore {
  readonly sql: SqlClient;
  readonly replicaId: string;
  private readonly clock: Clock;
  private readonly maxTopics: number;
  private readonly leaseMs: number;
  /** Whether this store opened the database (and so closes it). */
  private readonly ownsClient: boolean;

  /** `database`: an open client (shared with other stores), or an SQLite file this store opens. */
  constructor(database: SqlClient | string, options: DigestStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxTopics = options.maxTopics ?? 10;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.replicaId = options.replicaId ?? newReplicaId();
    ({ sql: this.sql, owned: this.ownsClient } = storeDatabase(database));
  }

  /** Whether several processes may share this database (PostgreSQL): then only expired claims are recovered. */
  get shared(): boolean {
    return this.sql.dialect === 'postgres';
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }

  private leaseIso(): string {
    return new Date(this.clock.now().getTime() + this.leaseMs).toISOString();
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.sql.close();
  }

  // ── subscribers ─────────────────────────────────────────────────────────

  /** The chat's settings, or undefined when it never used a digest command. */
  async getSubscriber(chatId: number, db: SqlExecutor = this.sql): Promise<Subscriber | undefined> {
    const row = await db.get<SubscriberRow>('SELECT * FROM subscribers WHERE chat_id = ?', [chatId]);
    return row && toSubscriber(row);
  }

  /** The chat's settings, creating an inactive row with `defaults` when there is none. */
  async ensureChat(chatId: number, defaults: ChatDefaults, db: SqlExecutor = this.sql): Promise<Subscriber> {
    const now = this.nowIso();
    await db.run(
      `INSERT INTO subscribers (chat_id, language, time, zone, active, schedule_from, created_at, updated_at)
       VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING`,
      [chatId, defaults.language, defaults.time, defaults.zone, now, now, now],
    );
    return (await this.getSubscriber(chatId, db))!;
  }

  /**
   * Subscribes the chat (creating it with `defaults`), optionally at a new time.
   * Slots before now are never due, so subscribing at 09:00 for 07:30 starts tomorrow.
   * Returns whether it was already subscribed.
   */
  subscribe(chatId: number, defaults: ChatDefaults, time?: string): Promise<{ wasActive: boolean; subscriber: Subscriber }> {
    return this.sql.transaction(async (tx) => {
      const before = await this.ensureChat(chatId, defaults, tx);
      const now = this.nowIso();
      // A new time: slots scheduled before now are never sent (a time change never replays an earlier slot).
      const scheduleFrom = before.active && !(time && time !== before.time) ? before.scheduleFrom.toISOString() : now;
      await tx.run(
        `UPDATE subscribers SET active = 1, deactivated_reason = NULL, time = ?, schedule_from = ?, updated_at = ?
         WHERE chat_id = ?`,
        [time ?? before.time, scheduleFrom, now, chatId],
      );
      return { wasActive: before.active, subscriber: (await this.getSubscriber(chatId, tx))! };
    });
  }

  /** Unsubscribes the chat; `blocked` when Telegram said the user blocked the bot. Returns whether it was active. */
  async unsubscribe(chatId: number, reason: 'unsubscribed' | 'blocked' = 'unsubscribed'): Promise<boolean> {
    const { changes } = await this.sql.run(
      'UPDATE subscribers SET active = 0, deactivated_reason = ?, updated_at = ? WHERE chat_id = ? AND active = 1',
      [reason, this.nowIso(), chatId],
    );
    return changes > 0;
  }

  /** Sets the local delivery time (`HH:MM`); slots scheduled before now will not be sent. */
  async setTime(chatId: number, time: string): Promise<void> {
    const now = this.nowIso();
    await this.sql.run('UPDATE subscribers SET time = ?, schedule_from = ?, updated_at = ? WHERE chat_id = ?', [time, now, now, chatId]);
  }

  /** Sets the IANA time zone; slots scheduled before now will not be sent. */
  async setZone(chatId: number, zone: string): Promise<void> {
    const now = this.nowIso();
    await this.sql.run('UPDATE subscribers SET zone = ?, schedule_from = ?, updated_at = ? WHERE chat_id = ?', [zone, now, now, chatId]);
  }

  /** Sets the language digests are written in. */
  async setLanguage(chatId: number, language: Language): Promise<void> {
    await this.sql.run('UPDATE subscribers SET language = ? WHERE chat_id = ? AND language != ?', [language, chatId, language]);
  }

  /** Whether a day with nothing new gets a short message (true) or nothing (false). */
  async setSendEmpty(chatId: number, sendEmpty: boolean): Promise<void> {
    await this.sql.run('UPDATE subscribers SET send_empty = ?, updated_at = ? WHERE chat_id = ?', [
      sendEmpty ? 1 : 0,
      this.nowIso(),
      chatId,
    ]);
  }

  /** Every subscribed chat. */
  async activeSubscribers(): Promise<Subscriber[]> {
    return (await this.sql.all<SubscriberRow>('SELECT * FROM subscribers WHERE active = 1 ORDER BY chat_id')).map(toSubscriber);
  }

  // ── topics ──────────────────────────────────────────────────────────────

  /** Follows a topic (already trimmed and validated). */
  follow(chatId: number, topic: string): Promise<FollowResult> {
    return this.sql.transaction(async (tx): Promise<FollowResult> => {
      await this.lockChat(tx, chatId);
      const key = topicKey(topic);
      if (await tx.get('SELECT 1 AS one FROM topics WHERE chat_id = ? AND topic_key = ?', [chatId, key])) return 'exists';
      const count = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM topics WHERE chat_id = ?', [chatId]);
      if ((count?.n ?? 0) >= this.maxTopics) return 'limit';
      await tx.run('INSERT INTO topics (chat_id, topic, topic_key, created_at) VALUES (?, ?, ?, ?)', [chatId, topic, key, this.nowIso()]);
      return 'added';
    });
  }

  /**
   * Serialises changes to one chat's topics across replicas (PostgreSQL: a row lock on the
   * subscriber until the transaction ends; SQLite's BEGIN IMMEDIATE already serialises writers),
   * so a check-then-insert ("already followed?", "under the limit?") holds.
   */
  private async lockChat(tx: SqlExecutor, chatId: number): Promise<void> {
    if (tx.dialect === 'postgres') await tx.get('SELECT chat_id FROM subscribers WHERE chat_id = ? FOR UPDATE', [chatId]);
  }

  /** Stops following a topic (matched by its key: case and tone-mark placement do not matter). Returns whether it was followed. */
  async unfollow(chatId: number, topic: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM topics WHERE chat_id = ? AND topic_key = ?', [chatId, topicKey(topic)])).changes > 0;
  }

  /** The chat's topics, in the order they were followed. */
  async topics(chatId: number): Promise<string[]> {
    // SQLite's rowid and PostgreSQL's id both grow with every insert.
    const order = this.sql.dialect === 'sqlite' ? 'rowid' : 'id';
    const rows = await this.sql.all<{ topic: string }>(`SELECT topic FROM topics WHERE chat_id = ? ORDER BY created_at, ${order}`, [chatId]);
    return rows.map((r) => r.topic);
  }

  /** Most topics a chat may follow. */
  get topicLimit(): number {
    return this.maxTopics;
  }

  /**
   * Re-keys every topic with {@link topicKey} (keys written by an older trichdan lower-cased
   * only, so "hoà" and "hòa" were two topics), merging what now has one key: the topic followed
   * first stays. Cheap when nothing changes; run at start.
   */
  rekeyTopics(): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const order = tx.dialect === 'sqlite' ? 'rowid' : 'id';
      const rows = await tx.all<{ chat_id: number; topic: string; topic_key: string }>(
        `SELECT chat_id, topic, topic_key FROM topics ORDER BY chat_id, created_at, ${order}`,
      );
      // In the order followed: the first topic with a key stays, later ones with the same key go.
      const winners = new Map<string, { chat_id: number; topic_key: string; key: string }>();
      const losers: { chat_id: number; topic_key: string }[] = [];
      for (const row of rows) {
        const key = topicKey(row.topic);
        const id = `${row.chat_id}\u0000${key}`;
        if (winners.has(id)) losers.push(row);
        else winners.set(id, { chat_id: row.chat_id, topic_key: row.topic_key, key });
      }
      for (const row of losers) await tx.run('DELETE FROM topics WHERE chat_id = ? AND topic_key = ?', [row.chat_id, row.topic_key]);
      const moving = [...winners.values()].filter((w) => w.key !== w.topic_key);
      // Two steps, so a key being given up by one row is free before another row takes it.
      for (const w of moving) await tx.run('UPDATE topics SET topic_key = ? WHERE chat_id = ? AND topic_key = ?', [`rekey:${w.topic_key}`, w.chat_id, w.topic_key]);
      for (const w of moving) await tx.run('UPDATE topics SET topic_key = ? WHERE chat_id = ? AND topic_key = ?', [w.key, w.chat_id, `rekey:${w.topic_key}`]);
      return losers.length;
    });
  }

  // ── article registry ───────────────────────────────────────────────────

  /**
   * Records the corpus as it is now. New articles get the next sequence numbers, oldest
   * (last in `articles`, which is newest first) first; a changed file keeps its number (it is
   * not announced again); an article that left the corpus is marked removed and never shown.
   * `removals: false` (replicas): this replica's list may lag behind another's, so an article
   * missing from it is not taken as removed (the shared corpus registry marks removals).
   */
  syncArticles(articles: readonly Article[], { removals = true }: { removals?: boolean } = {}): Promise<SyncResult> {
    return this.sql.transaction(async (tx): Promise<SyncResult> => {
      const now = this.nowIso();
      const rows = await tx.all<{ article_id: string; content_hash: string; removed_at: string | null }>(
        'SELECT article_id, content_hash, removed_at FROM articles',
      );
      const known = new Map(rows.map((r) => [r.article_id, r]));
      const result: SyncResult = { added: [], changed: [], removed: [] };
      const present = new Set<string>();
      for (let i = articles.length - 1; i >= 0; i--) {
        const a = articles[i];
        present.add(a.id);
        const row = known.get(a.id);
        if (!row) {
          // ON CONFLICT: another replica may register the same article at the same moment.
          const inserted = await tx.run(
            'INSERT INTO articles (article_id, content_hash, title, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO NOTHING',
            [a.id, a.contentHash, a.title, now],
          );
          if (inserted.changes > 0) result.added.push(a.id);
        } else if (row.content_hash !== a.contentHash || row.removed_at !== null) {
          await tx.run('UPDATE articles SET content_hash = ?, title = ?, removed_at = NULL WHERE article_id = ?', [a.contentHash, a.title, a.id]);
          result.changed.push(a.id);
        }
      }
      if (removals) {
        for (const [id, row] of known) {
          if (!present.has(id) && row.removed_at === null) {
            await tx.run('UPDATE articles SET removed_at = ? WHERE article_id = ?', [now, id]);
            result.removed.push(id);
          }
        }
      }
      return result;
    });
  }

  /** Highest sequence number in the registry (0 when empty). */
  async maxSeq(): Promise<number> {
    return (await this.sql.get<{ m: number }>('SELECT COALESCE(MAX(seq), 0) AS m FROM articles'))?.m ?? 0;
  }

  /** Articles registered after `seq` (and up to `throughSeq`), still in the corpus, oldest first. */
  async articlesAfter(seq: number, throughSeq = Number.MAX_SAFE_INTEGER): Promise<RegisteredArticle[]> {
    const rows = await this.sql.all<{ seq: number; article_id: string; content_hash: string; title: string; first_seen_at: string }>(
      'SELECT * FROM articles WHERE seq > ? AND seq <= ? AND removed_at IS NULL ORDER BY seq',
      [seq, throughSeq],
    );
    return rows.map((r) => ({
      seq: r.seq,
      articleId: r.article_id,
      contentHash: r.content_hash,
      title: r.title,
      firstSeenAt: new Date(r.first_seen_at),
    }));
  }

  // ── delivery log ───────────────────────────────────────────────────────

  /** The log row for a chat's slot, if any. */
  async getDelivery(chatId: number, slot: string): Promise<Delivery | undefined> {
    const row = await this.sql.get<DeliveryRow>('SELECT * FROM deliveries WHERE chat_id = ? AND slot = ?', [chatId, slot]);
    return row && toDelivery(row);
  }

  /**
   * The log rows of many chats' slots at once (a tick looks up every due chat), keyed
   * `chatId|slot`. Looked up by chat ids, a batch at a time, so the UNIQUE(chat_id, slot) index
   * serves it instead of a scan of the whole log.
   */
  async deliveriesForSlots(keys: readonly { chatId: number; slot: string }[]): Promise<Map<string, Delivery>> {
    const found = new Map<string, Delivery>();
    const chatsBySlot = new Map<string, number[]>();
    for (const { chatId, slot } of keys) chatsBySlot.set(slot, [...(chatsBySlot.get(slot) ?? []), chatId]);
    for (const [slot, chatIds] of chatsBySlot) {
      for (const { batch, placeholders } of inListBatches(chatIds)) {
        const rows = await this.sql.all<DeliveryRow>(
          `SELECT * FROM deliveries WHERE slot = ? AND chat_id IN (${placeholders})`,
          [slot, ...batch],
        );
        for (const row of rows) found.set(`${row.chat_id}|${row.slot}`, toDelivery(row));
      }
    }
    return found;
  }

  /** The chat's log, oldest first. */
  async deliveries(chatId: number): Promise<Delivery[]> {
    return (await this.sql.all<DeliveryRow>('SELECT * FROM deliveries WHERE chat_id = ? ORDER BY slot', [chatId])).map(toDelivery);
  }

  /** Counts of log rows by status (for logs and the load test). */
  async deliveryCounts(): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, sent: 0, skipped: 0, failed: 0, gave_up: 0 };
    for (const r of await this.sql.all<{ status: DeliveryStatus; n: number }>('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status')) {
      counts[r.status] = r.n;
    }
    return counts;
  }

  /**
   * Claims a chat's slot for this replica. Each step is one atomic statement, so of several
   * replicas claiming at once exactly one wins:
   * - the first claim inserts the row (UNIQUE(chat_id, slot), also across restarts);
   * - a `failed` row whose retry time has come is claimed again;
   * - a `pending` row whose owner's lease ran out (the replica died) with no message on the
   *   wire is taken over and resumes after the parts already sent;
   * - one that died with a message on the wire becomes `gave_up`: that message may have arrived,
   *   and sending it again could duplicate it.
   * Anything else returns undefined: the slot must not be sent now.
   */
  async claim(chatId: number, slot: string, scheduledAt: Date): Promise<Delivery | undefined> {
    const now = this.nowIso();
    const lease = this.leaseIso();
    const fresh = await this.sql.get<DeliveryRow>(
      `INSERT INTO deliveries (chat_id, slot, scheduled_at, status, attempts, claimed_at, claimed_by, lease_until)
       VALUES (?, ?, ?, 'pending', 1, ?, ?, ?) ON CONFLICT (chat_id, slot) DO NOTHING RETURNING *`,
      [chatId, slot, scheduledAt.toISOString(), now, this.replicaId, lease],
    );
    if (fresh) return toDelivery(fresh);
    const retry = await this.sql.get<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', attempts = attempts + 1, claimed_at = ?, next_attempt_at = NULL,
         claimed_by = ?, lease_until = ?
       WHERE chat_id = ? AND slot = ? AND status = 'failed' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) RETURNING *`,
      [now, this.replicaId, lease, chatId, slot, now],
    );
    if (retry) return toDelivery(retry);
    const takeover = await this.sql.get<DeliveryRow>(
      `UPDATE deliveries SET claimed_at = ?, claimed_by = ?, lease_until = ?
       WHERE chat_id = ? AND slot = ? AND status = 'pending' AND in_flight = 0 AND lease_until < ? RETURNING *`,
      [now, this.replicaId, lease, chatId, slot, now],
    );
    if (takeover) return toDelivery(takeover);
    await this.sql.run(
      `UPDATE deliveries SET status = 'gave_up', in_flight = 0,
         last_error = 'its replica stopped while a message was being sent; not resent to avoid a duplicate'
       WHERE chat_id = ? AND slot = ? AND status = 'pending' AND in_flight = 1 AND lease_until < ?`,
      [chatId, slot, now],
    );
    return undefined;
  }

  /** Fixes a claimed delivery's content (only the first time: a retry resumes the same messages). */
  async saveComposition(id: number, parts: string[], throughSeq: number): Promise<void> {
    await this.sql.run('UPDATE deliveries SET parts = ?, through_seq = ? WHERE id = ? AND parts IS NULL', [JSON.stringify(parts), throughSeq, id]);
  }

  /**
   * Marks a message as on the wire (if the process dies now, it is not known whether it arrived)
   * and renews the lease. Returns false when the claim is no longer this replica's (its lease
   * ran out and another took over): then nothing may be sent.
   */
  async markInFlight(id: number): Promise<boolean> {
    const { changes } = await this.sql.run(
      `UPDATE deliveries SET in_flight = 1, lease_until = ? WHERE id = ? AND status = 'pending' AND claimed_by = ?`,
      [this.leaseIso(), id, this.replicaId],
    );
    return changes > 0;
  }

  /** Records that the next part arrived (Telegram returned its message id). */
  recordPartSent(id: number, messageId: number): Promise<void> {
    return this.sql.transaction(async (tx) => {
      const row = await tx.get<{ message_ids: string }>('SELECT message_ids FROM deliveries WHERE id = ?', [id]);
      const ids = [...(JSON.parse(row?.message_ids ?? '[]') as number[]), messageId];
      await tx.run('UPDATE deliveries SET parts_sent = parts_sent + 1, in_flight = 0, message_ids = ?, lease_until = ? WHERE id = ?', [
        JSON.stringify(ids),
        this.leaseIso(),
        id,
      ]);
    });
  }

  /** The request ended without delivering (an error answer): nothing is on the wire any more. */
  async clearInFlight(id: number): Promise<void> {
    await this.sql.run('UPDATE deliveries SET in_flight = 0 WHERE id = ?', [id]);
  }

  /** Finishes a delivery as sent (or skipped) and moves the chat's "seen" cursor to what it covered. */
  finish(id: number, status: 'sent' | 'skipped'): Promise<void> {
    return this.sql.transaction(async (tx) => {
      await tx.run('UPDATE deliveries SET status = ?, sent_at = ?, in_flight = 0, last_error = NULL WHERE id = ?', [status, this.nowIso(), id]);
      const row = await tx.get<{ chat_id: number; through_seq: number | null }>('SELECT chat_id, through_seq FROM deliveries WHERE id = ?', [id]);
      if (!row || row.through_seq === null) return;
      await tx.run('UPDATE subscribers SET seen_seq = ? WHERE chat_id = ? AND (seen_seq IS NULL OR seen_seq < ?)', [
        row.through_seq,
        row.chat_id,
        row.through_seq,
      ]);
    });
  }

  /**
   * Records a failed attempt. `retryAt` set: status `failed`, claimable again from then on;
   * unset: `gave_up` (blocked chat, a message Telegram rejects, or out of attempts).
   */
  async fail(id: number, error: string, retryAt?: Date): Promise<void> {
    await this.sql.run('UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = ?, in_flight = 0 WHERE id = ?', [
      retryAt ? 'failed' : 'gave_up',
      error.slice(0, 500),
      retryAt ? retryAt.toISOString() : null,
      id,
    ]);
  }

  /**
   * Cleans up after a process that stopped mid-delivery (call at start-up). A `pending` row with
   * no message on the wire becomes `failed` and is retried; one with a message on the wire
   * becomes `gave_up`: that message may have arrived, and sending the rest again could duplicate
   * it (a digest is never sent twice; in this rare crash case it may be cut short). On a shared
   * database only rows whose lease ran out are touched: the others belong to live replicas.
   */
  recoverInterrupted(): Promise<{ retried: number; abandoned: number }> {
    return this.sql.transaction(async (tx) => {
      const now = this.nowIso();
      const stale = this.shared ? ' AND lease_until < ?' : '';
      const params = this.shared ? [now] : [];
      const abandoned = (
        await tx.run(
          `UPDATE deliveries SET status = 'gave_up', in_flight = 0,
             last_error = 'interrupted while a message was being sent; not resent to avoid a duplicate'
           WHERE status = 'pending' AND in_flight = 1${stale}`,
          params,
        )
      ).changes;
      const retried = (
        await tx.run(
          `UPDATE deliveries SET status = 'failed', last_error = 'interrupted before sending', next_attempt_at = ?
           WHERE status = 'pending'${stale}`,
          [now, ...params],
        )
      ).changes;
      return { retried, abandoned };
    });
  }

  // ── replicas ───────────────────────────────────────────────────────────

  /** Records that this replica is alive and returns how many are (seen within `withinMs`), at least 1. */
  async heartbeat(withinMs: number): Promise<number> {
    const now = this.nowIso();
    await this.sql.run('INSERT INTO replicas (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at', [
      this.replicaId,
      now,
    ]);
    const since = new Date(this.clock.now().getTime() - withinMs).toISOString();
    await this.sql.run('DELETE FROM replicas WHERE seen_at < ?', [new Date(this.clock.now().getTime() - 10 * withinMs).toISOString()]);
    const row = await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM replicas WHERE seen_at >= ?', [since]);
    return Math.max(1, row?.n ?? 1);
  }

  /** Forgets this replica (a clean stop), so the others take its share of the broadcast rate at once. */
  async leave(): Promise<void> {
    await this.sql.run('DELETE FROM replicas WHERE id = ?', [this.replicaId]);
  }
}
