/**
 * One bot per store: a running bot holds `<TRICHDAN_DB>.bot.lock`, a file holding its pid, so a
 * second bot on the same SQLite file (which would send every digest twice and answer from two
 * caches) refuses to start with one line. The lock is advisory: a lock whose process is gone
 * (kill -9, a crash) is taken over. CLI commands (`add`, `feeds --once`) do not take it: they
 * share the file safely through SQLite's own locking.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../process-alive.ts';
import { UserError } from '../errors.ts';

/** Another live bot process holds the store. */
export class BotLockedError extends UserError {
  override name = 'BotLockedError';
}

/** A held lock; `release` removes the file (only if it is still ours). */
export interface BotLock {
  file: string;
  release(): void;
}

/** The lock file of a database file. */
export function botLockFile(dbPath: string): string {
  return `${dbPath}.bot.lock`;
}


function ownerOf(file: string): number {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
}

/**
 * Takes the bot lock of `dbPath` (`:memory:` needs none). The pid is written to a temporary file
 * that is then hard-linked into place, so the lock file never exists without its pid. Throws a
 * BotLockedError naming the pid, the file and TRICHDAN_DB when a live process holds it.
 */
export function acquireBotLock(dbPath: string): BotLock {
  if (dbPath === ':memory:') return { file: '', release: () => {} };
  const file = botLockFile(dbPath);
  if (held.has(file)) {
    throw new BotLockedError(`a bot in this process already runs on the database ${dbPath}: give this one its own TRICHDAN_DB`);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
        const owner = ownerOf(file);
        if (owner !== process.pid && processAlive(owner)) {
          throw new BotLockedError(
            `another trichdan bot (pid ${owner}) is running on the database ${dbPath}: stop it first, or give this bot its own TRICHDAN_DB (lock file ${file})`,
          );
        }
        rmSync(file, { force: true }); // left by a process that is gone
      }
    }
  } finally {
    rmSync(temp, { force: true });
  }
  held.add(file);
  // Also on process.exit (the bot's `finally` does not run then); kill -9 leaves a lock that the next start takes over.
  const release = () => {
    if (!held.delete(file)) return;
    process.off('exit', release);
    if (ownerOf(file) === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { file, release };
}

/** Lock files held by this process. */
const held = new Set<string>();
