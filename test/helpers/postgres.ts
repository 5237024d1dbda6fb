/**
 * A real PostgreSQL server for tests (issue 13): `initdb` in a temporary folder, `pg_ctl` on
 * 127.0.0.1 with a free port, trust authentication, durability switched off for speed. Never a mock.
 *
 * `initdb` refuses to run as root, and sessions and CI run as root: there the temporary folder is
 * handed to the `postgres` system user and every PostgreSQL binary runs as that user (spawned with
 * its uid/gid, no shell, so no quoting). As any other user the binaries run directly.
 *
 * The server's settings (port, listen address, socket folder, fsync...) go into its
 * `postgresql.conf` rather than onto a `pg_ctl -o` command line (which pg_ctl hands to a shell), so
 * a restart after `stop()` comes back with the same port and data.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, appendFileSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A running (or stopped, restartable) test server. */
export interface PgServer {
  /** Admin URL: `postgres://postgres@127.0.0.1:PORT/postgres`. */
  url: string;
  port: number;
  /** The cluster's data folder (inside the temporary folder). */
  dataDir: string;
  /** `pg_ctl -m fast stop`; keeps the data so that `start()` can bring it back. */
  stop(): Promise<void>;
  /** Starts it again after `stop()`, same port and data. */
  start(): Promise<void>;
  /** `CREATE DATABASE` (default name `t_<random hex>`); returns that database's URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server if it runs and removes the temporary folder; the server cannot start again. */
  destroy(): Promise<void>;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'];
const HOW_TO_ENABLE = 'install them (apt-get install -y postgresql-15) or set TRICHDAN_PG_BIN to the folder holding initdb and pg_ctl';

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const hasAll = (dir: string) => REQUIRED.every((b) => isExecutable(path.join(dir, b)));

/** Debian/Ubuntu layout: `/usr/lib/postgresql/<major>/bin`, highest major first. */
function debianBins(): string[] {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return [];
  }
  return versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'));
}

/** The folder of the `initdb` found on PATH (symlinks resolved: pg_ctl looks for `postgres` beside its real self). */
function pathBin(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const initdb = path.join(dir, 'initdb');
    if (!isExecutable(initdb)) continue;
    const real = path.dirname(realpathSync(initdb));
    if (hasAll(real)) return real;
  }
  return null;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** As root: the `postgres` user's ids (initdb refuses root). Null when not root; 'missing' when root and no such user. */
function runAs(): RunAs | null | 'missing' {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid) && uid > 0) return { uid, gid };
  } catch {
    // no such user
  }
  return 'missing';
}

/**
 * Where the PostgreSQL server binaries are: TRICHDAN_PG_BIN, else the highest
 * `/usr/lib/postgresql/<n>/bin`, else PATH. `missing` is one sentence saying why the PostgreSQL
 * tests skip and how to enable them.
 */
export function findPostgres(): { bin: string } | { missing: string } {
  let bin: string | null = null;
  const fromEnv = process.env.TRICHDAN_PG_BIN;
  if (fromEnv) {
    if (!hasAll(fromEnv)) {
      return {
        missing: `PostgreSQL tests skipped: TRICHDAN_PG_BIN=${fromEnv} does not hold executable ${REQUIRED.join(', ')}; point it at the folder that does (e.g. /usr/lib/postgresql/15/bin) or unset it.`,
      };
    }
    bin = fromEnv;
  } else {
    bin = debianBins().find(hasAll) ?? pathBin();
  }
  if (!bin) {
    return {
      missing: `PostgreSQL tests skipped: no PostgreSQL server binaries (initdb, pg_ctl, postgres) in TRICHDAN_PG_BIN, /usr/lib/postgresql/*/bin or PATH; ${HOW_TO_ENABLE}.`,
    };
  }
  if (runAs() === 'missing') {
    return {
      missing: `PostgreSQL tests skipped: running as root, initdb refuses root and there is no 'postgres' user to run it as; create one (useradd --system postgres, or apt-get install -y postgresql-15) or run the tests as another user.`,
    };
  }
  return { bin };
}

/** A port nobody listens on right now (listen on port 0, note it, close). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary (as `postgres` when we are root); rejects with its output on failure. */
function run(file: string, args: string[], as: RunAs | null, cwd: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, timeout: timeoutMs, encoding: 'utf8', env: childEnv(), ...(as ? { uid: as.uid, gid: as.gid } : {}) },
      (err, stdout, stderr) => {
        if (err) {
          const out = `${stdout}${stderr}`.trim();
          reject(new Error(`${path.basename(file)} ${args.join(' ')} failed (${err.message.split('\n')[0]})${out ? `:\n${out}` : ''}`));
        } else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** The caller's environment without PG* variables that could point the binaries at another cluster. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const k of Object.keys(env)) if (/^PG[A-Z]/.test(k)) delete env[k];
  return env;
}

