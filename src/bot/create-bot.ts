/**
 * Wiring: one grammY bot on one loaded engine, with its plugins and handlers in order.
 *
 *   in-flight tracking → channels dropped → sequentialize per chat → inline queries → /start /help
 *   /sources /ask → /stats and the admins' /add /remove /feeds /reindex (and links) → extensions
 *   (the digest's commands) → buttons → claims (/nguon, /source, forwarded messages) → questions
 *   (follow-ups, captions) and media
 *
 * API calls go through a failure log (no token, no text) and grammY's auto-retry (429 and 5xx).
 * Starting and stopping (polling or webhook) is in run.ts.
 */
import { Bot, type Api, type BotError, type Context, type Middleware, type Transformer } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import type { Config } from '../config.ts';
import type { Engine } from '../engine-types.ts';
import type { Library } from '../library/types.ts';
import { adminHandlers } from './admin.ts';
import { ADMIN_COMMANDS, STATS_COMMAND } from './admin-strings.ts';
import { buttonHandlers } from './buttons.ts';
import { CallbackCodec } from './callbacks.ts';
import { CLAIM_COMMANDS, claimHandlers } from './claims.ts';
import { commandHandlers } from './commands.ts';
import { userLanguage, type BotServices } from './context.ts';
import { inlineHandlers } from './inline.ts';
import { createLogger, describeError, type Logger } from './log.ts';
import { createQuestionLimiter, questionHandlers } from './questions.ts';
import { splitHtml, TELEGRAM_MESSAGE_LIMIT } from './split.ts';
import { CORE_COMMANDS, replyLanguage, strings, type CommandDescription } from './strings.ts';
import { addressedQuestion, parseCommand } from './groups.ts';
import { HeldInbox, type Inbox, type PendingUpdate } from './inbox.ts';
import { trackReply } from './reply-slot.ts';
import { replyApology } from './reply.ts';
import { clipText } from '../text/clip.ts';

/**
 * A feature plugged into the bot from outside (the daily digest): its handlers run after the
 * bot's own commands and before buttons and questions, and its commands join /help and the menu.
 */
export interface BotExtension {
  /** Handlers (commands, buttons) of the extension. Call `next()` for updates it does not handle. */
  middleware: Middleware<Context>;
  /** Commands to list in /help and register with setMyCommands. */
  commands?: readonly CommandDescription[];
  /** Called once the bot runs (after getMe), e.g. to start a scheduler that sends with `api`. */
  onStart?(api: Api, botInfo: UserFromGetMe): void | Promise<void>;
  /** Called on shutdown, after updates stopped coming and before the engine closes. */
  onStop?(): void | Promise<void>;
}

/** What `createBot` needs. */
export interface CreateBotOptions {
  /** The loaded retrieval core (model and index loaded once, shared by every question); with a library, its `engine`. */
  engine: Engine;
  /** The live corpus for /add, /remove, /feeds, /reindex (admins) and /stats; without it those say they are not available. */
  library?: Library;
  config: Config;
  /** Bot API root; default `config.telegram.apiRoot` (a local emulator in tests). */
  apiRoot?: string;
  extensions?: readonly BotExtension[];
  /** Default: stderr at `config.logLevel`. */
  log?: Logger;
  /** The bot's own user, when known: skips getMe at start. */
  botInfo?: UserFromGetMe;
  /** Durable inbox: updates recorded on arrival, marked done once handled, replayed by `recover` after a crash. */
  inbox?: Inbox;
}

/** A bot ready to start, with what its lifecycle needs. */
export interface TrichdanBot {
  bot: Bot;
  services: BotServices;
  extensions: readonly BotExtension[];
  /** The Bot API root it talks to. */
  apiRoot: string;
  /** The durable inbox, when the bot has one (webhook mode writes each update to it first). */
  inbox?: Inbox;
  /** The highest update id handed to the bot so far (for confirming the offset on shutdown). */
  lastUpdateId(): number | undefined;
  /** Resolves true when no update is being handled, or false after `timeoutMs`. */
  idle(timeoutMs?: number): Promise<boolean>;
  /**
   * Handles what an earlier process left in the inbox: updates younger than `maxAgeMs` as if
   * they had just come (per-chat order kept), older questions with one short "I was restarting,
   * please ask again". `minAgeMs` (replicas) leaves alone what arrived more recently: a live
   * replica is handling it. Resolves once they are taken; `done` resolves when all are handled.
   */
  recover(options?: { maxAgeMs?: number; minAgeMs?: number }): Promise<{ answered: number; apologised: number; done: Promise<void> }>;
  /** Restamps the updates this process holds and has not finished, so other replicas do not take them over. */
  renewHeld(): Promise<void>;
}

/** Logs failed API calls (method and error code only) before auto-retry decides what to do. */
function logFailures(log: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok) {
        const wait = result.parameters?.retry_after;
        const line = `${method} failed: ${result.error_code ?? 'no error code'} ${result.description ?? '(no description)'}${wait ? ` (retry after ${wait} s)` : ''}`;
        if (method === 'sendChatAction' || method === 'setMyCommands') log.debug(line);
        else log.warn(line);
      }
      return result;
    } catch (error) {
      if (!signal?.aborted) log.warn(`network error calling ${method}: ${describeError(error)}`);
      throw error;
    }
  };
}

