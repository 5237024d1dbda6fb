import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireBotLock, botLockFile, BotLockedError } from '../../src/db/bot-lock.ts';

const dirs: string[] = [];
const dbIn = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trichdan-botlock-'));
  dirs.push(dir);
  return path.join(dir, 'data', 'trichdan.sqlite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('one bot per store (issue 12)', () => {
  it('writes its pid beside the database and removes the file on release', () => {
    const db = dbIn();
    const lock = acquireBotLock(db);
    expect(lock.file).toBe(botLockFile(db));
    expect(readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    acquireBotLock(db).release();
  });

  it('refuses while another live process holds it, naming the pid, the file and TRICHDAN_DB; takes it over once that process is gone', async () => {
    const db = dbIn();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      acquireBotLock(db).release(); // creates the folder
      writeFileSync(botLockFile(db), `${other.pid}\n`);
      expect(() => acquireBotLock(db)).toThrow(BotLockedError);
      expect(() => acquireBotLock(db)).toThrow(
        `another trichdan bot (pid ${other.pid}) is running on the database ${db}: stop it first, or give this bot its own TRICHDAN_DB`,
      );
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    const lock = acquireBotLock(db); // the holder died without cleaning up (kill -9)
    expect(readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('refuses a second bot in the same process', () => {
    const db = dbIn();
    const lock = acquireBotLock(db);
    expect(() => acquireBotLock(db)).toThrow(/already runs on the database/);
    lock.release();
  });
});
