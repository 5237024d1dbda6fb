/**
 * A small fault-injecting HTTP proxy on 127.0.0.1 in front of the Bot API emulator
 * (test/e2e/helpers/emulator.ts): it forwards every call unless a rule answers for it, so a
 * test can make one chat "block" the bot (403) or answer 429 with retry_after, per chat and
 * per call. Real HTTP both ways; grammY is never mocked.
 */
import http from 'node:http';
import type net from 'node:net';

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
