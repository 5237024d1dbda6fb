import { Api, type Context, type Middleware } from 'grammy';
import type { Config } from '../config.ts';
import type { Engine } from '../engine-types.ts';
import type { BotExtension } from '../bot/create-bot.ts';
import { systemClock, type Clock } from './clock.ts';
import { digestCommands, DIGEST_COMMANDS } from './commands.ts';
import { DigestComposer, type DigestComposerOptions } from './compose.ts';
import { Broadcaster, type BroadcasterOptions } from './delivery.ts';
import { DigestScheduler, type DigestSchedulerOptions } from './scheduler.ts';
import { DigestStore } from './store.ts';
import type { SqlClient } from '../db/sql.ts';

/** Options of {@link createDigest}. */
export interface CreateDigestOptions {
  config: {
    dbPath: string;
    digest: Omit<Config['digest'], 'tickMs' | 'leaseMs'> & Partial<Pick<Config['digest'], 'tickMs' | 'leaseMs'>>;
  };
  engine: Engine;
  /** Scheduling clock (default: system clock). */
  clock?: Clock;
  /** Clock for broadcast pacing and flood-waits (default: system clock, also when `clock` is fake). */
  deliveryClock?: Clock;
  /** Database file; default `config.dbPath`. */
  dbPath?: string;
  /** An open database (SQLite or PostgreSQL) shared with the bot's other stores; default: its own connection to `dbPath`. */
  database?: SqlClient;
  /** This process's id among the replicas (default: a new one). */
  replicaId?: string;
  log?: (line: string) => void;
  composer?: DigestComposerOptions;
  scheduler?: Pick<DigestSchedulerOptions, 'tickMs' | 'concurrency' | 'maxAttempts' | 'retryDelayMs'>;
  broadcaster?: Pick<BroadcasterOptions, 'perChatMs' | 'maxFloodRetries' | 'maxRetryAfterSeconds'>;
  /** Tick every 30 s once the bot starts (default true; tests call `scheduler.tick()` themselves). */
  autoTick?: boolean;
}

/** The daily digest, assembled: plug `extension` into `createBot`, or use the parts directly. */
export interface Digest {
  store: DigestStore;
  composer: DigestComposer;
  /** The commands, to install in a bot. */
  middleware: Middleware<Context>;
  /** For `createBot({ extensions: [digest.extension] })`: commands, and start/stop with the bot. */
  extension: BotExtension;
  /** Created by {@link startScheduler} (or the extension's onStart). */
  scheduler: DigestScheduler | null;
  /**
   * Starts sending scheduled digests through `api`'s token and API root. Delivery uses its
   * own grammY `Api` without the bot's auto-retry, so it sees 429 and 403 answers itself.
   */
  startScheduler(api: Api, options?: { autoTick?: boolean }): DigestScheduler;
  /** Stops the scheduler (finishing the digest being sent) and closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the digest database and builds the commands; the scheduler starts with the bot
 * (`extension.onStart`) or with {@link Digest.startScheduler}.
 */
export function createDigest(options: CreateDigestOptions): Digest {
  const { config, engine } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = new DigestStore(options.database ?? options.dbPath ?? config.dbPath, {
    clock,
    ...(config.digest.leaseMs ? { leaseMs: config.digest.leaseMs } : {}),
    ...(options.replicaId ? { replicaId: options.replicaId } : {}),
  });
  const composer = new DigestComposer(engine, store, { clock, ...options.composer });
  const middleware = digestCommands<Context>({
    store,
    composer,
    defaults: { time: config.digest.defaultTime, zone: config.digest.defaultZone },
    clock,
  }).middleware();

  const digest: Digest = {
    store,
    composer,
    middleware,
    scheduler: null,
    startScheduler(api, { autoTick = true } = {}) {
      if (digest.scheduler) return digest.scheduler;
      const ownApi = new Api(api.token, api.options);
      const broadcaster = new Broadcaster(ownApi, {
        perSecond: config.digest.broadcastPerSecond,
        clock: options.deliveryClock ?? systemClock,
        ...options.broadcaster,
      }, {
        onFloodWait: (chatId, seconds) => log(`digest: flood-wait ${seconds} s (chat ${chatId})`),
      });
      const scheduler = new DigestScheduler({
        store,
        composer,
        broadcaster,
        engine,
        clock,
        graceMinutes: config.digest.graceMinutes,
        log,
        onReplicas: (count) => broadcaster.shareWith(count),
        ...(config.digest.tickMs ? { tickMs: config.digest.tickMs } : {}),
        ...options.scheduler,
      });
      digest.scheduler = scheduler;
      // Without auto-ticks (tests), the first tick() recovers and syncs.
      if (autoTick) void scheduler.start();
      return scheduler;
    },
    async close() {
      await digest.scheduler?.stop();
      await store.close();
    },
    extension: {
      middleware,
      commands: DIGEST_COMMANDS,
      onStart: (api) => {
        digest.startScheduler(api, { autoTick: options.autoTick ?? true });
      },
      onStop: () => digest.close(),
    },
  };
  return digest;
}

/**
 * The digest as `runBot`'s `extensions` option wants it (src/cli/bot-command.ts):
 * `runBot(config, { extensions: digestExtensions })`.
 */
export function digestExtensions(engine: Engine, config: Config, database?: SqlClient, replicaId?: string): BotExtension[] {
  return [createDigest({ config, engine, ...(database ? { database } : {}), ...(replicaId ? { replicaId } : {}) }).extension];
}
