/**
 * A small web server on 127.0.0.1 for ingest tests: fixtures, error statuses,
 * redirect chains and loops, slow and huge answers, non-HTML types, and
 * routes a test sets or replaces while it runs (feeds add items that way).
 *
 * Built-in routes (query strings are ignored for routing):
 * - `/fixtures/<name>`: `test/fixtures/web/<name>` as `text/html` (no charset parameter: the page's own
 *   `<meta charset>` decides)
 * - `/status/<code>`: that status with a short HTML body
 * - `/redirect/<n>`: a chain of n redirects ending at an HTML page; `/loop/a` ⇄ `/loop/b`: a loop;
 *   `/redirect-to?url=<url>`: one redirect to any URL
 * - `/hang`: never answers; `/hang-body`: sends the headers and a little HTML, then never finishes
 * - `/huge`: 50 MB of HTML streamed without Content-Length; `/huge-with-length`: the same, declared
 * - `/pdf`, `/png`: small bodies of those types
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** How the server answers one path (set at run time with `set`). */
export interface Route {
  /** Default 200. */
  status?: number;
  /** Default `content-type: text/html; charset=utf-8`. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Sent as ETag; a request whose If-None-Match carries it gets 304 Not Modified. */
  etag?: string;
  /** Sent as Last-Modified; a request whose If-Modified-Since equals it gets 304 Not Modified. */
  lastModified?: string;
}

/** One request the server received. */
export interface ReceivedRequest {
  /** Path with query string. */
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A running test server; `close()` ends it and every open connection. */
export interface WebServer {
  /** Absolute URL of a path on this server, e.g. `url('/fixtures/a.html')`. */
  url(path: string): string;
  port: number;
  /** Sets or replaces how `path` (without query string) is answered; takes precedence over built-in routes. */
  set(path: string, route: Route): void;
  /** Every request received, oldest first. */
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'web');
/** Size of the `/huge` bodies: ten times the default fetch limit. */
export const HUGE_BYTES = 50_000_000;

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the response can take more data or the client has gone. */
function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams `total` bytes of generated HTML, never holding more than one chunk; stops when the client hangs up. */
async function streamHuge(res: http.ServerResponse, total: number, declareLength: boolean): Promise<void> {
  res.writeHead(200, { ...HTML, ...(declareLength ? { 'content-length': String(total) } : {}) });
  const chunk = Buffer.alloc(64 * 1024, '<p>trichdan</p>\n');
  let sent = 0;
  while (sent < total && !res.destroyed) {
    const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
    sent += piece.length;
    if (!res.write(piece)) await drainedOrClosed(res);
  }
  if (!res.destroyed) res.end();
}

function answer(req: http.IncomingMessage, res: http.ServerResponse, route: Route): void {
  const headers: Record<string, string> = { ...HTML, ...route.headers };
  if (route.etag) headers.etag = route.etag;
  if (route.lastModified) headers['last-modified'] = route.lastModified;
  const notModified =
    (route.etag !== undefined && (req.headers['if-none-match'] ?? '').split(/\s*,\s*/u).includes(route.etag)) ||
    (route.lastModified !== undefined && req.headers['if-modified-since'] === route.lastModified);
  if (notModified) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(route.status ?? 200, headers).end(route.body ?? '');
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, ...HTML }).end(`<a href="${location}">moved</a>`);
}

/** The built-in routes; false when the path has none. */
async function builtIn(url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
  const path = url.pathname;
  let m: RegExpExecArray | null;
  if ((m = /^\/fixtures\/([\w.-]+)$/u.exec(path))) {
    answer(req, res, { headers: { 'content-type': 'text/html' }, body: readFileSync(join(FIXTURES, m[1])) });
  } else if ((m = /^\/status\/(\d{3})$/u.exec(path))) {
    answer(req, res, { status: Number(m[1]), body: `<h1>${m[1]} ${http.STATUS_CODES[Number(m[1])] ?? ''}</h1>` });
  } else if ((m = /^\/redirect\/(\d+)$/u.exec(path))) {
    const left = Number(m[1]);
    if (left === 0) answer(req, res, { body: '<h1>Arrived</h1>' });
    else redirect(res, `/redirect/${left - 1}`);
  } else if (path === '/redirect-to') {
    redirect(res, url.searchParams.get('url') ?? '/');
  } else if (path === '/loop/a' || path === '/loop/b') {
    redirect(res, path === '/loop/a' ? '/loop/b' : '/loop/a');
  } else if (path === '/hang') {
    // Never answers; close() ends the connection.
  } else if (path === '/hang-body') {
    res.writeHead(200, HTML);
    res.write('<html><body><p>Bắt đầu');
  } else if (path === '/huge' || path === '/huge-with-length') {
    await streamHuge(res, HUGE_BYTES, path === '/huge-with-length');
  } else if (path === '/pdf') {
    answer(req, res, { headers: { 'content-type': 'application/pdf' }, body: PDF });
  } else if (path === '/png') {
    answer(req, res, { headers: { 'content-type': 'image/png' }, body: PNG });
  } else {
    return false;
  }
  return true;
}

/** Starts the server on 127.0.0.1 on a free port. */
export async function startWebServer(): Promise<WebServer> {
  const routes = new Map<string, Route>();
  const requests: ReceivedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push({ path: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes.get(url.pathname);
    if (route) {
      if (route.delayMs) await sleep(route.delayMs);
      if (!res.destroyed) answer(req, res, route);
    } else if (!(await builtIn(url, req, res))) {
      answer(req, res, { status: 404, body: '<h1>404 Not Found</h1>' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, route) => void routes.set(path, route),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
