/**
 * Test plumbing for the digest: a telegram-test-api Bot API emulator on 127.0.0.1 (free port),
 * and a small fault-injecting HTTP proxy in front of it, for the answers the emulator cannot
 * give (429 with retry_after, 403 blocked). Real HTTP both ways; grammY is never mocked.
 */
import http from 'node:http';
import net from 'node:net';
import telegramTestApi from 'telegram-test-api';
import type { TelegramServer as TelegramServerClass } from 'telegram-test-api/lib/telegramServer.js';

// The package is CommonJS (`module.exports = TelegramServer`); its types describe an ES default export.
const TelegramServer = telegramTestApi as unknown as typeof TelegramServerClass;

/** A token the emulator accepts (any string works there; this one also looks real). */
export const TEST_TOKEN = '123456789:AAtest-digest-token-aaaaaaaaaaaaaaaaa';

/** A free TCP port on 127.0.0.1 (the emulator cannot listen on port 0 itself). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A bot message as the emulator stored it. */
export interface SentMessage {
  chatId: number;
  text: string;
  parseMode: string | undefined;
  messageId: number;
}

/** A running emulator. */
export interface Emulator {
  server: TelegramServerClass;
  apiRoot: string;
  /** Messages the bot sent, in order (optionally to one chat). */
  sent(chatId?: number): SentMessage[];
  stop(): Promise<void>;
}

/** Starts telegram-test-api on a free port of 127.0.0.1, keeping messages for an hour. */
export async function startEmulator(): Promise<Emulator> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });
    try {
      await server.start();
    } catch (err) {
      if (attempt < 3) continue;
      throw err;
    }
    return {
      server,
      apiRoot: server.config.apiURL,
      sent(chatId) {
        return server.storage.botMessages
          .filter((m) => chatId === undefined || Number(m.message.chat_id) === chatId)
          .map((m) => ({
            chatId: Number(m.message.chat_id),
            text: String(m.message.text),
            parseMode: m.message.parse_mode as string | undefined,
            messageId: m.messageId,
          }));
      },
      async stop() {
        await server.stop();
      },
    };
  }
}

/** A request the proxy saw. */
export interface ProxiedCall {
  method: string;
  chatId: number | undefined;
  at: number;
  /** The status the proxy answered with (injected or forwarded). */
  status: number;
}

/** An injected answer: HTTP status and Bot API JSON body. */
export interface Injected {
  status: number;
  body: { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };
}

/** Decides, per call, whether to answer with a fault instead of forwarding. */
export type FaultRule = (call: { method: string; chatId: number | undefined; payload: Record<string, unknown> }) => Injected | undefined;

/** A running fault proxy. */
export interface FaultProxy {
  apiRoot: string;
  calls: ProxiedCall[];
  stop(): Promise<void>;
}

/** Telegram's answer for a chat that blocked the bot. */
export const BLOCKED: Injected = {
  status: 403,
  body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
};

/** Telegram's flood-wait answer. */
export function tooManyRequests(retryAfter: number): Injected {
  return {
    status: 429,
    body: {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfter}`,
      parameters: { retry_after: retryAfter },
    },
  };
}

/**
 * Starts an HTTP proxy on 127.0.0.1 that forwards Bot API calls to `target` (the emulator)
 * unless `rule` injects an answer. Every call is recorded with its time.
 */
export async function startFaultProxy(target: string, rule: FaultRule): Promise<FaultProxy> {
  const calls: ProxiedCall[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const method = (req.url ?? '').split('/').pop() ?? '';
    let payload: Record<string, unknown> = {};
    try {
      if (raw.length && String(req.headers['content-type']).includes('json')) payload = JSON.parse(raw.toString('utf8'));
    } catch {
      payload = {};
    }
    const chatId = payload.chat_id === undefined ? undefined : Number(payload.chat_id);
    const injected = rule({ method, chatId, payload });
    if (injected) {
      calls.push({ method, chatId, at: Date.now(), status: injected.status });
      res.writeHead(injected.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(injected.body));
      return;
    }
    try {
      const upstream = await fetch(target + req.url, {
        method: req.method,
        headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : raw,
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      calls.push({ method, chatId, at: Date.now(), status: upstream.status });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    } catch (err) {
      res.writeHead(502);
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
