/**
 * The seam for a durable inbox: updates are recorded when they arrive (before the next
 * getUpdates tells Telegram they were received) and marked done once handled, so a crash or a
 * deploy loses no question. The database implementation is src/db/inbox-store.ts.
 */
import type { Update } from 'grammy/types';

/** An update recorded by an earlier process and never marked done. */
export interface PendingUpdate {
  update: Update;
  /** When it was received, ms since the epoch. */
  receivedAt: number;
  /** The message its answer is written into, when one was sent before the crash (see reply-slot.ts). */
  replyMessageId?: number;
}

/** Where updates wait until they are handled. */
export interface Inbox {
  /**
   * Records updates as received and returns those not seen before, in order: an update that
   * Telegram delivers again (it was fetched but not yet confirmed before a crash) is dropped,
   * as it is either handled or among `pending()`.
   */
  receive(updates: readonly Update[]): Promise<Update[]>;
  /** Marks an update handled. */
  done(updateId: number): Promise<void>;
  /** Records the message the update's answer will be written into (a "searching…" message). */
  reserveReply(updateId: number, messageId: number): Promise<void>;
  /** Restamps updates not yet done as just received: they are being handled, not orphaned. */
  renew(updateIds: readonly number[]): Promise<void>;
  /**
   * Takes the updates received but never marked done (an earlier process stopped first), oldest
   * first; with `minAgeMs`, only those that arrived at least that long ago (replicas: younger
   * ones are being handled by a live replica).
   */
  pending(minAgeMs?: number): Promise<PendingUpdate[]>;
}

/**
 * An inbox that knows which updates this process holds (received or taken, not yet done) and can
 * renew them. With replicas, an update not done within TRICHDAN_INBOX_ORPHAN_SECONDS of its last
 * stamp is taken over by another replica (its own died); an update that is only waiting its turn
 * (a long queue in one chat, a burst) must not look orphaned, so its holder renews it.
 */
export class HeldInbox implements Inbox {
  private readonly held = new Set<number>();

  constructor(private readonly inner: Inbox) {}

  async receive(updates: readonly Update[]): Promise<Update[]> {
    const fresh = await this.inner.receive(updates);
    for (const u of fresh) this.held.add(u.update_id);
    return fresh;
  }

  async done(updateId: number): Promise<void> {
    // Let go even if the write fails: another replica may take it over (its answer is written in place).
    this.held.delete(updateId);
    await this.inner.done(updateId);
  }

  reserveReply(updateId: number, messageId: number): Promise<void> {
    return this.inner.reserveReply(updateId, messageId);
  }

  renew(updateIds: readonly number[]): Promise<void> {
    return this.inner.renew(updateIds);
  }

  async pending(minAgeMs?: number): Promise<PendingUpdate[]> {
    const taken = await this.inner.pending(minAgeMs);
    for (const p of taken) this.held.add(p.update.update_id);
    return taken;
  }

  /** Renews every update this process holds. */
  async renewHeld(): Promise<void> {
    if (this.held.size > 0) await this.inner.renew([...this.held]);
  }
}
