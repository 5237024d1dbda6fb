import type Database from 'better-sqlite3';
import type { Article } from '../corpus/article.ts';
import { systemClock, type Clock } from './clock.ts';
import { openDatabase } from '../db/database.ts';

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
});

/** Key a topic is matched by (`/unfollow DIOXIN` removes "dioxin"). */
export const topicKey = (topic: string): string => topic.normalize('NFC').toLocaleLowerCase('vi');

/**
 * The digest's state in one SQLite file (WAL, foreign keys, versioned migrations):
 * subscribers and their settings, followed topics, the delivery log whose
 * UNIQUE(chat_id, slot) makes each day's digest claimable exactly once, and the
 * article registry that says which articles are new to whom.
 *
 * One process per database file: {@link recoverInterrupted} assumes that every
 * `pending` row it finds was left by a process that is gone.
 */
export class DigestStore {
  readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly maxTopics: number;

  constructor(file: string, options: DigestStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxTopics = options.maxTopics ?? 10;
    this.db = openDatabase(file);
  }

  /** Schema version of the open file. */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ── subscribers ─────────────────────────────────────────────────────────

  /** The chat's settings, or undefined when it never used a digest command. */
  getSubscriber(chatId: number): Subscriber | undefined {
    const row = this.db.prepare('SELECT * FROM subscribers WHERE chat_id = ?').get(chatId) as SubscriberRow | undefined;
    return row && toSubscriber(row);
  }

  /** The chat's settings, creating an inactive row with `defaults` when there is none. */
  ensureChat(chatId: number, defaults: ChatDefaults): Subscriber {
    const now = this.nowIso();
    this.db
      .prepare(
        `INSERT INTO subscribers (chat_id, language, time, zone, active, schedule_from, created_at, updated_at)
         VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT(chat_id) DO NOTHING`,
      )
      .run(chatId, defaults.language, defaults.time, defaults.zone, now, now, now);
    return this.getSubscriber(chatId)!;
  }

  /**
   * Subscribes the chat (creating it with `defaults`), optionally at a new time.
   * Slots before now are never due, so subscribing at 09:00 for 07:30 starts tomorrow.
   * Returns whether it was already subscribed.
   */
  subscribe(chatId: number, defaults: ChatDefaults, time?: string): { wasActive: boolean; subscriber: Subscriber } {
    return this.db.transaction(() => {
      const before = this.ensureChat(chatId, defaults);
      const now = this.nowIso();
      this.db
        .prepare(
          `UPDATE subscribers SET active = 1, deactivated_reason = NULL, time = ?, schedule_from = ?, updated_at = ?
           WHERE chat_id = ?`,
        )
        .run(time ?? before.time, before.active ? before.scheduleFrom.toISOString() : now, now, chatId);
      if (time && time !== before.time) this.touchSchedule(chatId);
      return { wasActive: before.active, subscriber: this.getSubscriber(chatId)! };
    })();
  }

  /** Unsubscribes the chat; `blocked` when Telegram said the user blocked the bot. Returns whether it was active. */
  unsubscribe(chatId: number, reason: 'unsubscribed' | 'blocked' = 'unsubscribed'): boolean {
    const info = this.db
      .prepare(
        'UPDATE subscribers SET active = 0, deactivated_reason = ?, updated_at = ? WHERE chat_id = ? AND active = 1',
      )
      .run(reason, this.nowIso(), chatId);
    return info.changes > 0;
  }

  /** Slots scheduled before now will not be sent (a time change never replays an earlier slot). */
  private touchSchedule(chatId: number): void {
    this.db.prepare('UPDATE subscribers SET schedule_from = ? WHERE chat_id = ?').run(this.nowIso(), chatId);
  }

  /** Sets the local delivery time (`HH:MM`). */
  setTime(chatId: number, time: string): void {
    this.db.prepare('UPDATE subscribers SET time = ?, updated_at = ? WHERE chat_id = ?').run(time, this.nowIso(), chatId);
    this.touchSchedule(chatId);
  }

  /** Sets the IANA time zone. */
  setZone(chatId: number, zone: string): void {
    this.db.prepare('UPDATE subscribers SET zone = ?, updated_at = ? WHERE chat_id = ?').run(zone, this.nowIso(), chatId);
    this.touchSchedule(chatId);
  }

  /** Sets the language digests are written in. */
  setLanguage(chatId: number, language: Language): void {
    this.db
      .prepare('UPDATE subscribers SET language = ? WHERE chat_id = ? AND language != ?')
      .run(language, chatId, language);
  }

  /** Whether a day with nothing new gets a short message (true) or nothing (false). */
  setSendEmpty(chatId: number, sendEmpty: boolean): void {
    this.db
      .prepare('UPDATE subscribers SET send_empty = ?, updated_at = ? WHERE chat_id = ?')
      .run(sendEmpty ? 1 : 0, this.nowIso(), chatId);
  }

  /** Every subscribed chat. */
  activeSubscribers(): Subscriber[] {
    return (this.db.prepare('SELECT * FROM subscribers WHERE active = 1 ORDER BY chat_id').all() as SubscriberRow[]).map(
      toSubscriber,
    );
  }

