/**
 * Starting and stopping a bot: getMe (a rejected token becomes one clear line), the command menu,
 * then long polling with grammY's runner (concurrent across chats, ordered within a chat) or a
 * webhook on a node http server with a secret token. Stopping stops updates first, then waits
 * for the replies being written.
 */
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { GrammyError, HttpError, webhookCallback } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { ConfigError, type Config } from '../config.ts';
import { registerCommands } from './commands.ts';
import type { TrichdanBot } from './create-bot.ts';
import { describeError } from './log.ts';

/** The updates the bot asks Telegram for. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'inline_query', 'my_chat_member'] as const;

/** What a bot token looks like: the bot's id, a colon, and at least 30 URL-safe characters. */
export const TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]{30,}$/;

/**
 * Checks the token's shape before anything starts. Throws one clear ConfigError (without the
 * token) when it is missing or malformed.
 */
export function checkToken(token: string): void {
  if (!token) {
    throw new ConfigError(
      'TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather (https://t.me/BotFather) and put its token in .env as TELEGRAM_BOT_TOKEN=123456789:AA…',
    );
  }
  if (!TOKEN_PATTERN.test(token)) {
    throw new ConfigError(
      'TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then at least 30 letters, digits, "-" or "_"): copy it again from @BotFather',
    );
  }
}

/** A started bot. */
export interface RunningBot {
  botInfo: UserFromGetMe;
  mode: 'polling' | 'webhook';
  /** Whether setMyCommands succeeded (it is optional: the emulator rejects it). */
  commandsRegistered: boolean;
  /** Settles when the bot stops by itself: rejects when polling fails for good (token revoked, another instance polling). */
  done: Promise<void>;
  /** Stops taking updates, waits (up to `timeoutMs`) for replies in flight, then stops the extensions. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Options for `startBot`. */
export interface StartOptions {
  /** Default: `config.telegram.mode`. */
  mode?: 'polling' | 'webhook';
  /**
   * Why this process should not take updates now (the database is unreachable), or null when it
   * may. Webhook mode answers 503 meanwhile (Telegram retries; a load balancer reading /readyz
   * sends them to another replica).
   */
  notReady?: () => string | null;
  /** Replays only inbox updates at least this old (replicas: younger ones belong to a live replica). */
  recoverMinAgeMs?: number;
}

/** Pauses before the retries of getMe at start (a network blip should not stop the bot; a dead API should say so soon). */
const CONNECT_RETRY_MS = [500, 1500];

/**
 * Calls getMe (retrying network failures twice; grammY's own `init` would retry them forever) and
 * turns its failures into messages that say what to do.
 */
async function connect(trichdan: TrichdanBot, apiRoot: string): Promise<UserFromGetMe> {
  const { bot } = trichdan;
  if (bot.isInited()) return bot.botInfo;
  for (let attempt = 0; ; attempt++) {
    try {
      bot.botInfo = await bot.api.getMe();
      return bot.botInfo;
    } catch (error) {
      if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
        throw new ConfigError('the token was rejected by Telegram: check TELEGRAM_BOT_TOKEN with @BotFather');
      }
      if (error instanceof HttpError) {
        if (attempt < CONNECT_RETRY_MS.length) {
          await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS[attempt]));
          continue;
        }
        const inner = error.error as { code?: string; type?: string } | undefined;
        const reason = inner?.code ?? inner?.type ?? 'no answer';
        throw new Error(`cannot reach the Telegram Bot API at ${apiRoot} (${reason}): check the network or TELEGRAM_API_ROOT`);
      }
      throw new Error(`getMe failed: ${describeError(error)}`);
    }
  }
}

/** Turns a fatal polling error into a message that says what to do. */
function pollingFailure(error: unknown): Error {
  if (error instanceof GrammyError && error.error_code === 401) {
    return new ConfigError('the token was rejected by Telegram: check TELEGRAM_BOT_TOKEN with @BotFather');
  }
  if (error instanceof GrammyError && error.error_code === 409) {
    return new Error('another instance of this bot is already running (Telegram answered 409 Conflict): stop it first');
  }
  return new Error(`polling stopped: ${describeError(error)}`);
}

