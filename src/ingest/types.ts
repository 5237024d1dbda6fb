/**
 * Contracts of the web ingest: what fetching a page gives, and how failures are told.
 * (Implemented in safe-fetch.ts, extract.ts, article-file.ts, feed-parse.ts, feed-poller.ts, feed-state.ts.)
 */
import { UserError } from '../errors.ts';

/** Limits and switches of every web request (settings TRICHDAN_FETCH_*, TRICHDAN_ALLOW_PRIVATE_URLS). */
export interface FetchPolicy {
  /** Whole-request time limit, headers and body, in ms (default 15 000). */
  timeoutMs: number;
  /** Largest body read, in bytes; a longer one is refused (default 5 MB). */
  maxBytes: number;
  /** Most redirects followed (5). */
  maxRedirects: number;
  /** Let URLs resolve to loopback / private / link-local addresses (tests with a 127.0.0.1 server). */
  allowPrivate: boolean;
  /** Sent as User-Agent. */
  userAgent: string;
}

/** Why a URL could not be ingested; `message` is one sentence a user can act on (Vietnamese-speaking users read English UI text here too). */
export class IngestError extends UserError {
  override name = 'IngestError';
  constructor(
    readonly kind:
      | 'bad_url' // not a URL, or a scheme other than http(s)
      | 'private_address' // resolves to loopback/private/link-local/multicast
      | 'dns' // host not found
      | 'timeout'
      | 'too_large'
      | 'too_many_redirects'
      | 'http_status' // 4xx/5xx
      | 'not_html' // content type is not HTML (or not a feed, for feeds)
      | 'no_article' // no article text found in the page
      | 'bad_feed' // malformed XML / not RSS or Atom
      | 'network',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** An article extracted from a web page, before it is written to the corpus. */
export interface WebArticle {
  /** The URL that was asked for. */
  requestedUrl: string;
  /** Where the last redirect led. */
  finalUrl: string;
  /** `<link rel=canonical>`, else og:url, else JSON-LD url, else finalUrl; normalised (no fragment, no utm_* parameters). */
  canonicalUrl: string;
  title: string;
  /** ISO `YYYY-MM-DD` in the page's own zone (Vietnamese sites: +07:00), or null. */
  date: string | null;
  /** Publisher / site name (JSON-LD publisher.name, og:site_name, else the host), or null. */
  source: string | null;
  /** Body paragraphs separated by one blank line (extracted by Readability; the corpus cleaner runs later). */
  text: string;
}

/** Last known state of one feed (for /feeds, /stats and `trichdan feeds`). */
export interface FeedStatus {
  url: string;
  /** `never`: not polled yet. */
  lastStatus: 'ok' | 'not_modified' | 'error' | 'never';
  lastPolledAt: string | null;
  lastError: string | null;
  /** Articles this feed brought in, in all. */
  itemsAdded: number;
  /** When it is polled next (later after failures: back-off). */
  nextPollAt: string | null;
}
