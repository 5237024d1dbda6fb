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
  /**
   * Takes the updates received but never marked done (an earlier process stopped first), oldest
   * first; with `minAgeMs`, only those that arrived at least that long ago (replicas: younger
   * ones are being handled by a live replica).
   */
  pending(minAgeMs?: number): Promise<PendingUpdate[]>;
}
