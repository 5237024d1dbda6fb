import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';
import { UserError } from '../errors.ts';

/** The database was written by a newer trichdan, or cannot be opened. */
export class DigestStoreError extends UserError {
  override name = 'DigestStoreError';
}

/**
 * Opens the SQLite file (TRICHDAN_DB) that holds the digest and feed state, creating it and its
 * folder when missing: WAL (readers never wait for the one writer), foreign keys, a 5 s busy
 * timeout (several connections share the file), and every migration it has not seen yet.
 * Each store opens its own connection with this.
 */
export function openDatabase(file: string): Database.Database {
  let db: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw new DigestStoreError(databaseProblem(file, err));
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const version = fileVersion(file);
    if (checked.get(file) !== version) {
      // A damaged file is refused at start, not at the first write (a zeroed page opens fine).
      const result = db.pragma('quick_check', { simple: true });
      if (result !== 'ok') throw Object.assign(new Error(String(result)), { code: 'SQLITE_CORRUPT' });
      checked.set(file, version);
    }
    migrate(db);
  } catch (err) {
    db.close();
    throw err instanceof DigestStoreError ? err : new DigestStoreError(databaseProblem(file, err));
  }
  return db;
}

/**
 * Files that passed `PRAGMA quick_check` in this process, with their size and time of change then
 * (each store opens its own connection: one check per start, again when the file changed).
 */
const checked = new Map<string, string>();

function fileVersion(file: string): string {
  const info = file === ':memory:' ? undefined : statSync(file, { throwIfNoEntry: false });
  return info ? `${info.size}:${info.mtimeMs}` : '';
}

/** One line for a database that cannot be used: the file, TRICHDAN_DB, what is wrong and what to do. */
export function databaseProblem(file: string, err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '');
  const detail = ((err as Error).message ?? String(err)).split('\n')[0];
  const head = `the database ${file} (TRICHDAN_DB)`;
  if (code === 'SQLITE_NOTADB') {
    return `${head} is not an SQLite database: point TRICHDAN_DB at trichdan's database, or move this file away to start a new one`;
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return `${head} is damaged (${detail}): restore it from a backup, or move it away to start a new one (subscriptions, topics and feed state start empty)`;
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EROFS') {
    return `${head} cannot be written (${detail}): check the permissions of the file and its folder, or point TRICHDAN_DB elsewhere`;
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return `${head} cannot be created: a file stands where its folder ${path.dirname(file)} should be; move it away or point TRICHDAN_DB elsewhere`;
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `${head}: the disk is full; free some space or point TRICHDAN_DB at another disk`;
  if (code.startsWith('SQLITE_BUSY')) return `${head} is locked by another process (${detail}): stop it, or point TRICHDAN_DB elsewhere`;
  return `${head} cannot be opened (${detail}): check TRICHDAN_DB`;
}

/**
 * Applies the migrations this file has not seen yet, each in its own transaction together with
 * the version bump. The version is read inside an IMMEDIATE transaction, so two connections
 * opening the same file at once never run one migration twice.
 */
function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const applyNext = db.transaction((): boolean => {
    const v = version();
    if (v > MIGRATIONS.length) {
      throw new DigestStoreError(
        `The digest database is at schema version ${v}, newer than this trichdan knows (${MIGRATIONS.length}). Upgrade trichdan or point TRICHDAN_DB elsewhere.`,
      );
    }
    if (v === MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${v + 1}`);
    return true;
  });
  if (version() === MIGRATIONS.length) return; // up to date: no write lock needed
  while (applyNext.immediate()) {
    // one migration per transaction
  }
}
