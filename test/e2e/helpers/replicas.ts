/**
 * Several `trichdan bot` processes (replicas) on one PostgreSQL database behind one webhook URL,
 * against the Bot API emulator (issue 13). The load balancer in front of them is a small
 * round-robin proxy on 127.0.0.1 that skips a replica that does not answer (as a load balancer
 * reading /readyz would) and can deliver an update a second time to another replica, the way
 * Telegram re-sends an update whose webhook call timed out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './emulator.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export const WEBHOOK_SECRET = 'replica-test-secret_0123456789';

/** One running replica. */
export interface Replica {
  index: number;
  port: number;
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
  alive(): boolean;
}

/** Starts a `trichdan bot` replica with its own corpus copy and index folder, in webhook mode on `port`. */
export function startReplica(options: {
  index: number;
  port: number;
  work: string;
  databaseUrl: string;
  apiRoot: string;
  token: string;
  webhookUrl: string;
  env?: Record<string, string>;
}): Replica {
  const home = path.join(options.work, `replica-${options.index}`);
  const corpus = path.join(home, 'corpus');
  mkdirSync(home, { recursive: true });
  // Each replica has its own corpus folder (a copy of the seed) and index; the registry keeps them in step.
  cpSync(path.join(ROOT, 'corpus'), corpus, { recursive: true, force: false, errorOnExist: false });
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/trichdan.js'), 'bot'], {
    cwd: ROOT,
    env: {
      ...process.env,
      npm_lifecycle_event: '',
      TELEGRAM_BOT_TOKEN: options.token,
      TELEGRAM_API_ROOT: options.apiRoot,
      TRICHDAN_BOT_MODE: 'webhook',
      TRICHDAN_WEBHOOK_URL: options.webhookUrl,
      TRICHDAN_WEBHOOK_PORT: String(options.port),
      TRICHDAN_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TRICHDAN_DATABASE_URL: options.databaseUrl,
      TRICHDAN_CORPUS_DIR: corpus,
      TRICHDAN_INDEX_DIR: path.join(home, 'index'),
      TRICHDAN_MODELS_DIR: path.join(home, 'no-models'),
      TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
      TRICHDAN_DB: path.join(home, 'unused.sqlite'),
      TRICHDAN_LOG_LEVEL: 'info',
      TRICHDAN_RATE_LIMIT_PER_MINUTE: '1000',
      TRICHDAN_DIGEST_DEFAULT_TZ: 'UTC',
      TRICHDAN_DIGEST_TICK_SECONDS: '1',
      TRICHDAN_DIGEST_LEASE_SECONDS: '3',
      TRICHDAN_BROADCAST_PER_SECOND: '30',
      TRICHDAN_REGISTRY_SYNC_SECONDS: '0.5',
      ...options.env,
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', () => {});
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  return { index: options.index, port: options.port, child, stderr: () => stderr, exited, alive: () => running };
}

/** Stops replicas: SIGTERM, then SIGKILL after 10 s. */
export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      if (!r.alive()) return;
      r.child.kill('SIGTERM');
      const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
      await r.exited;
      clearTimeout(timer);
    }),
  );
}

/** The round-robin proxy in front of the replicas. */
export interface LoadBalancer {
  url: string;
  /** Webhook calls forwarded to each replica port. */
  forwarded: Map<number, number>;
  /** Deliver every `n`th update a second time, to the next replica (0: never). */
  duplicateEvery: number;
  /** Updates delivered a second time. */
  duplicated: number;
  close(): Promise<void>;
}

function forward(port: number, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${port}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** Starts the proxy; `ports()` gives the replicas' ports at each request (they change on restart). */
export async function startLoadBalancer(ports: () => number[]): Promise<LoadBalancer> {
  const port = await freePort();
  let next = 0;
  let count = 0;
  const lb: LoadBalancer = {
    url: `http://127.0.0.1:${port}/telegram`,
    forwarded: new Map(),
    duplicateEvery: 0,
    duplicated: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const targets = ports();
      const n = ++count;
      // A retry the way Telegram makes one: the same update to another replica, at the same time.
      if (lb.duplicateEvery > 0 && n % lb.duplicateEvery === 0 && targets.length > 1) {
        const other = targets[(next + 1) % targets.length];
        lb.duplicated++;
        forward(other, req, body).catch(() => undefined);
      }
      for (let tries = 0; tries < targets.length; tries++) {
        const target = targets[next++ % targets.length];
        try {
          const answer = await forward(target, req, body);
          if (answer.status === 502 || answer.status === 503) continue; // not ready: the next replica takes it
          lb.forwarded.set(target, (lb.forwarded.get(target) ?? 0) + 1);
          res.writeHead(answer.status).end(answer.body);
          return;
        } catch {
          // that replica is down: try the next
        }
      }
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return lb;
}

/**
 * Makes `count` chats (ids from `firstChat`) subscribers whose digest is due at `time` (UTC,
 * HH:MM) today, in one statement: they all become due at the same moment. Earlier slots are
 * marked as already passed by `scheduleFrom`.
 */
export async function seedSubscribers(databaseUrl: string, firstChat: number, count: number, time: string, scheduleFrom: Date): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = new Date().toISOString();
    await client.query(
      `INSERT INTO subscribers (chat_id, language, time, zone, send_empty, active, schedule_from, created_at, updated_at)
       SELECT g, 'vi', $1, 'UTC', 1, 1, $2, $3, $3 FROM generate_series($4::bigint, $5::bigint) AS g`,
      [time, scheduleFrom.toISOString(), now, firstChat, firstChat + count - 1],
    );
  } finally {
    await client.end();
  }
}

/** The delivery log's rows by status, and the composed parts of each chat's digest. */
export async function deliveryLog(databaseUrl: string): Promise<{ byStatus: Record<string, number>; parts: Map<number, string[]>; errors: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ chat_id: string; status: string; parts: string | null; last_error: string | null }>(
      'SELECT chat_id, status, parts, last_error FROM deliveries',
    );
    const byStatus: Record<string, number> = {};
    const parts = new Map<number, string[]>();
    const errors: string[] = [];
    for (const r of rows) {
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      if (r.parts) parts.set(Number(r.chat_id), JSON.parse(r.parts) as string[]);
      if (r.last_error) errors.push(r.last_error);
    }
    return { byStatus, parts, errors };
  } finally {
    await client.end();
  }
}