const tail = (file: string, lines = 20): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
};

const quoteConf = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * A watchdog for one server: a small detached shell (running as the server's user) that waits
 * for this process to end, then stops the server (`-m immediate`) and removes its folder. It
 * covers a test that forgets `destroy()`, times out halfway through `startPostgres()`, or a process
 * killed outright: vitest's fork workers end without running process 'exit' handlers, and a
 * postmaster started by pg_ctl outlives whoever started it. `destroy()` ends the watchdog.
 */
const WATCHDOG = `
pid=$1; pgctl=$2; data=$3; dir=$4
alive() { if [ -d /proc/self ]; then [ -d "/proc/$pid" ]; else kill -0 "$pid" 2>/dev/null; fi; }
while alive; do sleep 1; done
if [ -f "$data/postmaster.pid" ]; then "$pgctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1; fi
rm -rf "$dir"
`;
function startWatchdog(pgCtl: string, dataDir: string, dir: string, as: RunAs | null): ChildProcess {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'trichdan-pg-watchdog', String(process.pid), pgCtl, dataDir, dir], {
    cwd: '/',
    detached: true,
    stdio: 'ignore',
    env: childEnv(),
    ...(as ? { uid: as.uid, gid: as.gid } : {}),
  });
  child.on('error', () => {}); // best effort: without /bin/sh there is no watchdog, destroy() still works
  child.unref();
  return child;
}

/**
 * initdb in a fresh temporary folder and starts the server on a free 127.0.0.1 port (a unix
 * socket in that folder too). Throws with the last lines of the server log if it does not come up.
 */
export async function startPostgres(): Promise<PgServer> {
  const found = findPostgres();
  if ('missing' in found) throw new Error(found.missing);
  const { bin } = found;
  const as = runAs();
  if (as === 'missing') throw new Error('running as root without a postgres user'); // findPostgres said so already
  const initdb = path.join(bin, 'initdb');
  const pgCtl = path.join(bin, 'pg_ctl');

  const dir = mkdtempSync(path.join(tmpdir(), 'trichdan-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (Buffer.byteLength(path.join(dir, '.s.PGSQL.65535')) > 103) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the temporary folder ${dir} is too long for a unix socket path; set TMPDIR to a shorter folder`);
  }
  if (as) chownSync(dir, as.uid, as.gid);
  const watchdog = startWatchdog(pgCtl, dataDir, dir, as);

  let state: 'stopped' | 'running' | 'destroyed' = 'stopped';
  let port = 0;

  const pgStart = async () => {
    try {
      await run(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'], as, dir, 90_000);
    } catch (err) {
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${port} (data ${dataDir}): ${(err as Error).message}\n--- last lines of ${logFile} ---\n${tail(logFile)}`);
    }
    state = 'running';
  };

  const pgStop = async () => {
    if (state !== 'running') return;
    try {
      await run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], as, dir, 90_000);
    } catch (err) {
      throw new Error(`PostgreSQL on port ${port} did not stop: ${(err as Error).message}\n--- last lines of ${logFile} ---\n${tail(logFile)}`);
    }
    state = 'stopped';
  };

  try {
    await run(initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], as, dir);
    // The port is free when picked but could be taken before the postmaster binds it: a few tries.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      appendFileSync(
        path.join(dataDir, 'postgresql.conf'),
        [
          '',
          '# trichdan test server (test/helpers/postgres.ts); later lines win',
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = ${quoteConf(dir)}`,
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'max_connections = 200',
          "log_min_messages = 'warning'",
          '',
        ].join('\n'),
      );
      try {
        await pgStart();
        break;
      } catch (err) {
        const portTaken = /could not bind|Address already in use/i.test(tail(logFile, 40));
        if (!portTaken || attempt >= 3) throw err;
      }
    }
  } catch (err) {
    watchdog.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    stop: pgStop,
    async start() {
      if (state === 'destroyed') throw new Error('this PostgreSQL test server was destroyed');
      if (state === 'running') return;
      await pgStart();
    },
    createDatabase: (name) => createDatabase(url, name),
    async destroy() {
      if (state === 'destroyed') return;
      try {
        await pgStop();
      } finally {
        state = 'destroyed';
        watchdog.kill();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `CREATE DATABASE` on the server of `adminUrl` (default name `t_<random hex>`); returns the new database's URL. */
export async function createDatabase(adminUrl: string, name = `t_${randomBytes(6).toString('hex')}`): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

