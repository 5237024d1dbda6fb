/**
 * Time as the digest sees it. The scheduler asks `now()`; delivery waits with `sleep()`.
 * Production uses {@link systemClock}; tests inject {@link FakeClock} and move time by hand.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** The real clock: `Date` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A clock that only moves when told to (`set`, `advance`), or when someone sleeps on it:
 * `sleep(ms)` moves the time forward by `ms` and resolves on the next macrotask, so code
 * that paces itself with `sleep` runs instantly in tests while still "seeing" time pass.
 */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string | number) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Jumps to an instant (forwards or backwards). */
  set(to: Date | string | number): void {
    this.current = new Date(to).getTime();
  }

  /** Moves the time forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }

  sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
    return new Promise((resolve) => setImmediate(resolve));
  }
}
