import type { Clock } from './clock.ts';

/**
 * Paces sends to Telegram's broadcast limits: at most `perSecond` messages overall, evenly
 * spaced, and at least `perChatMs` between two messages to the same chat. A flood-wait
 * (`pauseUntil`) holds every sender until it has passed.
 */
export class SendPacer {
  private nextGlobal = 0;
  private pausedUntil = 0;
  private readonly lastByChat = new Map<number, number>();
  private spacingMs: number;

  constructor(
    private readonly clock: Clock,
    perSecond: number,
    private readonly perChatMs = 1000,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`SendPacer: perSecond must be positive, got ${perSecond}`);
    this.spacingMs = 1000 / perSecond;
  }

  /** Changes the overall rate (a replica's share changes as replicas come and go). */
  setRate(perSecond: number): void {
    if (perSecond > 0) this.spacingMs = 1000 / perSecond;
  }

  /** Waits until a message to `chatId` may go out, and reserves that moment. */
  async acquire(chatId: number): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      const chatReady = (this.lastByChat.get(chatId) ?? -Infinity) + this.perChatMs;
      const start = Math.max(now, this.pausedUntil, chatReady);
      if (start > now) {
        await this.clock.sleep(start - now);
        continue;
      }
      // Reserve the next global slot; wait for it if it is in the future.
      const slot = Math.max(now, this.nextGlobal);
      this.nextGlobal = slot + this.spacingMs;
      this.lastByChat.set(chatId, slot);
      if (slot > now) await this.clock.sleep(slot - now);
      if (this.clock.now().getTime() < this.pausedUntil) continue; // a flood-wait began meanwhile
      this.lastByChat.set(chatId, this.clock.now().getTime());
      this.prune(now);
      return;
    }
  }

  /** Holds every sender until `ms` from now (Telegram's `retry_after`). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now().getTime() + ms);
  }

  /** Forgets chats whose spacing has long passed, so the map stays small during a broadcast. */
  private prune(now: number): void {
    if (this.lastByChat.size < 4096) return;
    for (const [chat, at] of this.lastByChat) if (at + this.perChatMs < now) this.lastByChat.delete(chat);
  }
}
