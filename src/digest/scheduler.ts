import type { Engine } from '../engine-types.ts';
import { systemClock, type Clock } from './clock.ts';
import type { DigestComposer } from './compose.ts';
import type { Broadcaster } from './delivery.ts';
import { dueSlot, type Slot } from './schedule.ts';
import type { DigestStore, Subscriber, SyncResult } from './store.ts';
import { describeDatabaseError } from '../db/errors.ts';

/** Options of {@link DigestScheduler}. */
export interface DigestSchedulerOptions {
  store: DigestStore;
  composer: DigestComposer;
  broadcaster: Broadcaster;
  /** Where the article registry is synced from (at start, and whenever its article list changes). */
  engine: Engine;
  /** How late a missed digest may still be sent (config.digest.graceMinutes). */
  graceMinutes: number;
  /** Scheduling clock: "is it 07:30 in Hanoi yet?" and the log's timestamps. Default: system clock. */
  clock?: Clock;
  /** Time between ticks when started. Default 30 s. */
  tickMs?: number;
  /** Chats served at once during a broadcast (the pacer still limits the rate). Default 32. */
  concurrency?: number;
  /** Attempts per digest for transient errors (network, 5xx, long flood-waits). Default 3. */
  maxAttempts?: number;
  /** Wait before retry `n` is `n` times this. Default 60 s. */
  retryDelayMs?: number;
  /** Where one-line reports go. Default: stderr. */
  log?: (line: string) => void;
  /**
   * Hears how many replicas share the database at each tick (from their heartbeats), so each
   * takes its share of the broadcast rate. Only called on a shared database.
   */
  onReplicas?: (count: number) => void;
}

/** What one tick did. */
export interface TickReport {
  /** Chats whose slot was due at this tick. */
  due: number;
  sent: number;
  skipped: number;
  /** Attempts that failed (will be retried while attempts and the grace window last). */
  failed: number;
  /** Chats unsubscribed because they blocked the bot or are gone. */
  gone: number;
  /** Telegram messages sent. */
  messages: number;
}

/**
 * Sends each subscriber's daily digest at their local time. Every tick it lists the chats
 * whose latest slot has come and is still within the grace window, claims each slot in the
 * delivery log (UNIQUE(chat_id, slot): a slot is claimed once, across restarts), composes,
 * and sends through the broadcaster, recording every message. Tests drive it with a fake
 * clock and call {@link tick} directly.
 */
export class DigestScheduler {
  private readonly store: DigestStore;
  private readonly composer: DigestComposer;
  private readonly broadcaster: Broadcaster;
  private engine: Engine;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly tickMs: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly log: (line: string) => void;
  private readonly onReplicas: (count: number) => void;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<TickReport> | null = null;
  private stopping = false;
  private syncedList: readonly unknown[] | null = null;
  /** Whether the start-up recovery ran (it is retried at the next tick when the database was down). */
  private recovered = false;

  constructor(options: DigestSchedulerOptions) {
    this.store = options.store;
    this.composer = options.composer;
    this.broadcaster = options.broadcaster;
    this.engine = options.engine;
    this.clock = options.clock ?? systemClock;
    this.graceMs = options.graceMinutes * 60_000;
    this.tickMs = options.tickMs ?? 30_000;
    this.concurrency = options.concurrency ?? 32;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 60_000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.onReplicas = options.onReplicas ?? (() => {});
  }

  /** How late a slot may be sent: the grace window, but never less than two ticks. */
  get windowMs(): number {
    return Math.max(this.graceMs, 2 * this.tickMs);
  }

  /** Recovers from an interrupted run, syncs the article registry and ticks every `tickMs`. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.stopping = false;
    // An unreachable database is not fatal here: the ticks retry, and recovery runs again with them.
    await this.recover().catch((err) => this.log(`digest: recovery after restart failed: ${describeDatabaseError(err)}`));
    // A database that is down fails every tick: said once, and once more when ticks work again.
    let failing: string | null = null;
    const run = () => {
      this.tick().then(
        () => {
          if (failing) this.log('digest: ticks work again; digests due meanwhile are sent now (within the grace window)');
          failing = null;
        },
        (err) => {
          const reason = describeDatabaseError(err);
          if (reason !== failing) this.log(`digest: tick failed: ${reason}`);
          failing = reason;
        },
      );
    };
    this.timer = setInterval(run, this.tickMs);
    this.timer.unref();
    run();
  }

  /** Stops ticking; a digest being sent is finished, chats not yet started wait for the next run. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
    if (this.store.shared) await this.store.leave().catch(() => undefined);
  }

  /** Start-up repairs: merges duplicate topics and marks what a previous process left half-done (see {@link DigestStore.recoverInterrupted}). */
  async recover(): Promise<void> {
    // Topics followed under an older trichdan's keys ("hoà" and "hòa" were two) are merged once.
    const merged = await this.store.rekeyTopics();
    if (merged) this.log(`digest: ${merged} duplicate topic(s) merged (same words, other tone-mark placement or case)`);
    const { retried, abandoned } = await this.store.recoverInterrupted();
    this.recovered = true; // only once it worked: a database down at start is recovered at a later tick
    if (retried || abandoned) {
      this.log(`digest: after a restart, ${retried} interrupted digest(s) will be retried, ${abandoned} cut short (not resent)`);
    }
  }

