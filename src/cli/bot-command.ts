/**
 * `trichdan bot` / `npm start`: checks the token, opens the live corpus (engine, feeds, folder
 * watch), runs the Telegram bot until SIGINT or SIGTERM (or, under `npm start`, until npm is
 * gone; the start script `exec`s node so npm's SIGTERM reaches the bot), then shuts down gracefully (stop taking
 * updates, finish the replies in flight, stop extensions, feeds and the watch, close the engine).
 * A second signal exits at once.
 */
import { connectFeeds } from '../library/feeds.ts';
import { CorpusLibrary } from '../library/library.ts';
import { watchCorpus } from '../library/watch.ts';
import type { Engine } from '../engine-types.ts';
import { createBot, type BotExtension } from '../bot/create-bot.ts';
import { createLogger, type Logger } from '../bot/log.ts';
import { checkToken, startBot } from '../bot/run.ts';
import { ConfigError, type Config } from '../config.ts';
import { acquireBotLock } from '../db/bot-lock.ts';
import { describeDatabaseError } from '../db/errors.ts';
import { DatabaseHealth } from '../db/health.ts';
import { FEEDS_LOCK, takeTurns, type Leadership } from '../db/leadership.ts';
import { InboxStore } from '../db/inbox-store.ts';
import { openSqlClient } from '../db/open.ts';
import type { SqlClient } from '../db/sql.ts';
import { newReplicaId } from '../digest/store.ts';
import { CorpusRegistry } from '../library/registry.ts';
import { RegistryFollower } from '../library/registry-follower.ts';
import { AskPool } from '../ask-pool/ask-pool.ts';
import { snapshotKey } from '../ask-pool/messages.ts';

/** Options for `runBot` (the CLI passes none). */
export interface RunBotOptions {
  /**
   * Features plugged into the bot (the daily digest), made once the engine is loaded; they share the bot's
   * database, and its id among the replicas.
   */
  extensions?: (engine: Engine, config: Config, database: SqlClient, replicaId: string) => readonly BotExtension[] | Promise<readonly BotExtension[]>;
  /** Default: stderr at `config.logLevel`. */
  log?: Logger;
  /** Stops the bot when aborted (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
  /** Engine start-up lines (default: stderr). */
  engineLog?: (line: string) => void;
}

/** How often a replica tries to take the feeds' turn (the replica polling them died or lost the database). */
const FEED_TURN_MS = 30_000;

/** How often a replica renews the updates it holds and takes over orphans: well within the orphan age. */
const orphanSweepMs = (config: Config) => Math.min(60_000, config.inboxOrphanMs / 3);

/**
 * Runs the bot until a signal. Throws a ConfigError with one clear line when the token is
 * missing, malformed or rejected by Telegram, a BotLockedError when another bot runs on the
 * same TRICHDAN_DB, and a DigestStoreError when the database cannot be used (the CLI prints
 * each without a stack trace). With TRICHDAN_DATABASE_URL, any number of replicas may run.
 */
