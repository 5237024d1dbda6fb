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
 * A clock that only moves when told to (`set`, `advance`), or when code sleeps on it: each
 * `sleep(ms)` is a virtual timer, and pending timers fire one at a time, earliest first, on
 * later macrotasks, moving the time to when they are due. Code that paces itself with
 * `sleep` therefore runs at once in tests while seeing consistent time pass.
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

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
    return new Promise((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve });
      setImmediate(() => this.fireNext());
    });
  }

  private fireNext(): void {
    if (this.timers.length === 0) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const timer = this.timers.shift()!;
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
  }
}
