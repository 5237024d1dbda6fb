import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IndexLockedError, withIndexLock } from '../../src/index/lock.ts';
import { PROJECT_ROOT, tempDir } from '../helpers/engine.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lockFile = (dir: string) => path.join(dir, '.lock');

/** Processes this file started (each killed by its own pid afterwards). */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A live process that is not this one (so its pid in the lock file is a live other owner). */
function liveProcess(seconds = 30): ChildProcess {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
  started.push(child);
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('withIndexLock', () => {
  it('runs the work holding a lock file with its pid, creates the folder, and removes the lock after', async () => {
    const dir = path.join(await tempDir('trichdan-lock-'), 'index', 'not-yet');
    let seen = '';
    const result = await withIndexLock(dir, async () => {
      seen = await readFile(lockFile(dir), 'utf8');
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toBe(`${process.pid}\n`);
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('releases the lock when the work throws, and passes the error on', async () => {
    const dir = await tempDir('trichdan-lock-');
    await expect(withIndexLock(dir, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(existsSync(lockFile(dir))).toBe(false);
    await expect(withIndexLock(dir, async () => 'again')).resolves.toBe('again');
  });

  it('refuses a second holder in the same process (callers serialise themselves) without breaking the first', async () => {
    const dir = await tempDir('trichdan-lock-');
    let inside = false;
    const first = withIndexLock(dir, async () => {
      inside = true;
      await sleep(200);
      // The refused caller did not remove our lock.
      expect(await readFile(lockFile(dir), 'utf8')).toBe(`${process.pid}\n`);
      return 'first';
    });
    while (!inside) await sleep(5);
    await expect(withIndexLock(dir, async () => 'second')).rejects.toThrow(/taken twice by one process/);
    await expect(withIndexLock(dir, async () => withIndexLock(dir, async () => 'nested'))).rejects.toThrow(/taken twice/);
    expect(await first).toBe('first');
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('takes over a lock left by a process that died (kill -9)', async () => {
    const dir = await tempDir('trichdan-lock-');
    const pid = await deadPid();
    await writeFile(lockFile(dir), `${pid}\n`);
    const t0 = Date.now();
    let seen = '';
    await withIndexLock(dir, async () => {
      seen = await readFile(lockFile(dir), 'utf8');
    });
    expect(seen).toBe(`${process.pid}\n`);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('takes over a lock file that holds no pid once it is old (a crash between creating and writing it)', async () => {
    for (const content of ['', 'garbage\n']) {
      const dir = await tempDir('trichdan-lock-');
      await writeFile(lockFile(dir), content);
      const old = new Date(Date.now() - 60_000);
      await utimes(lockFile(dir), old, old);
      await expect(withIndexLock(dir, async () => 'ran', 1000)).resolves.toBe('ran');
    }
  });

  it('waits for a live owner, then says which process holds the index', async () => {
    const dir = await tempDir('trichdan-lock-');
    const owner = liveProcess();
    await writeFile(lockFile(dir), `${owner.pid}\n`);
    let ran = false;
    const t0 = Date.now();
    const error = await withIndexLock(
      dir,
      async () => {
        ran = true;
      },
      400,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexLockedError);
    expect((error as Error).message).toBe(
      `the index ${dir} is being changed by another trichdan process (pid ${owner.pid}); try again when it has finished`,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(ran).toBe(false);
    // The waiter leaves the owner's lock alone.
    expect(await readFile(lockFile(dir), 'utf8')).toBe(`${owner.pid}\n`);
  });

  it('goes ahead as soon as a live owner releases the lock, or dies', async () => {
    for (const release of ['unlock', 'die'] as const) {
      const dir = await tempDir('trichdan-lock-');
      const owner = liveProcess();
      await writeFile(lockFile(dir), `${owner.pid}\n`);
      const t0 = Date.now();
      setTimeout(() => (release === 'unlock' ? void rm(lockFile(dir)) : owner.kill('SIGKILL')), 300);
      const waited = await withIndexLock(dir, async () => Date.now() - t0, 10_000);
      expect(waited, release).toBeGreaterThanOrEqual(290);
      expect(waited, release).toBeLessThan(5000);
      expect(existsSync(lockFile(dir))).toBe(false);
    }
  });

  it('does not take a lock whose owner is still writing its pid (an empty file a moment old)', async () => {
    const dir = await tempDir('trichdan-lock-');
    const owner = liveProcess();
    // The owner has just created the file (open "wx") and writes its pid a moment later.
    await writeFile(lockFile(dir), '');
    setTimeout(() => void writeFile(lockFile(dir), `${owner.pid}\n`), 20);
    let ran = false;
    const error = await withIndexLock(
      dir,
      async () => {
        ran = true;
      },
      500,
    ).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(IndexLockedError);
    expect(await readFile(lockFile(dir), 'utf8')).toBe(`${owner.pid}\n`);
  });

  it('keeps two processes from changing one index at once', async () => {
    const dir = await tempDir('trichdan-lock-');
    const log = path.join(dir, 'log.txt');
    // Another process (the CLI, a cron job) takes the lock and holds it for 800 ms.
    const script = [
      `import { appendFile } from 'node:fs/promises';`,
      `import { withIndexLock } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/index/lock.ts'))};`,
      `await withIndexLock(${JSON.stringify(dir)}, async () => {`,
      `  await appendFile(${JSON.stringify(log)}, 'child start\\n');`,
      `  await new Promise((r) => setTimeout(r, 800));`,
      `  await appendFile(${JSON.stringify(log)}, 'child end\\n');`,
      `});`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Wait until the child holds the lock.
    const t0 = Date.now();
    while (!existsSync(log)) {
      if (Date.now() - t0 > 20_000) throw new Error(`the child never took the lock: ${stderr}`);
      await sleep(10);
    }
    expect(Number.parseInt(await readFile(lockFile(dir), 'utf8'), 10)).toBe(child.pid);
    await withIndexLock(
      dir,
      async () => {
        await writeFile(log, `${await readFile(log, 'utf8')}parent\n`);
      },
      20_000,
    );
    expect(await exited).toBe(0);
    expect(await readFile(log, 'utf8')).toBe('child start\nchild end\nparent\n');
  });
});
