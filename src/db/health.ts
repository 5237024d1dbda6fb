/**
 * Watches whether the database answers: a ping every few seconds, one log line when it stops
 * answering and one when it is back. The bot asks {@link DatabaseHealth.problem} before taking
 * an update (webhook: 503 meanwhile) and /readyz reports it; nothing restarts, the pool
 * reconnects by itself once the server is back.
 */
import { describeDatabaseError } from './errors.ts';
import type { SqlClient } from './sql.ts';

export class DatabaseHealth {
  private reason: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly sql: SqlClient,
    private readonly log: (line: string) => void,
    private readonly everyMs = 2000,
  ) {}

  /** Why the database cannot be used now, or null when it answered the last ping. */
  problem(): string | null {
    return this.reason;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One ping; logs a change of state. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.sql.ping();
      if (this.reason) this.log(`database ${this.sql.description} answers again: taking updates`);
      this.reason = null;
    } catch (error) {
      const reason = describeDatabaseError(error);
      if (!this.reason) this.log(`database ${this.sql.description}: ${reason}; not taking updates until it is back (retrying every ${this.everyMs / 1000} s)`);
      this.reason = reason;
    } finally {
      this.checking = false;
    }
  }
}