/** Starts the bot: getMe, the command menu, the extensions, then polling or the webhook server. */
export async function startBot(trichdan: TrichdanBot, config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const { bot, services } = trichdan;
  const log = services.log;
  const mode = options.mode ?? config.telegram.mode;
  const botInfo = await connect(trichdan, trichdan.apiRoot);
  const commandsRegistered = await registerCommands(bot.api, services.commands, log);
  for (const extension of trichdan.extensions) await extension.onStart?.(bot.api, botInfo);

  const stopExtensions = async () => {
    for (const extension of trichdan.extensions) {
      try {
        await extension.onStop?.();
      } catch (error) {
        log.warn(`an extension failed to stop cleanly: ${describeError(error)}`);
      }
    }
  };
  const finish = async (timeoutMs: number) => {
    if (!(await trichdan.idle(timeoutMs))) log.warn(`stopped with replies still in flight after ${timeoutMs} ms`);
    await stopExtensions();
  };

  // What a crash left unanswered is handled first (per-chat order: new updates queue behind it).
  try {
    const recovered = await trichdan.recover({ minAgeMs: options.recoverMinAgeMs ?? 0 });
    if (recovered.answered + recovered.apologised > 0) recovered.done.catch(() => {});
  } catch (error) {
    log.warn(`inbox: could not read what the previous run left (${describeError(error)}); it is retried later`);
  }

  if (mode === 'webhook') return startWebhook(trichdan, config, botInfo, commandsRegistered, finish, options.notReady ?? (() => null));

  try {
    await bot.api.deleteWebhook();
  } catch (error) {
    log.warn(`deleteWebhook failed (polling may conflict with an old webhook): ${describeError(error)}`);
  }
  const runner: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 }, silent: true },
  });
  const task = runner.task();
  const done = (task ?? Promise.resolve()).catch((error: unknown) => {
    throw pollingFailure(error);
  });
  done.catch(() => {}); // the caller may not listen; never an unhandled rejection
  let stopping: Promise<void> | undefined;
  return {
    botInfo,
    mode,
    commandsRegistered,
    done,
    stop(timeoutMs = 10_000) {
      stopping ??= (async () => {
        if (runner.isRunning()) await runner.stop();
        await finish(timeoutMs);
        // Confirm the handled updates, so a restart does not see them again.
        const last = trichdan.lastUpdateId();
        if (last !== undefined) {
          await bot.api.getUpdates({ offset: last + 1, limit: 1, timeout: 0 }).catch((error: unknown) => {
            log.debug(`confirming the last update failed (ignored): ${describeError(error)}`);
          });
        }
      })();
      return stopping;
    },
  };
}

/** The largest webhook request body read, in bytes (an update is a few kB; Telegram's own limit on a message is 4096 characters). */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** True for localhost and the loopback addresses, where a plain http:// webhook (a local emulator) is allowed. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** The request body, or undefined after answering 413 when it is over `max` bytes. */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      res.writeHead(413, { connection: 'close' }).end();
      req.destroy();
      resolve(undefined);
    };
    if (Number(req.headers['content-length'] ?? 0) > max) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge();
      else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Whether the header carries the webhook secret (compared in constant time). */
function secretMatches(header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  const wanted = Buffer.from(secret);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Webhook mode: a node http server on `TRICHDAN_WEBHOOK_HOST` (127.0.0.1 unless set) and
 * `TRICHDAN_WEBHOOK_PORT` for the path of `TRICHDAN_WEBHOOK_URL`, which must be https:// (plain
 * http only on loopback, for a local Bot API). Bodies over WEBHOOK_MAX_BODY_BYTES get a 413.
 * With an inbox, each update is written to it before it is handled: one Telegram delivers again
 * (to this replica or another) is answered 200 and not handled twice.
 * `GET /healthz` answers 200 while the process runs; `GET /readyz` 200 when it takes updates,
 * 503 with the reason when it does not (for a load balancer).
 */
