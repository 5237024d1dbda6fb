import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseProblem, DigestStoreError, openDatabase } from '../../src/db/database.ts';
import { messageForUser } from '../../src/cli/errors.ts';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'trichdan-db-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Opens `file` and returns the one line the CLI would print. */
function failure(file: string): string {
  let error: unknown;
  try {
    openDatabase(file).close();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DigestStoreError);
  const line = messageForUser(error);
  expect(line.split('\n')).toHaveLength(1);
  expect(line).toContain(file);
  expect(line).toContain('TRICHDAN_DB');
  return line;
}

describe('a database that cannot be used is refused at start with one line (issue 12)', () => {
  it('a file that is not a database', () => {
    const file = path.join(dir(), 'trichdan.sqlite');
    writeFileSync(file, 'Đây không phải là cơ sở dữ liệu. '.repeat(200));
    expect(failure(file)).toMatch(/is not an SQLite database: point TRICHDAN_DB at trichdan's database, or move this file away/);
  });

  it('a malformed database: a page zeroed in the middle is found by quick_check, not at the first write', () => {
    const file = path.join(dir(), 'trichdan.sqlite');
    const db = openDatabase(file);
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT); CREATE INDEX filler_text ON filler(text)');
    const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
    for (let i = 0; i < 2000; i++) insert.run(`hàng ${i} `.repeat(20));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const pageSize = 4096;
    const pages = statSync(file).size / pageSize;
    expect(pages).toBeGreaterThan(10);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, Math.floor(pages / 2) * pageSize);
    closeSync(fd);
    expect(failure(file)).toMatch(/is damaged \(.*\): restore it from a backup, or move it away to start a new one/);
  });

  it('a folder of the database that is a file', () => {
    const parent = path.join(dir(), 'data');
    writeFileSync(parent, 'x');
    expect(failure(path.join(parent, 'trichdan.sqlite'))).toMatch(/cannot be created: a file stands where its folder .* should be/);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only database file', () => {
    const file = path.join(dir(), 'trichdan.sqlite');
    openDatabase(file).close();
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    chmodSync(file, 0o444);
    chmodSync(path.dirname(file), 0o555);
    try {
      expect(failure(file)).toMatch(/cannot be written .*check the permissions of the file and its folder, or point TRICHDAN_DB elsewhere/);
    } finally {
      chmodSync(path.dirname(file), 0o755);
    }
  });

  it('says what to do for read-only and busy files (as SQLite reports them)', () => {
    expect(databaseProblem('/srv/t.sqlite', { code: 'SQLITE_READONLY', message: 'attempt to write a readonly database' })).toBe(
      'the database /srv/t.sqlite (TRICHDAN_DB) cannot be written (attempt to write a readonly database): check the permissions of the file and its folder, or point TRICHDAN_DB elsewhere',
    );
    expect(databaseProblem('/srv/t.sqlite', { code: 'SQLITE_BUSY', message: 'database is locked' })).toMatch(/is locked by another process/);
  });
});