export async function runBot(config: Config, options: RunBotOptions = {}): Promise<void> {
  checkToken(config.telegram.token);
  const log = options.log ?? createLogger(config.logLevel);
  const shared = config.databaseUrl !== null;
  if (shared && config.telegram.mode === 'webhook' && !config.telegram.webhookSecret) {
    throw new ConfigError(
      'TRICHDAN_WEBHOOK_SECRET is not set: replicas sharing TRICHDAN_DATABASE_URL behind one webhook must share one secret (1 to 256 letters, digits, "_" or "-")',
    );
  }
  // One bot per SQLite file: a second one on the same TRICHDAN_DB stops here with one line. A PostgreSQL database is shared.
  const lock = shared ? null : acquireBotLock(config.dbPath);
  try {
    const database = await openSqlClient(config, (line) => log.warn(line));
    try {
      await runOnDatabase(config, options, log, database, shared);
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
}

/** `runBot` once the database is open; `shared`: it is PostgreSQL, shared with other replicas. */
async function runOnDatabase(config: Config, options: RunBotOptions, log: Logger, database: SqlClient, shared: boolean): Promise<void> {
  // Every update is written here before Telegram is told it arrived: a crash loses no question.
  const inbox = new InboxStore(database, Number(config.telegram.token.split(':')[0]));
  const health = new DatabaseHealth(database, (line) => log.warn(line));
  if (shared) health.start();
  const library = await CorpusLibrary.open(config, options.engineLog ? { log: options.engineLog } : {});
  // Questions are answered in worker processes (each with its own copy of the index), so this process
  // stays free for Telegram, the database and the inbox; they read every snapshot the library commits.
  const pool = config.telegram.askWorkers > 0
    ? new AskPool(config, library.engine, () => snapshotKey(library.current.manifest), config.telegram.askWorkers, (line) => log.warn(line))
    : null;
  const stopReloading = library.onChange(() => pool?.reload());
  const engine: Engine = pool ?? library.engine;
  const feeds = connectFeeds(config, library, (line) => log.info(line), database);
  // One id for this process among the replicas: the registry's changes and the digest's leases say who made them.
  const replicaId = newReplicaId();
  const follower = shared
    ? new RegistryFollower(library, new CorpusRegistry(database, replicaId), config.corpusDir, config.registrySyncMs, (line) => log.info(line))
    : null;
  let stopWatching = () => {};
  let orphanSweep: NodeJS.Timeout | undefined;
  let feedTurn: Leadership | undefined;
  try {
    await follower?.start();
    const extensions = options.extensions ? await options.extensions(engine, config, database, replicaId) : [];
    const trichdan = createBot({ engine, config, log, extensions, library, inbox });
    const running = await startBot(trichdan, config, {
      notReady: () => health.problem(),
      ...(shared ? { recoverMinAgeMs: config.inboxOrphanMs } : {}),
    });
    if (shared) {
      // A replica that died leaves updates in the shared inbox: the others answer them. The ones
      // this replica holds are renewed first, so a long queue is not mistaken for an orphan.
      orphanSweep = setInterval(() => {
        if (health.problem()) return;
        trichdan
          .renewHeld()
          .then(() => trichdan.recover({ minAgeMs: config.inboxOrphanMs }))
          .catch((error: unknown) => log.warn(`inbox: ${describeDatabaseError(error)}`));
      }, orphanSweepMs(config));
      orphanSweep.unref();
    }
    const s = engine.status();
    log.info(
      `@${running.botInfo.username} is answering (${running.mode}, ${s.retrieval} retrieval, ` +
        `${s.articleCount} articles, ${s.chunkCount} passages, ${pool ? `${config.telegram.askWorkers} ask worker process(es)` : 'ask on the main thread'}, ` +
        `database ${database.description}); Ctrl-C to stop`,
    );
    // The corpus grows while the bot runs: feeds, files dropped into the folder, other processes.
    stopWatching = watchCorpus(library, config, config.ingest.watchMs, (line) => log.info(line));
    if (config.ingest.feeds.length) {
      const polling = `polling ${config.ingest.feeds.length} feed(s) every ${Number((config.ingest.feedIntervalMs / 60_000).toFixed(2))} min`;
      if (!shared) {
        log.info(polling);
        feeds.poller.start();
      } else {
        // Replicas: one polls the feeds at a time (the others add what it adds, through the registry).
        feedTurn = takeTurns(config.databaseUrl!, FEEDS_LOCK, FEED_TURN_MS, {
          onGained: () => {
            log.info(`${polling} (this replica's turn among the replicas)`);
            feeds.poller.start();
          },
          onLost: () => {
            log.warn('feeds: this replica lost its turn (its database connection broke); another replica polls meanwhile');
            void feeds.poller.stop();
          },
          log: (line) => log.warn(line),
        });
      }
    }

    // `once`: after the first signal the listener is gone, so a second one ends the process at once.
    let stopWatchingParent = () => {};
    const stopRequested = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
      options.signal?.addEventListener('abort', () => resolve('abort'), { once: true });
      stopWatchingParent = watchParent(() => resolve('npm, which started the bot, exited'));
    });
    let reason: string;
    try {
      reason = await Promise.race([stopRequested, running.done.then(() => 'stopped')]);
    } catch (error) {
      await running.stop(); // polling failed for good: still finish replies and stop extensions
      throw error;
    }
    stopWatchingParent();
    if (reason !== 'stopped') log.info(`${reason}: finishing the replies in flight, then stopping (again to force)`);
    await running.stop();
    log.info('stopped');
  } finally {
    stopReloading();
    clearInterval(orphanSweep);
    await feedTurn?.stop();
    stopWatching();
    await follower?.stop();
    health.stop();
    await feeds.close();
    await library.idle();
    await engine.close();
  }
}

/** How often a bot started by npm checks that npm is still its parent. */
const PARENT_CHECK_MS = 1000;

/**
 * The process that started this one, read when the CLI loads: read only once the bot is up, it
 * could already be the process that adopted the bot, had npm been killed during start-up.
 */
const STARTING_PARENT = process.ppid;

/**
 * Under `npm start` (npm sets `npm_lifecycle_event`), calls `onOrphaned` once npm is gone (the
 * bot was re-parented: npm was killed without passing a signal on), so no bot runs on
 * orphaned. Run directly (`trichdan bot`, systemd, Docker) nothing is watched: a shell that
 * started it with `nohup … &` may well exit. Returns the function that stops watching.
 */
function watchParent(onOrphaned: () => void): () => void {
  if (!process.env.npm_lifecycle_event) return () => {};
  const timer = setInterval(() => {
    if (process.ppid !== STARTING_PARENT) {
      clearInterval(timer);
      onOrphaned();
    }
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