async function startWebhook(
  trichdan: TrichdanBot,
  config: Config,
  botInfo: UserFromGetMe,
  commandsRegistered: boolean,
  finish: (timeoutMs: number) => Promise<void>,
  notReady: () => string | null,
): Promise<RunningBot> {
  const { bot } = trichdan;
  const { url, secret } = webhookSettings(config);
  let stopping: Promise<void> | undefined;
  const readiness = () => (stopping ? 'stopping' : notReady());
  const receive = updateReceiver(trichdan, secret, notReady);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return answerHealth(path, readiness(), res);
    if (req.method !== 'POST' || path !== url.pathname) return void res.writeHead(404).end();
    receive(req, res).catch((error: unknown) => {
      trichdan.services.log.warn(`webhook request failed: ${describeError(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.telegram.webhookPort, config.telegram.webhookHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await bot.api.setWebhook(url.href, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  return {
    botInfo,
    mode: 'webhook',
    commandsRegistered,
    done,
    stop(timeoutMs = 10_000) {
      stopping ??= (async () => {
        // The webhook stays set: Telegram keeps updates while the bot restarts.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await finish(timeoutMs);
        server.closeAllConnections();
        await closed;
        resolveDone();
      })();
      return stopping;
    },
  };
}

/** The public URL (https, or http on loopback) and the secret token of webhook mode, checked; one ConfigError line otherwise. */
function webhookSettings(config: Config): { url: URL; secret: string } {
  const { webhookUrl } = config.telegram;
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new ConfigError(
      `TRICHDAN_WEBHOOK_URL=${JSON.stringify(webhookUrl)}: webhook mode needs the public https URL Telegram should call, e.g. https://bot.example.org/telegram`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigError(
      `TRICHDAN_WEBHOOK_URL=${JSON.stringify(webhookUrl)}: Telegram calls webhooks over https only; give the public https:// URL, e.g. https://bot.example.org/telegram`,
    );
  }
  // Telegram sends the secret in a header with every update; without a configured one, a fresh one is made per start.
  const secret = config.telegram.webhookSecret || randomBytes(24).toString('base64url');
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw new ConfigError('TRICHDAN_WEBHOOK_SECRET: use 1 to 256 letters, digits, "_" or "-"');
  }
  return { url, secret };
}

/** `/healthz`: 200 while the process runs; `/readyz`: 200 when it takes updates, else 503 with the reason. */
function answerHealth(path: string, notReady: string | null, res: http.ServerResponse): void {
  const text = { 'Content-Type': 'text/plain' };
  if (path === '/healthz') res.writeHead(200, text).end('ok\n');
  else res.writeHead(notReady ? 503 : 200, text).end(notReady ? `not ready: ${notReady}\n` : 'ready\n');
}

/**
 * Handles one webhook POST: the body within its size limit, the secret, readiness, the inbox
 * (an update received before, here or by another replica, is answered 200 and not handled
 * again), then grammY.
 */
function updateReceiver(trichdan: TrichdanBot, secret: string, notReady: () => string | null) {
  const { bot, services, inbox } = trichdan;
  // grammY's adapter over a body already read within the size limit.
  const adapter = (update: Update, header: string | undefined, res: http.ServerResponse) => ({
    update: Promise.resolve(update),
    header,
    end: () => res.end(),
    respond: (json: string) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(json),
    unauthorized: () => res.writeHead(401).end('secret token is wrong'),
  });
  // The receiver below checks the secret itself, before writing to the inbox; grammY need not check it again.
  const handle = webhookCallback(bot, adapter, { onTimeout: 'return', timeoutMilliseconds: 50_000 });
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readBody(req, res, WEBHOOK_MAX_BODY_BYTES);
    if (body === undefined) return services.log.warn(`webhook request over ${WEBHOOK_MAX_BODY_BYTES} bytes refused (413)`);
    let update: Update;
    try {
      update = JSON.parse(body.toString('utf8')) as Update;
    } catch {
      return void res.writeHead(400).end();
    }
    const header = req.headers['x-telegram-bot-api-secret-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (!secretMatches(token, secret)) return void res.writeHead(401).end('secret token is wrong');
    // Not taking updates (database down): Telegram keeps the update and sends it again later.
    if (notReady()) return void res.writeHead(503).end();
    if (inbox) {
      let fresh: Update[];
      try {
        fresh = await inbox.receive([update]);
      } catch (error) {
        services.log.warn(`webhook: the inbox cannot be written (${describeError(error)}); answered 503 so Telegram sends the update again`);
        return void res.writeHead(503).end();
      }
      if (fresh.length === 0) return void res.writeHead(200).end();
    }
    await handle(update, token, res);
  };
}
