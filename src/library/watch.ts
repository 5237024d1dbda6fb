/**
 * Notices changes made outside this process: files dropped into (or deleted from) the corpus
 * folder by hand, and index updates by another trichdan process (`trichdan add`, a cron
 * `trichdan feeds --once`). Folder events are debounced; the manifest is also compared every
 * `intervalMs`, since file-system events are not delivered on every file system.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { CorpusLibrary } from './library.ts';

/** Quiet time after the last folder event before re-scanning (a copy of many files is one refresh). */
const DEBOUNCE_MS = 300;

/** Starts watching; returns a function that stops it. */
export function watchCorpus(library: CorpusLibrary, dirs: { corpusDir: string }, intervalMs: number, log: (line: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const refresh = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const report = await library.refresh();
      const n = report.added.length + report.updated.length + report.removed.length;
      if (n) log(`corpus: ${report.added.length} added, ${report.updated.length} changed, ${report.removed.length} removed (now answering from them)`);
    } catch (error) {
      log(`corpus: refresh failed: ${(error as Error).message}`);
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), DEBOUNCE_MS);
    timer.unref();
  };

  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirs.corpusDir, { persistent: false }, (_event, name) => {
      if (!name || !name.startsWith('.')) schedule(); // dot-files are our own temporary files
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    log('corpus: folder events are not available here; checking every interval instead');
  }
  const poll =
    intervalMs > 0
      ? setInterval(async () => {
          if (!watcher || (await library.changedOnDisk())) schedule();
        }, intervalMs)
      : undefined;
  poll?.unref();
  return () => {
    clearTimeout(timer);
    clearInterval(poll);
    watcher?.close();
  };
}
