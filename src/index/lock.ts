/**
 * One writer per index directory at a time, across processes (the bot, `trichdan add`, a cron
 * `trichdan feeds --once`): an exclusive lock file holding the owner's pid. A lock whose process
 * is gone (kill -9) is taken over; a live owner is waited for, then reported by name.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { processAlive } from '../process-alive.ts';
import { UserError } from '../errors.ts';

const LOCK_FILE = '.lock';
/** A lock file without a pid younger than this may be one whose owner is still writing it. */
const HALF_WRITTEN_MS = 2_000;

/** The index is locked by another live process for longer than we waited. */
export class IndexLockedError extends UserError {
  override name = 'IndexLockedError';
}


/**
 * Runs `work` holding the lock of `dir`. In-process callers must serialise themselves (the
 * library does); this guards against other processes.
 */
export async function withIndexLock<T>(dir: string, work: () => Promise<T>, waitMs = 30_000): Promise<T> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (owner === process.pid) throw new Error(`index lock of ${dir} taken twice by one process`);
      if (!processAlive(owner)) {
        // Left by a process that died; a half-written pid (empty file) counts as dead only once it is old enough to not be
        // mid-write: until then it is read again (the owner may have written its pid meanwhile).
        if (Number.isNaN(owner)) {
          const info = await stat(file).catch(() => null);
          if (info && Date.now() - info.mtimeMs < HALF_WRITTEN_MS) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            continue;
          }
        }
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new IndexLockedError(`the index ${dir} is being changed by another trichdan process (pid ${owner}); try again when it has finished`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rm(file, { force: true });
  }
}
