/**
 * `trichdan bot` / `npm start`: checks the token, opens the live corpus (engine, feeds, folder
 * watch), runs the Telegram bot until SIGINT or SIGTERM (or, under `npm start`, until npm is
 * gone; the start script `exec`s node so npm's SIGTERM reaches the bot), then shuts down gracefully (stop taking
 * updates, finish the replies in flight, stop extensions, feeds and the watch, close the engine).
 * A second signal exits at once.
 */
import type { Config } from '../config.ts';
import { connectFeeds } from '../library/feeds.ts';
import { CorpusLibrary } from '../library/library.ts';
import { watchCorpus } from '../library/watch.ts';
import type { Engine } from '../engine-types.ts';
import { createBot, type BotExtension } from '../bot/create-bot.ts';
import { createLogger, type Logger } from '../bot/log.ts';
import { checkToken, startBot } from '../bot/run.ts';
import { acquireBotLock } from '../db/bot-lock.ts';
import { InboxStore } from '../db/inbox-store.ts';

/** Options for `runBot` (the CLI passes none). */
export interface RunBotOptions {
  /** Features plugged into the bot (the daily digest), made once the engine is loaded. */
  extensions?: (engine: Engine, config: Config) => readonly BotExtension[] | Promise<readonly BotExtension[]>;
  /** Default: stderr at `config.logLevel`. */
  log?: Logger;
  /** Stops the bot when aborted (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
  /** Engine start-up lines (default: stderr). */
  engineLog?: (line: string) => void;
}

/**
 * Runs the bot until a signal. Throws a ConfigError with one clear line when the token is
 * missing, malformed or rejected by Telegram, and a BotLockedError when another bot runs on the
 * same TRICHDAN_DB (the CLI prints either without a stack trace).
 */
export async function runBot(config: Config, options: RunBotOptions = {}): Promise<void> {
  checkToken(config.telegram.token);
  const log = options.log ?? createLogger(config.logLevel);
  // One bot per store: a second one on the same TRICHDAN_DB stops here with one line.
  const lock = acquireBotLock(config.dbPath);
  try {
    await runLocked(config, options, log);
  } finally {
    lock.release();
  }
}

/** `runBot` once the store is ours. */
async function runLocked(config: Config, options: RunBotOptions, log: Logger): Promise<void> {
  // Every update is written here before Telegram is told it arrived: a crash loses no question.
  const inbox = new InboxStore(config.dbPath, Number(config.telegram.token.split(':')[0]));
  try {
    await runWithInbox(config, options, log, inbox);
  } finally {
    inbox.close();
  }
}

/** `runBot` once the store is ours and the inbox open. */
async function runWithInbox(config: Config, options: RunBotOptions, log: Logger, inbox: InboxStore): Promise<void> {
  const library = await CorpusLibrary.open(config, options.engineLog ? { log: options.engineLog } : {});
  const engine = library.engine;
  const feeds = connectFeeds(config, library, (line) => log.info(line));
  let stopWatching = () => {};
  try {
    const extensions = options.extensions ? await options.extensions(engine, config) : [];
    const trichdan = createBot({ engine, config, log, extensions, library, inbox });
    const running = await startBot(trichdan, config);
    const s = engine.status();
    log.info(
      `@${running.botInfo.username} is answering (${running.mode}, ${s.retrieval} retrieval, ` +
        `${s.articleCount} articles, ${s.chunkCount} passages); Ctrl-C to stop`,
    );
    // The corpus grows while the bot runs: feeds, files dropped into the folder, other processes.
    stopWatching = watchCorpus(library, config, config.ingest.watchMs, (line) => log.info(line));
    if (config.ingest.feeds.length) {
      log.info(`polling ${config.ingest.feeds.length} feed(s) every ${Number((config.ingest.feedIntervalMs / 60_000).toFixed(2))} min`);
      feeds.poller.start();
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
    stopWatching();
    await feeds.close();
    await library.idle();
    await engine.close();
  }
}

/** How often a bot started by npm checks that npm is still its parent. */
const PARENT_CHECK_MS = 1000;

/**
 * Under `npm start` (npm sets `npm_lifecycle_event`), calls `onOrphaned` once npm is gone (the
 * bot was re-parented: npm was killed without passing a signal on), so no bot runs on
 * orphaned. Run directly (`trichdan bot`, systemd, Docker) nothing is watched: a shell that
 * started it with `nohup … &` may well exit. Returns the function that stops watching.
 */
function watchParent(onOrphaned: () => void): () => void {
  if (!process.env.npm_lifecycle_event) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
