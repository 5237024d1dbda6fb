/**
 * A progress bar for long steps (embedding, downloads) that draws only on an interactive
 * terminal: in tests, pipes and CI it stays silent, or prints one final line when asked.
 */
import cliProgress from 'cli-progress';

/** A running progress display. */
export interface Progress {
  /** Sets the number of items done so far (and, optionally, a new total). */
  update(done: number, total?: number): void;
  /** Ends the display; safe to call twice. */
  stop(): void;
}

/** Where and how `createProgress` draws. */
export interface ProgressOptions {
  /** Stream to draw on (default `process.stderr`). */
  stream?: NodeJS.WriteStream;
  /** Force drawing on (true) or off (false); default: only when the stream is a TTY. */
  interactive?: boolean;
  /** When not interactive, print one `label: done/total` line at `stop()` (default false). */
  finalLine?: boolean;
}

/** Starts a progress bar labelled `label` counting up to `total`. */
export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const interactive = options.interactive ?? Boolean(stream.isTTY);
  let done = 0;
  let stopped = false;

  if (!interactive) {
    return {
      update(n, newTotal) {
        done = n;
        if (newTotal !== undefined) total = newTotal;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        if (options.finalLine) stream.write(`${label}: ${done}/${total}\n`);
      },
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update(n, newTotal) {
      if (stopped) return;
      if (newTotal !== undefined && newTotal !== total) {
        total = newTotal;
        bar.setTotal(total);
      }
      done = n;
      bar.update(n);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
