/**
 * One web request made safely: only http(s), never to a loopback, private or
 * link-local address, bounded in time, size and redirects.
 *
 * Why node:http rather than fetch: the address check has to hold for the
 * connection actually made. Host names are resolved in the socket's own
 * `lookup` hook, every address is checked there, and the socket connects to
 * one of those checked addresses, so a DNS answer that changes between check
 * and connect (DNS rebinding) cannot get through. Node's bundled fetch offers
 * no such hook without the separate undici package. IP literals skip `lookup`
 * and are checked before the request instead.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { type FetchPolicy, IngestError } from './types.ts';

/** What a request answered, after following redirects. */
export interface SafeResponse {
  /** The URL that answered (after redirects). */
  url: string;
  /** 2xx or 304. */
  status: number;
  headers: Headers;
  /** Lower-cased MIME type without parameters ("text/html"), "" when absent. */
  contentType: string;
  /** The `charset` parameter of Content-Type, lower-cased, or null. */
  charset: string | null;
  /** The body, decompressed; empty for 304. */
  body: Buffer;
}

/** Request headers beyond the ones every request gets (User-Agent from the policy). */
export interface FetchInit {
  /** Sent as Accept (default any type). */
  accept?: string;
  /** Extra headers, e.g. If-None-Match / If-Modified-Since for feeds. */
  headers?: Record<string, string>;
}

/** How host names resolve and which addresses count as public: the system's, replaced in tests. */
export interface AddressResolver {
  lookup(host: string): Promise<dns.LookupAddress[]>;
  isPublic(address: string): boolean;
}

const systemResolver: AddressResolver = {
  lookup: (host) => dns.promises.lookup(host, { all: true, verbatim: true }),
  isPublic: isPublicAddress,
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DECOMPRESSORS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: zlib.createGunzip,
  'x-gzip': zlib.createGunzip,
  deflate: zlib.createInflate,
  br: zlib.createBrotliDecompress,
};
const DNS_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL']);

/**
 * True for a public unicast address. Loopback, private, link-local,
 * carrier-grade NAT, multicast, unspecified (0.0.0.0), reserved and the
 * IPv6 forms that embed or tunnel IPv4 (6to4, Teredo, NAT64) are not;
 * an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as its IPv4.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress()) ip = ip.toIPv4Address();
  return ip.range() === 'unicast';
}

/** Parses an http(s) URL (relative to `base` for redirects), or throws 'bad_url'. */
export function parseWebUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new IngestError('bad_url', `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}" is not a web address: give one starting with https://`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IngestError('bad_url', `only http:// and https:// addresses can be fetched, not ${url.protocol}`);
  }
  return url;
}

