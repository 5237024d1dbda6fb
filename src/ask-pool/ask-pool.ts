/**
 * Answers questions in worker processes, so the bot's process stays free for Telegram, the
 * database and the inbox while `ask` (CPU-bound) runs: replies are marked done as soon as they
 * are sent, and on a machine with more cores several questions are answered at once. Processes,
 * not threads: the model's native modules (onnxruntime, sharp) corrupt memory when a worker
 * thread that loaded them ends (measured: 4 aborts in 15 runs), a process ends cleanly.
 *
 * Each worker holds its own read-only snapshot of the index. A question goes to the least busy
 * worker whose snapshot is the one the main thread answers from; while none is (just after a
 * change, until the workers have read the new snapshot), and whenever a worker fails, the main
 * thread's own engine answers, so an answer never comes from an older corpus than the live one.
 * Everything but `ask` (articles, chunks, status) is the main thread's engine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Answer, AskOptions } from '../answer/types.ts';
import type { Config } from '../config.ts';
import type { Article } from '../corpus/article.ts';
import type { Engine, EngineStatus } from '../engine-types.ts';
import type { Chunk } from '../index/chunk-types.ts';
import type { ToMain, ToWorker } from './messages.ts';

interface Pending {
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

/** One worker process and what it is doing. */
interface PoolWorker {
  process: ChildProcess;
  /** Snapshot it answers from (snapshotKey in messages.ts), or null until it is ready. */
  snapshot: string | null;
  pending: Map<number, Pending>;
  alive: boolean;
}

/** Settings and environment variables a worker has no use for and should not hold: secrets. */
const SECRET_VARIABLES = ['TELEGRAM_BOT_TOKEN', 'TRICHDAN_WEBHOOK_SECRET', 'TRICHDAN_DATABASE_URL'];

/** Starts a worker process on the TypeScript entry under tsx, as bin/trichdan.js runs the CLI. */
function spawnWorker(config: Config): ChildProcess {
  const entry = new URL('./ask-worker.ts', import.meta.url);
  // The worker only answers: it gets the settings without the token, the webhook secret or the database password.
  const settings: Config = { ...config, databaseUrl: null, telegram: { ...config.telegram, token: '', webhookSecret: '' } };
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SECRET_VARIABLES.includes(name)));
  return fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    // Structured clone over the channel, as between threads (an Answer is plain data either way).
    serialization: 'advanced',
    env: { ...env, TRICHDAN_ASK_WORKER_CONFIG: JSON.stringify(settings) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

export class AskPool implements Engine {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closing = false;

  /**
   * `local`: the main thread's engine (the library's live engine); `snapshot()`: the snapshot it
   * answers from now. Starts `size` workers; they take questions once they have loaded.
   */
  constructor(
    private readonly config: Config,
    private readonly local: Engine,
    private readonly snapshot: () => string,
    size: number,
    private readonly log: (line: string) => void,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.start());
  }

  /** Resolves once every worker has loaded (or failed to); questions are answered meanwhile anyway. */
  async ready(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.workers.some((w) => w.alive && w.snapshot === null)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.workers.filter((w) => w.alive && w.snapshot !== null).length;
  }

  private start(): PoolWorker {
    const worker: PoolWorker = { process: spawnWorker(this.config), snapshot: null, pending: new Map(), alive: true };
    worker.process.on('message', (message: ToMain) => this.receive(worker, message));
    worker.process.on('error', (error) => {
      if (!this.closing) this.log(`ask worker failed (${error.message}); the main thread answers meanwhile`);
    });
    worker.process.on('exit', () => {
      worker.alive = false;
      for (const p of worker.pending.values()) p.reject(new Error('the ask worker stopped'));
      worker.pending.clear();
      if (this.closing) return;
      // A new worker takes its place (after a pause, so a worker that cannot start does not spin).
      setTimeout(() => {
        if (this.closing) return;
        const index = this.workers.indexOf(worker);
        if (index >= 0) this.workers[index] = this.start();
      }, 1000).unref();
    });
    return worker;
  }

  private receive(worker: PoolWorker, message: ToMain): void {
    switch (message.kind) {
      case 'ready':
      case 'reloaded':
        worker.snapshot = message.snapshot;
        return;
      case 'reload-failed':
        this.log(`ask worker could not read the new index (${message.error}); the main thread answers until it can`);
        return;
      case 'answer':
      case 'error': {
        const pending = worker.pending.get(message.id);
        worker.pending.delete(message.id);
        if (message.kind === 'answer') pending?.resolve(message.answer);
        else pending?.reject(new Error(message.error));
      }
    }
  }

  /** Tells every worker to read the snapshot the main thread now answers from. */
  reload(): void {
    for (const w of this.workers) if (w.alive) w.process.send({ kind: 'reload' } satisfies ToWorker);
  }

  async ask(question: string, options?: AskOptions): Promise<Answer> {
    const current = this.snapshot();
    const ready = this.workers.filter((w) => w.alive && w.snapshot === current);
    if (ready.length === 0) return this.local.ask(question, options);
    const worker = ready.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    try {
      return await new Promise<Answer>((resolve, reject) => {
        worker.pending.set(id, { resolve, reject });
        worker.process.send({ kind: 'ask', id, question, ...(options ? { options } : {}) } satisfies ToWorker, (error) => {
          if (error) reject(error);
        });
      });
    } catch {
      return this.local.ask(question, options); // the worker stopped or failed: answered here instead
    }
  }

  articles(): readonly Article[] {
    return this.local.articles();
  }

  article(id: string): Article | undefined {
    return this.local.article(id);
  }

  chunk(id: string): Chunk | undefined {
    return this.local.chunk(id);
  }

  status(): EngineStatus {
    return this.local.status();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.workers.map((w) => {
        if (!w.alive) return Promise.resolve();
        const exited = new Promise((resolve) => w.process.once('exit', resolve));
        w.process.kill();
        return exited;
      }),
    );
    await this.local.close();
  }
}