  /** Uses another engine (after a re-index) and syncs the registry with its articles. */
  setEngine(engine: Engine): void {
    this.engine = engine;
    this.composer.setEngine(engine);
    this.sync().catch((err) => this.log(`digest: registering articles failed: ${describeDatabaseError(err)}`));
  }

  /**
   * Brings the article registry up to date with the engine's corpus (cheap when nothing changed).
   * On a shared database an article missing here is not taken as removed (see DigestStore.syncArticles).
   */
  async sync(): Promise<SyncResult> {
    const list = this.engine.articles();
    if (list === this.syncedList) return { added: [], changed: [], removed: [] };
    const result = await this.store.syncArticles(list, { removals: !this.store.shared });
    this.syncedList = list;
    if (result.added.length || result.removed.length) {
      this.log(`digest: ${result.added.length} new article(s) registered, ${result.removed.length} removed`);
    }
    return result;
  }

  /**
   * Sends every digest that is due now. Concurrent calls share one run. Resolves when every
   * due chat was served (or left for the next tick because the scheduler is stopping).
   */
  tick(): Promise<TickReport> {
    if (!this.current) {
      this.current = this.runTick().finally(() => {
        this.current = null;
      });
    }
    return this.current;
  }

  private async runTick(): Promise<TickReport> {
    const report: TickReport = { due: 0, sent: 0, skipped: 0, failed: 0, gone: 0, messages: 0 };
    if (!this.recovered) await this.recover();
    if (this.store.shared) this.onReplicas(await this.store.heartbeat(3 * this.tickMs));
    await this.sync();
    this.composer.resetCache();
    const now = this.clock.now();
    const due: { sub: Subscriber; slot: Slot }[] = [];
    for (const sub of await this.store.activeSubscribers()) {
      const slot = dueSlot(sub, now, this.windowMs);
      if (slot) due.push({ sub, slot });
    }
    const logged = await this.store.deliveriesForSlots(due.map(({ sub, slot }) => ({ chatId: sub.chatId, slot: slot.key })));
    const jobs = due.filter(({ sub, slot }) => {
      const row = logged.get(`${sub.chatId}|${slot.key}`);
      if (!row) return true;
      const retryable = row.status === 'failed' && (!row.nextAttemptAt || row.nextAttemptAt <= now);
      // A replica died holding it: its lease ran out (claim decides whether it is resumed or given up).
      const orphaned = row.status === 'pending' && row.leaseUntil !== null && row.leaseUntil < now;
      return retryable || orphaned;
    });
    report.due = jobs.length;
    if (jobs.length === 0) return report;

    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !this.stopping) {
        const job = jobs[next++];
        try {
          await this.deliver(job.sub.chatId, job.slot, report);
        } catch (err) {
          report.failed++;
          this.log(`digest: chat ${job.sub.chatId}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, worker));
    this.log(
      `digest: ${report.due} due, ${report.sent} sent (${report.messages} messages), ${report.skipped} skipped, ${report.failed} failed, ${report.gone} unsubscribed (blocked)`,
    );
    return report;
  }

  /** Claims, composes (first attempt only) and sends one chat's digest for one slot. */
  private async deliver(chatId: number, slot: Slot, report: TickReport): Promise<void> {
    const claim = await this.store.claim(chatId, slot.key, slot.at);
    if (!claim) return; // someone else has it, or it is done
    const retryAt = () =>
      claim.attempts < this.maxAttempts
        ? new Date(this.clock.now().getTime() + this.retryDelayMs * claim.attempts)
        : undefined;

    let parts = claim.parts;
    if (parts === null) {
      const sub = await this.store.getSubscriber(chatId);
      if (!sub?.active) {
        await this.store.fail(claim.id, 'unsubscribed before sending');
        return;
      }
      let digest;
      try {
        digest = await this.composer.scheduled(sub, slot.key, await this.store.topics(chatId));
      } catch (err) {
        await this.store.fail(claim.id, `composing failed: ${(err as Error).message}`, retryAt());
        report.failed++;
        return;
      }
      if (digest.empty && !sub.sendEmpty) {
        await this.store.saveComposition(claim.id, [], digest.throughSeq);
        await this.store.finish(claim.id, 'skipped');
        report.skipped++;
        return;
      }
      await this.store.saveComposition(claim.id, digest.parts, digest.throughSeq);
      parts = digest.parts;
    }

    for (let i = claim.partsSent; i < parts.length; i++) {
      // Checked once it is this message's turn: a lease that ran out while waiting went to another
      // replica, and sending now could duplicate its message.
      const outcome = await this.broadcaster.send(chatId, parts[i], () => this.store.markInFlight(claim.id));
      if (!outcome.ok && outcome.kind === 'cancelled') return;
      if (outcome.ok) {
        await this.store.recordPartSent(claim.id, outcome.messageId);
        report.messages++;
        continue;
      }
      if (outcome.kind === 'gone') {
        await this.store.fail(claim.id, outcome.error);
        await this.store.unsubscribe(chatId, 'blocked');
        report.gone++;
        this.log(`digest: chat ${chatId} unsubscribed: ${outcome.error}`);
      } else {
        const at = outcome.kind === 'transient' ? retryAt() : undefined;
        await this.store.fail(claim.id, outcome.error, at);
        report.failed++;
        this.log(`digest: chat ${chatId}, ${slot.key}: ${outcome.error}${at ? `; retry after ${at.toISOString()}` : '; giving up'}`);
      }
      return;
    }
    await this.store.finish(claim.id, 'sent');
    report.sent++;
  }
}