/** "5 MB", "200 kB": a byte limit in words. */
function formatBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${+(bytes / 1_000_000).toFixed(1)} MB` : `${+(bytes / 1000).toFixed(1)} kB`;
}

function refused(host: string, address: string): IngestError {
  const which = host === address ? address : `${host} (${address})`;
  return new IngestError('private_address', `${which} is a local or private network address, which is not fetched`);
}

/** Socket `lookup` hook: resolves, refuses if any address is not public, then connects only to those addresses. */
function guardedLookup(resolver: AddressResolver, allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    resolver.lookup(hostname).then(
      (addresses) => {
        const bad = addresses.find((a) => !resolver.isPublic(a.address));
        if (addresses.length === 0) callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        else if (bad && !allowPrivate) callback(refused(hostname, bad.address), '', 0);
        else if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** Sends one GET and resolves with the response head. */
function send(url: URL, policy: FetchPolicy, init: FetchInit, resolver: AddressResolver, signal: AbortSignal): Promise<http.IncomingMessage> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/u, '$1');
  if (net.isIP(hostname) && !policy.allowPrivate && !resolver.isPublic(hostname)) return Promise.reject(refused(hostname, hostname));
  const headers: Record<string, string> = {
    'user-agent': policy.userAgent,
    accept: init.accept ?? '*/*',
    'accept-encoding': 'gzip, deflate, br',
  };
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      {
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        agent: false,
        lookup: guardedLookup(resolver, policy.allowPrivate),
        signal,
      },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}

/** The body as a stream of decoded bytes (gzip, deflate, br undone). */
function decodedBody(response: http.IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return response;
  const decompress = DECOMPRESSORS[encoding];
  if (!decompress) throw new IngestError('network', `the server sent the page in an unsupported encoding (${encoding})`);
  return pipeline(response, decompress(), () => {});
}

/** Reads the whole body, refusing it as soon as it passes `maxBytes` (declared or counted). */
async function readBody(response: http.IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const tooLarge = () => new IngestError('too_large', `the page is larger than ${formatBytes(maxBytes)}`);
  // The request's signal ends the socket; this makes sure a stalled body read ends with it.
  const onAbort = () => response.destroy(signal.reason as Error);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (Number(response.headers['content-length']) > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of decodedBody(response)) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, size);
  } catch (error) {
    response.destroy();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Turns a socket, DNS, TLS or parser error into an IngestError with a short reason and no stack. */
function describeFailure(error: unknown, url: URL, policy: FetchPolicy, signal: AbortSignal): IngestError {
  if (error instanceof IngestError) return error;
  if (signal.aborted) return new IngestError('timeout', `${url.host} did not send the page within ${policy.timeoutMs / 1000} s`);
  const code = String((error as NodeJS.ErrnoException)?.code ?? '');
  if (DNS_ERRORS.has(code)) return new IngestError('dns', `the host ${url.hostname} was not found (DNS)`);
  if (code === 'ECONNREFUSED') return new IngestError('network', `${url.host} refused the connection`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return new IngestError('network', `${url.host} closed the connection before the page was complete`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new IngestError('network', `${url.host} cannot be reached`);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/u.test(code)) return new IngestError('network', `the TLS certificate of ${url.hostname} is not valid (${code})`);
  if (code.startsWith('HPE_')) return new IngestError('network', `${url.host} sent an invalid HTTP response`);
  if (code.startsWith('Z_')) return new IngestError('network', `${url.host} sent a corrupt compressed page`);
  return new IngestError('network', `the request to ${url.host} failed (${code || 'network error'})`);
}

function toHeaders(response: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) headers.append(response.rawHeaders[i], response.rawHeaders[i + 1]);
  return headers;
}

/**
 * GETs `url` within `policy`: redirects followed by hand (each hop checked
 * again), one time limit over all hops and the body, the body capped at
 * `policy.maxBytes`. Returns 2xx and 304 answers; everything else is an
 * {@link IngestError} of the matching kind.
 */
export async function safeFetch(url: string, policy: FetchPolicy, init: FetchInit = {}, resolver: AddressResolver = systemResolver): Promise<SafeResponse> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let current = parseWebUrl(url);
  const visited = new Set([current.href]);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await send(current, policy, init, resolver, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        response.destroy();
        const next = parseWebUrl(location, current);
        if (visited.has(next.href)) throw new IngestError('too_many_redirects', `the page redirects in a loop (back to ${next.href})`);
        if (redirects >= policy.maxRedirects) throw new IngestError('too_many_redirects', `the page redirects more than ${policy.maxRedirects} times`);
        visited.add(next.href);
        current = next;
        continue;
      }
      if (status >= 300 && status !== 304) {
        response.destroy();
        const reason = http.STATUS_CODES[status] ?? '';
        throw new IngestError('http_status', `the server answered ${status}${reason ? ` ${reason}` : ''}`, status);
      }
      const contentType = response.headers['content-type'] ?? '';
      return {
        url: current.href,
        status,
        headers: toHeaders(response),
        contentType: contentType.split(';')[0].trim().toLowerCase(),
        charset: /;\s*charset\s*=\s*"?([^";\s]+)/iu.exec(contentType)?.[1].toLowerCase() ?? null,
        body: await readBody(response, policy.maxBytes, signal),
      };
    }
  } catch (error) {
    throw describeFailure(error, current, policy, signal);
  }
}
