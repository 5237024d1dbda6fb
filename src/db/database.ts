import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

/** The database was written by a newer trichdan, or cannot be opened. */
export class DigestStoreError extends Error {
  override name = 'DigestStoreError';
}

/**
 * Opens the SQLite file (TRICHDAN_DB) that holds the digest and feed state, creating it and its
 * folder when missing: WAL (readers never wait for the one writer), foreign keys, a 5 s busy
 * timeout (several connections share the file), and every migration it has not seen yet.
 * Each store opens its own connection with this.
 */
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new DigestStoreError(
      `Cannot open the digest database ${file}: ${(err as Error).message}. Check TRICHDAN_DB and the folder's permissions.`,
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
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
