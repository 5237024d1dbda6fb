/**
 * Test helpers for feeds: an RSS builder, and a tiny HTTP server on 127.0.0.1 that serves feeds
 * with ETag / Last-Modified (answering 304 to a matching conditional request) and records what
 * it was asked.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `<item>` of {@link rssFeed}. */
export interface RssItem {
  guid?: string;
  link?: string;
  title?: string;
  pubDate?: string;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An RSS 2.0 document with these items, in this order. */
export function rssFeed(items: readonly RssItem[], title = 'Tin mới nhất'): string {
  const body = items
    .map((i) =>
      [
        '<item>',
        `<title>${escapeXml(i.title ?? `Bài ${i.guid ?? i.link}`)}</title>`,
        i.link ? `<link>${escapeXml(i.link)}</link>` : '',
        i.guid ? `<guid isPermaLink="false">${escapeXml(i.guid)}</guid>` : '',
        i.pubDate ? `<pubDate>${i.pubDate}</pubDate>` : '',
        '<description><![CDATA[<img src="https://example.vn/a.jpg"></br>Tóm tắt.]]></description>',
        '</item>',
      ].join(''),
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title><link>https://example.vn/</link>\n${body}\n</channel></rss>\n`;
}

/** What a route answers. Conditional requests matching `etag` or `lastModified` get a 304. */
export interface FeedRoute {
  status?: number;
  body?: string;
  contentType?: string;
  etag?: string;
  lastModified?: string;
}

/** A request the server received. */
export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

/** A running feed server. */
export interface FeedServer {
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Sets (or replaces) what a path answers; unknown paths answer 404. */
  route(path: string, response: FeedRoute): void;
  /** Every request so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** Requests for one path. */
  requestsFor(path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a feed server on 127.0.0.1 (a free port). */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, FeedRoute>();
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': route.contentType ?? 'application/rss+xml; charset=utf-8' };
    if (route.etag) headers.etag = route.etag;
    if (route.lastModified) headers['last-modified'] = route.lastModified;
    const notModified =
      (route.etag !== undefined && req.headers['if-none-match'] === route.etag) ||
      (route.etag === undefined && route.lastModified !== undefined && req.headers['if-modified-since'] === route.lastModified);
    if (notModified) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(route.status ?? 200, headers).end(route.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    route: (path, response) => void routes.set(path, response),
    requests,
    requestsFor: (path) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