/** Updates left by a crash are answered when at most this old (ms), or when their "searching…" went out; others get an apology. */
export const RECOVER_MAX_AGE_MS = 5 * 60_000;

/**
 * Writes each getUpdates batch to the inbox before the runner sees it (and, by asking for more,
 * confirms it to Telegram). Updates the inbox already had (Telegram delivers again what a crashed
 * process fetched but never confirmed) go into `seenBefore`, to be skipped: they stay in the
 * batch so that the runner's offset moves past them.
 */
function recordingUpdates(inbox: Inbox, seenBefore: Set<number>): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (method !== 'getUpdates' || !result.ok) return result;
    const updates = result.result as Update[];
    const fresh = new Set((await inbox.receive(updates)).map((u) => u.update_id));
    for (const u of updates) if (!fresh.has(u.update_id)) seenBefore.add(u.update_id);
    return result;
  };
}

/** When an update was sent (its message's date), else when it was received. */
function updateTime(p: PendingUpdate): number {
  const msg = p.update.message ?? p.update.edited_message;
  return msg ? (msg.edit_date ?? msg.date) * 1000 : p.receivedAt;
}

/**
 * "Sorry, I was restarting: please ask again", to a question (text addressed to the bot) that is
 * too old to answer now and was never taken up (no "searching…" message went out for it).
 */
async function apologise(bot: Bot, { update }: PendingUpdate): Promise<void> {
  const msg = update.message ?? update.edited_message;
  if (!msg?.text) return;
  const command = parseCommand(msg.text, bot.botInfo);
  if (command ? !command.forMe : addressedQuestion(msg, bot.botInfo) === null) return;
  const lang = replyLanguage(msg.from?.language_code);
  await bot.api.sendMessage(msg.chat.id, strings(lang).restarted, {
    reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true },
  });
}

/**
 * The last guard of "every reply fits": a sendMessage or editMessageText whose text is over
 * Telegram's 4096 characters (a bug upstream of here) is cut to its first message, balanced
 * HTML with "…", and logged, instead of being refused by Telegram and lost.
 */
function fittingMessages(log: Logger): Transformer {
  return (prev, method, payload, signal) => {
    if (method !== 'sendMessage' && method !== 'editMessageText') return prev(method, payload, signal);
    const text = (payload as { text?: unknown }).text;
    if (typeof text !== 'string' || text.length <= TELEGRAM_MESSAGE_LIMIT) return prev(method, payload, signal);
    log.warn(`${method}: a ${text.length}-character text was cut to fit Telegram's limit`);
    const html = (payload as { parse_mode?: unknown }).parse_mode === 'HTML';
    const fitted = html ? `${splitHtml(text, TELEGRAM_MESSAGE_LIMIT - 1)[0]}…` : clipText(text, TELEGRAM_MESSAGE_LIMIT);
    return prev(method, { ...payload, text: fitted } as typeof payload, signal);
  };
}

/**
 * Retries 429 (after `retry_after`) and 5xx answers, at most 3 times and 60 s per wait, for every
 * method but getMe: getMe runs once at start, where an unreachable API must fail with a clear line
 * instead of being retried forever.
 */
function retrying(): Transformer {
  const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 });
  return (prev, method, payload, signal) => (method === 'getMe' ? prev(method, payload, signal) : retry(prev, method, payload, signal));
}