  // ── topics ──────────────────────────────────────────────────────────────

  /** Follows a topic (already trimmed and validated). */
  follow(chatId: number, topic: string): FollowResult {
    return this.db.transaction((): FollowResult => {
      const key = topicKey(topic);
      const exists = this.db.prepare('SELECT 1 FROM topics WHERE chat_id = ? AND topic_key = ?').get(chatId, key);
      if (exists) return 'exists';
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM topics WHERE chat_id = ?').get(chatId) as { n: number };
      if (n >= this.maxTopics) return 'limit';
      this.db
        .prepare('INSERT INTO topics (chat_id, topic, topic_key, created_at) VALUES (?, ?, ?, ?)')
        .run(chatId, topic, key, this.nowIso());
      return 'added';
    })();
  }

  /** Stops following a topic (matched case-insensitively). Returns whether it was followed. */
  unfollow(chatId: number, topic: string): boolean {
    return this.db.prepare('DELETE FROM topics WHERE chat_id = ? AND topic_key = ?').run(chatId, topicKey(topic)).changes > 0;
  }

  /** The chat's topics, in the order they were followed. */
  topics(chatId: number): string[] {
    return (
      this.db.prepare('SELECT topic FROM topics WHERE chat_id = ? ORDER BY created_at, rowid').all(chatId) as {
        topic: string;
      }[]
    ).map((r) => r.topic);
  }

  /** Most topics a chat may follow. */
  get topicLimit(): number {
    return this.maxTopics;
  }

  // ── article registry ───────────────────────────────────────────────────

  /**
   * Records the corpus as it is now. New articles get the next sequence numbers, oldest
   * (last in `articles`, which is newest first) first; a changed file keeps its number (it is
   * not announced again); an article that left the corpus is marked removed and never shown.
   */
  syncArticles(articles: readonly Article[]): SyncResult {
    return this.db.transaction((): SyncResult => {
      const now = this.nowIso();
      const known = new Map(
        (
          this.db.prepare('SELECT article_id, content_hash, removed_at FROM articles').all() as {
            article_id: string;
            content_hash: string;
            removed_at: string | null;
          }[]
        ).map((r) => [r.article_id, r]),
      );
      const result: SyncResult = { added: [], changed: [], removed: [] };
      const insert = this.db.prepare(
        'INSERT INTO articles (article_id, content_hash, title, first_seen_at) VALUES (?, ?, ?, ?)',
      );
      const update = this.db.prepare(
        'UPDATE articles SET content_hash = ?, title = ?, removed_at = NULL WHERE article_id = ?',
      );
      const present = new Set<string>();
      for (let i = articles.length - 1; i >= 0; i--) {
        const a = articles[i];
        present.add(a.id);
        const row = known.get(a.id);
        if (!row) {
          insert.run(a.id, a.contentHash, a.title, now);
          result.added.push(a.id);
        } else if (row.content_hash !== a.contentHash || row.removed_at !== null) {
          update.run(a.contentHash, a.title, a.id);
          result.changed.push(a.id);
        }
      }
      const remove = this.db.prepare('UPDATE articles SET removed_at = ? WHERE article_id = ?');
      for (const [id, row] of known) {
        if (!present.has(id) && row.removed_at === null) {
          remove.run(now, id);
          result.removed.push(id);
        }
      }
      return result;
    })();
  }

  /** Highest sequence number in the registry (0 when empty). */
  maxSeq(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM articles').get() as { m: number }).m;
  }

  /** Articles registered after `seq` (and up to `throughSeq`), still in the corpus, oldest first. */
  articlesAfter(seq: number, throughSeq = Number.MAX_SAFE_INTEGER): RegisteredArticle[] {
    return (
      this.db
        .prepare('SELECT * FROM articles WHERE seq > ? AND seq <= ? AND removed_at IS NULL ORDER BY seq')
        .all(seq, throughSeq) as {
        seq: number;
        article_id: string;
        content_hash: string;
        title: string;
        first_seen_at: string;
      }[]
    ).map((r) => ({
      seq: r.seq,
      articleId: r.article_id,
      contentHash: r.content_hash,
      title: r.title,
      firstSeenAt: new Date(r.first_seen_at),
    }));
  }

  // ── delivery log ───────────────────────────────────────────────────────

  /** The log row for a chat's slot, if any. */
  getDelivery(chatId: number, slot: string): Delivery | undefined {
    const row = this.db.prepare('SELECT * FROM deliveries WHERE chat_id = ? AND slot = ?').get(chatId, slot) as
      | DeliveryRow
      | undefined;
    return row && toDelivery(row);
  }

  /** The chat's log, oldest first. */
  deliveries(chatId: number): Delivery[] {
    return (this.db.prepare('SELECT * FROM deliveries WHERE chat_id = ? ORDER BY slot').all(chatId) as DeliveryRow[]).map(
      toDelivery,
    );
  }

