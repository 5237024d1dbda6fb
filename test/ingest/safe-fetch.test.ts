import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddressResolver, isPublicAddress, parseWebUrl, safeFetch } from '../../src/ingest/safe-fetch.ts';
import { type FetchPolicy, IngestError } from '../../src/ingest/types.ts';
import { startWebServer, type WebServer } from '../helpers/web-server.ts';

const POLICY: FetchPolicy = { timeoutMs: 500, maxBytes: 5_000_000, maxRedirects: 5, allowPrivate: true, userAgent: 'trichdan-test/1' };
const STRICT: FetchPolicy = { ...POLICY, allowPrivate: false };

let server: WebServer;
beforeAll(async () => {
  server = await startWebServer();
});
afterAll(() => server.close());

/** The IngestError a promise rejects with (fails the test if it resolves or throws something else). */
async function failure(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

/** Resolves names from a table; the test server's 127.0.0.1 counts as public, everything else by the real rule. */
function fakeDns(table: Record<string, string[]>): AddressResolver {
  return {
    lookup: async (host) => {
      const addresses = table[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
    isPublic: (address) => address === '127.0.0.1' || isPublicAddress(address),
  };
}

describe('isPublicAddress', () => {
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '14.225.1.1'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
  it.each([
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '255.255.255.255', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:10.0.0.1', '2002:7f00:1::', '64:ff9b::a00:1', 'ff02::1', 'not an address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('parseWebUrl', () => {
  it('refuses other schemes, naming them', () => {
    for (const [url, scheme] of [['file:///etc/passwd', 'file:'], ['ftp://example.com/a.txt', 'ftp:'], ['data:text/html,<p>x</p>', 'data:'], ['javascript:alert(1)', 'javascript:']]) {
      const error = (() => {
        try {
          parseWebUrl(url);
        } catch (e) {
          return e as IngestError;
        }
      })();
      expect(error?.kind).toBe('bad_url');
      expect(error?.message).toContain(scheme);
    }
  });
  it('refuses text that is not a URL', () => {
    expect(() => parseWebUrl('tienphong.vn/bai-viet')).toThrow(/not a web address/);
  });
  it('resolves a redirect location against the current URL', () => {
    expect(parseWebUrl('../b?x=1', new URL('https://a.vn/x/y/z')).href).toBe('https://a.vn/x/b?x=1');
  });
});

describe('safeFetch', () => {
  it('returns the page with its type, charset and final URL, sending User-Agent and Accept', async () => {
    server.set('/page', { headers: { 'content-type': 'text/html; charset=UTF-8' }, body: '<p>Xin chào</p>' });
    const res = await safeFetch(server.url('/page'), POLICY, { accept: 'text/html' });
    expect(res).toMatchObject({ url: server.url('/page'), status: 200, contentType: 'text/html', charset: 'utf-8' });
    expect(res.body.toString()).toBe('<p>Xin chào</p>');
    const received = server.requests.findLast((r) => r.path === '/page')!;
    expect(received.headers['user-agent']).toBe('trichdan-test/1');
    expect(received.headers.accept).toBe('text/html');
  });

  it('decompresses a gzip body', async () => {
    server.set('/gzip', { headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' }, body: gzipSync('<p>Nén gzip</p>') });
    expect((await safeFetch(server.url('/gzip'), POLICY)).body.toString()).toBe('<p>Nén gzip</p>');
  });

  it('follows up to 5 redirects and reports where it ended', async () => {
    const res = await safeFetch(server.url('/redirect/5'), POLICY);
    expect(res.url).toBe(server.url('/redirect/0'));
    expect(res.body.toString()).toContain('Arrived');
  });

  it('refuses a 6th redirect', async () => {
    const error = await failure(safeFetch(server.url('/redirect/6'), POLICY));
    expect(error.kind).toBe('too_many_redirects');
    expect(error.message).toBe('the page redirects more than 5 times');
  });

  it('refuses a redirect loop', async () => {
    const error = await failure(safeFetch(server.url('/loop/a'), POLICY));
    expect(error.kind).toBe('too_many_redirects');
    expect(error.message).toContain('loop');
  });

  it.each([
    [404, 'the server answered 404 Not Found'],
    [500, 'the server answered 500 Internal Server Error'],
  ])('refuses status %i', async (status, message) => {
    const error = await failure(safeFetch(server.url(`/status/${status}`), POLICY));
    expect(error).toMatchObject({ kind: 'http_status', status, message });
  });

  it('returns 304 when the ETag matches, and sends the extra headers', async () => {
    server.set('/feed.xml', { headers: { 'content-type': 'application/rss+xml' }, body: '<rss/>', etag: '"v1"' });
    const first = await safeFetch(server.url('/feed.xml'), POLICY);
    expect(first.headers.get('etag')).toBe('"v1"');
    const again = await safeFetch(server.url('/feed.xml'), POLICY, { headers: { 'If-None-Match': '"v1"' } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe('"v1"');
  });

  it('times out when the server never answers', async () => {
    const started = Date.now();
    const error = await failure(safeFetch(server.url('/hang'), POLICY));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/did not send the page within 0\.5 s/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out when the body never finishes (the limit covers the body too)', async () => {
    const error = await failure(safeFetch(server.url('/hang-body'), POLICY));
    expect(error.kind).toBe('timeout');
  });

  it.each(['/huge', '/huge-with-length'])('refuses a 50 MB body at %s early', async (path) => {
    const started = Date.now();
    const error = await failure(safeFetch(server.url(path), { ...POLICY, timeoutMs: 10_000 }));
    expect(error).toMatchObject({ kind: 'too_large', message: 'the page is larger than 5 MB' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses non-http schemes before any request', async () => {
    expect((await failure(safeFetch('file:///etc/passwd', POLICY))).kind).toBe('bad_url');
    expect((await failure(safeFetch('ftp://example.com/', POLICY))).message).toContain('ftp:');
  });

  it('reports a host that does not resolve as a DNS failure', async () => {
    const error = await failure(safeFetch('http://khong-ton-tai.test/', STRICT, {}, fakeDns({})));
    expect(error).toMatchObject({ kind: 'dns', message: 'the host khong-ton-tai.test was not found (DNS)' });
  });

  it('reports a refused connection as a network failure without a stack', async () => {
    const closed = await startWebServer();
    const url = closed.url('/');
    await closed.close();
    const error = await failure(safeFetch(url, POLICY));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+ refused the connection$/);
  });
});

describe('safeFetch: private addresses', () => {
  it.each([
    'http://127.0.0.1/',
    'http://localhost/',
    'http://[::1]/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
    'http://2130706433/', // 127.0.0.1 in decimal, normalised by the URL parser
    'http://0177.0.0.1/', // octal
  ])('refuses %s unless allowed', async (url) => {
    const error = await failure(safeFetch(url, STRICT));
    expect(error.kind).toBe('private_address');
    expect(error.message).toMatch(/is a local or private network address/);
  });

  it('allows the local test server when allowPrivate is set', async () => {
    expect((await safeFetch(server.url('/status/200'), POLICY)).status).toBe(200);
  });

  it('connects to the address that was checked', async () => {
    const dnsTable = fakeDns({ 'news.test': ['127.0.0.1'] });
    server.set('/checked', { body: '<p>ok</p>' });
    const res = await safeFetch(`http://news.test:${server.port}/checked`, STRICT, {}, dnsTable);
    expect(res.body.toString()).toBe('<p>ok</p>');
  });

  it('refuses a name when any of its addresses is private', async () => {
    const dnsTable = fakeDns({ 'mixed.test': ['127.0.0.1', '10.1.2.3'] });
    const error = await failure(safeFetch(`http://mixed.test:${server.port}/checked`, STRICT, {}, dnsTable));
    expect(error).toMatchObject({ kind: 'private_address', message: 'mixed.test (10.1.2.3) is a local or private network address, which is not fetched' });
  });

  it('checks every redirect hop: a public page redirecting to a private one is refused', async () => {
    const dnsTable = fakeDns({ 'news.test': ['127.0.0.1'], 'intranet.test': ['192.168.0.10'] });
    const hop = (target: string) => `http://news.test:${server.port}/redirect-to?url=${encodeURIComponent(target)}`;
    for (const target of ['http://intranet.test/admin', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/']) {
      const error = await failure(safeFetch(hop(target), STRICT, {}, dnsTable));
      expect(error.kind).toBe('private_address');
    }
    expect((await failure(safeFetch(hop('file:///etc/passwd'), STRICT, {}, dnsTable))).kind).toBe('bad_url');
  });
});