/** Builds the bot: plugins, handlers and extensions on one engine. Does not contact Telegram. */
export function createBot(options: CreateBotOptions): TrichdanBot {
  const { engine, config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const extensions = options.extensions ?? [];
  const services: BotServices = {
    engine,
    library: options.library,
    adminIds: config.ingest.adminIds,
    codec: new CallbackCodec(),
    log,
    topK: config.retrieval.topK,
    maxQuestionChars: config.retrieval.maxQuestionChars,
    ratePerMinute: config.telegram.ratePerMinute,
    commands: [...CORE_COMMANDS, ...CLAIM_COMMANDS, STATS_COMMAND, ...extensions.flatMap((e) => e.commands ?? [])],
  };
  // /help also lists the admins' commands (marked as such) when the corpus can change; the menu does not.
  const helpServices: BotServices = options.library ? { ...services, commands: [...services.commands, ...ADMIN_COMMANDS] } : services;

  const apiRoot = options.apiRoot ?? config.telegram.apiRoot;
  const bot = new Bot(config.telegram.token, {
    client: { apiRoot },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const inbox = options.inbox ? new HeldInbox(options.inbox) : undefined;
  /** Updates the inbox had already when Telegram delivered them again: handled (or being replayed) elsewhere. */
  const seenBefore = new Set<number>();
  /** Replayed updates whose "searching…" message the crashed run had sent: update id → message id. */
  const replaySlots = new Map<number, number>();
  if (inbox) bot.api.config.use(recordingUpdates(inbox, seenBefore));
  bot.api.config.use(fittingMessages(log));
  bot.api.config.use(logFailures(log));
  bot.api.config.use(retrying());

  // In-flight tracking, for a graceful shutdown that finishes the replies being written.
  const inflight = new Set<Promise<unknown>>();
  let lastUpdateId: number | undefined;
  bot.use(async (ctx, next) => {
    lastUpdateId = Math.max(lastUpdateId ?? 0, ctx.update.update_id);
    if (seenBefore.delete(ctx.update.update_id)) return;
    let marked = false;
    const markDone = async () => {
      if (marked || !inbox) return;
      marked = true;
      await inbox.done(ctx.update.update_id).catch((error: unknown) => log.warn(`inbox: marking update done failed: ${describeError(error)}`));
    };
    // Marked as soon as the reply is sent (sendReply), else once handled (errors were answered by
    // the boundary below): either way a restart does not handle it again. A replayed update
    // brings the message its answer goes into, reserved by the run that crashed.
    const slot = replaySlots.get(ctx.update.update_id);
    replaySlots.delete(ctx.update.update_id);
    trackReply(ctx, {
      answered: markDone,
      reserve: async (messageId) => {
        await inbox?.reserveReply(ctx.update.update_id, messageId).catch((error: unknown) => log.warn(`inbox: recording the reply message failed: ${describeError(error)}`));
      },
      ...(slot !== undefined ? { slot } : {}),
    });
    const work = next();
    inflight.add(work);
    try {
      await work;
    } finally {
      inflight.delete(work);
      await markDone();
    }
  });

  // Errors are caught here, whatever the transport: logged (no text) and answered with an apology.
  const handleError = async (err: BotError<Context>) => {
    const ctx = err.ctx;
    log.error(`update ${ctx.update.update_id} failed: ${describeError(err.error)}`);
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: strings(userLanguage(ctx)).internalError });
      else await replyApology(ctx, strings(userLanguage(ctx)).internalError);
    } catch {
      // Telegram itself may be what failed; nothing more to do.
    }
  };
  bot.catch(handleError);

  const chats = bot.errorBoundary(handleError).filter((ctx) => ctx.chat?.type !== 'channel');
  // Updates of one chat are handled in order even when the runner handles chats concurrently.
  chats.use(sequentialize((ctx: Context) => (ctx.chat ? String(ctx.chat.id) : ctx.from ? `u${ctx.from.id}` : undefined)));

  const limiter = createQuestionLimiter(config.telegram.ratePerMinute, log);
  chats.use(inlineHandlers(services));
  chats.use(commandHandlers(helpServices, limiter));
  chats.use(adminHandlers(services));
  for (const extension of extensions) chats.use(extension.middleware);
  chats.use(buttonHandlers(services, limiter));
  chats.use(claimHandlers(services, limiter, { lexiconPath: config.lexiconPath }));
  chats.use(questionHandlers(services, limiter));

  return {
    bot,
    services,
    extensions,
    apiRoot,
    ...(inbox ? { inbox } : {}),
    lastUpdateId: () => lastUpdateId,
    async recover({ maxAgeMs = RECOVER_MAX_AGE_MS, minAgeMs = 0 } = {}) {
      const pending = (await inbox?.pending(minAgeMs)) ?? [];
      const now = Date.now();
      // A question whose "searching…" message went out is answered into it however old: the user saw the bot
      // take it up, and the message may already hold the answer (written just before the crash).
      const answerable = (p: PendingUpdate) => now - updateTime(p) <= maxAgeMs || p.replyMessageId !== undefined;
      const fresh = pending.filter(answerable);
      const stale = pending.filter((p) => !answerable(p));
      if (pending.length) log.info(`inbox: ${fresh.length} update(s) left unanswered by the previous run are answered now, ${stale.length} older get an apology`);
      // handleUpdate is called for all at once, in update order: sequentialize keeps each chat's order.
      for (const p of fresh) if (p.replyMessageId !== undefined) replaySlots.set(p.update.update_id, p.replyMessageId);
      const handled = fresh.map((p) => bot.handleUpdate(p.update).catch((error: unknown) => log.error(`replayed update failed: ${describeError(error)}`)));
      const apologies = stale.map(async (p) => {
        try {
          await apologise(bot, p);
        } catch (error) {
          log.warn(`apology for update ${p.update.update_id} failed: ${describeError(error)}`);
        }
        await inbox?.done(p.update.update_id).catch(() => undefined);
      });
      return { answered: fresh.length, apologised: stale.length, done: Promise.all([...handled, ...apologies]).then(() => {}) };
    },
    renewHeld: async () => inbox?.renewHeld(),
    async idle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (inflight.size > 0) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inflight]),
          new Promise((resolve) => {
            timer = setTimeout(resolve, left);
          }),
        ]);
        clearTimeout(timer);
      }
      return true;
    },
  };
}