  /** Counts of log rows by status (for logs and the load test). */
  deliveryCounts(): Record<DeliveryStatus, number> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, sent: 0, skipped: 0, failed: 0, gave_up: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as {
      status: DeliveryStatus;
      n: number;
    }[])
      counts[r.status] = r.n;
    return counts;
  }

  /**
   * Claims a chat's slot for sending, in one transaction: the first claim inserts the row
   * (UNIQUE(chat_id, slot) lets only one win, also across restarts); a `failed` row whose
   * retry time has come is claimed again. Anything else (pending, sent, skipped, gave up,
   * failed but not yet due) returns undefined: the slot must not be sent now.
   */
  claim(chatId: number, slot: string, scheduledAt: Date): Delivery | undefined {
    return this.db.transaction((): Delivery | undefined => {
      const now = this.nowIso();
      const existing = this.getDelivery(chatId, slot);
      if (!existing) {
        this.db
          .prepare(
            `INSERT INTO deliveries (chat_id, slot, scheduled_at, status, attempts, claimed_at)
             VALUES (?, ?, ?, 'pending', 1, ?)`,
          )
          .run(chatId, slot, scheduledAt.toISOString(), now);
        return this.getDelivery(chatId, slot);
      }
      if (existing.status === 'failed' && (!existing.nextAttemptAt || existing.nextAttemptAt.toISOString() <= now)) {
        this.db
          .prepare(
            `UPDATE deliveries SET status = 'pending', attempts = attempts + 1, claimed_at = ?, next_attempt_at = NULL
             WHERE id = ? AND status = 'failed'`,
          )
          .run(now, existing.id);
        return this.getDelivery(chatId, slot);
      }
      return undefined;
    })();
  }

  /** Fixes a claimed delivery's content (only the first time: a retry resumes the same messages). */
  saveComposition(id: number, parts: string[], throughSeq: number): void {
    this.db
      .prepare('UPDATE deliveries SET parts = ?, through_seq = ? WHERE id = ? AND parts IS NULL')
      .run(JSON.stringify(parts), throughSeq, id);
  }

  /** Marks a message as on the wire: if the process dies now, it is not known whether it arrived. */
  markInFlight(id: number): void {
    this.db.prepare('UPDATE deliveries SET in_flight = 1 WHERE id = ?').run(id);
  }

  /** Records that the next part arrived (Telegram returned its message id). */
  recordPartSent(id: number, messageId: number): void {
    this.db
      .prepare(
        `UPDATE deliveries SET parts_sent = parts_sent + 1, in_flight = 0,
           message_ids = json_insert(message_ids, '$[#]', ?) WHERE id = ?`,
      )
      .run(messageId, id);
  }

  /** The request ended without delivering (an error answer): nothing is on the wire any more. */
  clearInFlight(id: number): void {
    this.db.prepare('UPDATE deliveries SET in_flight = 0 WHERE id = ?').run(id);
  }

  /** Finishes a delivery as sent (or skipped) and moves the chat's "seen" cursor to what it covered. */
  finish(id: number, status: 'sent' | 'skipped'): void {
    this.db.transaction(() => {
      const now = this.nowIso();
      this.db
        .prepare('UPDATE deliveries SET status = ?, sent_at = ?, in_flight = 0, last_error = NULL WHERE id = ?')
        .run(status, now, id);
      this.db
        .prepare(
          `UPDATE subscribers SET seen_seq = MAX(COALESCE(seen_seq, 0), (SELECT through_seq FROM deliveries WHERE id = ?))
           WHERE chat_id = (SELECT chat_id FROM deliveries WHERE id = ?)
             AND (SELECT through_seq FROM deliveries WHERE id = ?) IS NOT NULL`,
        )
        .run(id, id, id);
    })();
  }

  /**
   * Records a failed attempt. `retryAt` set: status `failed`, claimable again from then on;
   * unset: `gave_up` (blocked chat, a message Telegram rejects, or out of attempts).
   */
  fail(id: number, error: string, retryAt?: Date): void {
    this.db
      .prepare(
        'UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = ?, in_flight = 0 WHERE id = ?',
      )
      .run(retryAt ? 'failed' : 'gave_up', error.slice(0, 500), retryAt ? retryAt.toISOString() : null, id);
  }

  /**
   * Cleans up after a process that stopped mid-delivery (call once at start-up). A `pending`
   * row with no message on the wire becomes `failed` and is retried; one with a message on
   * the wire becomes `gave_up`: that message may have arrived, and sending the rest again
   * could duplicate it (a digest is never sent twice; in this rare crash case it may be cut
   * short). Returns how many rows of each kind there were.
   */
  recoverInterrupted(): { retried: number; abandoned: number } {
    return this.db.transaction(() => {
      const now = this.nowIso();
      const abandoned = this.db
        .prepare(
          `UPDATE deliveries SET status = 'gave_up', in_flight = 0,
             last_error = 'interrupted while a message was being sent; not resent to avoid a duplicate'
           WHERE status = 'pending' AND in_flight = 1`,
        )
        .run().changes;
      const retried = this.db
        .prepare(
          `UPDATE deliveries SET status = 'failed', last_error = 'interrupted before sending', next_attempt_at = ?
           WHERE status = 'pending'`,
        )
        .run(now).changes;
      return { retried, abandoned };
    })();
  }
}
