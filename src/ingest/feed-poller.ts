/**
 * Polls RSS/Atom feeds and hands their new items to the ingest, politely and exactly once:
 * conditional requests (ETag / Last-Modified), exponential back-off for a failing feed, every
 * item recorded in the {@link FeedStateStore} so a restart never ingests it again.
 */
import { type FetchPolicy, IngestError } from './types.ts';
import { decodeFeed, parseFeed, type FeedItem } from './feed-parse.ts';
import type { FeedPollRecord, FeedState, FeedStateStore } from './feed-state.ts';
import { safeFetch, type SafeResponse } from './safe-fetch.ts';

/** How the poller fetches (safeFetch; tests inject their own). */
export type FeedFetch = typeof safeFetch;

/** What the ingest did with one item (Library.addUrl's status). */
export type IngestOutcome = 'added' | 'duplicate' | 'unchanged' | 'updated';

/** Options of {@link FeedPoller}. */
export interface FeedPollerOptions {
  /** Feed URLs (TRICHDAN_FEEDS); repeats are polled once. */
  feeds: readonly string[];
  /** Time between two polls of a healthy feed (TRICHDAN_FEED_INTERVAL). */
  intervalMs: number;
  /** Limits of every request (config.ingest.fetch). */
  policy: FetchPolicy;
  store: FeedStateStore;
  /** Adds one item's article to the corpus; throws (IngestError) when it cannot. */
  ingest: (item: FeedItem, feedUrl: string) => Promise<IngestOutcome>;
  /** Default: safeFetch. */
  fetch?: FeedFetch;
  /** Default: the system time. */
  clock?: () => Date;
  /** One line per event worth telling (a failed feed, a failed item). Default: nothing. */
  log?: (line: string) => void;
  /**
   * Most new items ingested per feed and poll (default 30). New items beyond it, the older ones,
   * are recorded as `skipped` and never fetched: a feed's first poll, or one after a long outage,
   * brings in its newest items instead of crawling its whole backlog (5,000 items → 30 articles).
   */
  maxItemsPerPoll?: number;
}

/** What one poll of one feed did. */
export interface FeedPollReport {
  url: string;
  status: 'ok' | 'not_modified' | 'error';
  /** Items not seen before (including those past the cap). */
  newItems: number;
  added: number;
  /** Already in the corpus (the ingest said duplicate, unchanged or updated). */
  duplicates: number;
  failed: number;
  /** New items past maxItemsPerPoll, recorded and never fetched. */
  skipped: number;
  /** What went wrong, for status `error` (one sentence). */
  error?: string;
}

/** Sent as Accept: feeds first, any XML next, anything else last (some servers label feeds text/html). */
export const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

/** The longest back-off of a failing feed. */
export const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;

/** How often `start()` looks for due feeds, at most. */
const MAX_TICK_MS = 30_000;

/** Delay before the next poll after `failures` consecutive failures: interval × 2^failures, at most 24 h. */
export const backoffMs = (intervalMs: number, failures: number): number =>
  Math.min(intervalMs * 2 ** Math.min(failures, 30), MAX_BACKOFF_MS);

/**
 * Polls feeds one after another (the ingest is never asked for two articles at once, and no
 * site gets parallel requests from us). One feed's failure is recorded and logged and never
 * stops the others; one item's failure never stops its feed.
 */
export class FeedPoller {
  private readonly feeds: string[];
  private readonly fetch: FeedFetch;
  private readonly clock: () => Date;
  private readonly log: (line: string) => void;
  private readonly maxItems: number;
  /** The poll in flight (polls never overlap: a second one waits for the first). */
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FeedPollerOptions) {
    this.feeds = [...new Set(options.feeds)];
    this.fetch = options.fetch ?? safeFetch;
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => {});
    this.maxItems = options.maxItemsPerPoll ?? 30;
  }

  /** Polls every feed that is due (never polled, or its next poll time has come), or every feed with `force`. */
  pollOnce(options: { force?: boolean } = {}): Promise<FeedPollReport[]> {
    const poll = this.running.then(async () => {
      this.busy = true;
      try {
        const reports: FeedPollReport[] = [];
        for (const url of this.feeds) {
          if (this.stopping) break;
          const state = await this.options.store.getFeed(url);
          if (options.force || this.isDue(state)) reports.push(await this.pollFeed(url, state));
        }
        return reports;
      } finally {
        this.busy = false;
      }
    });
    this.running = poll.catch(() => {});
    return poll;
  }

  /**
   * Polls now, then checks for due feeds every tenth of the interval (at most every 30 s), so a
   * feed is polled about `intervalMs` after its last poll: checking only once per interval would
   * find it not quite due (its next time counts from when the poll ran, after the check) and
   * poll it every other check, twice the interval. The timer does not keep the process alive.
   */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    const tick = () => {
      if (this.busy || this.stopping) return;
      this.pollOnce().catch((err: Error) => this.log(`feeds: poll failed: ${err.message}`));
    };
    this.timer = setInterval(tick, Math.max(1, Math.min(this.options.intervalMs / 10, MAX_TICK_MS)));
    this.timer.unref();
    tick();
  }

  /** Stops the timer and waits for the poll in flight; items it has not reached are left for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.stopping = false; // pollOnce works again (start() restarts the timer)
  }

  private isDue(state: FeedState | undefined): boolean {
    const next = state?.nextPollAt;
    return !next || next.getTime() <= this.clock().getTime();
  }

  /** One feed, isolated, from its stored state (undefined: never polled): every error ends up in its report and its stored state. */
  private async pollFeed(url: string, state: FeedState | undefined): Promise<FeedPollReport> {
    const { store, intervalMs } = this.options;
    const report: FeedPollReport = { url, status: 'ok', newItems: 0, added: 0, duplicates: 0, failed: 0, skipped: 0 };
    try {
      const headers: Record<string, string> = {};
      if (state?.etag) headers['If-None-Match'] = state.etag;
      if (state?.lastModified) headers['If-Modified-Since'] = state.lastModified;
      const res = await this.fetch(url, this.options.policy, { accept: FEED_ACCEPT, headers });
      const validators = { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
      if (res.status === 304) {
        report.status = 'not_modified';
        // A 304 may omit the validators: keep the stored ones then.
        await store.updateFeed(url, this.success('not_modified', {
          etag: validators.etag ?? undefined,
          lastModified: validators.lastModified ?? undefined,
        }));
        return report;
      }
      const items = readFeed(url, res);
      const complete = await this.ingestNew(url, items, report);
      // Unfinished work (an item to retry, a stop mid-feed) needs the whole feed next time, not a 304.
      await store.updateFeed(url, this.success('ok', complete ? validators : { etag: null, lastModified: null }));
      return report;
    } catch (err) {
      const failures = (state?.failures ?? 0) + 1;
      const message = oneLine(err);
      const delay = backoffMs(intervalMs, failures);
      const now = this.clock();
      await store.updateFeed(url, {
        status: 'error',
        polledAt: now,
        nextPollAt: new Date(now.getTime() + delay),
        failures,
        error: message,
      });
      this.log(`feed ${url}: ${message} (failure ${failures} in a row; next try in ${readableDelay(delay)})`);
      return { ...report, status: 'error', error: message };
    }
  }

  private success(
    status: 'ok' | 'not_modified',
    validators: { etag?: string | null; lastModified?: string | null },
  ): FeedPollRecord {
    const now = this.clock();
    return {
      status,
      polledAt: now,
      nextPollAt: new Date(now.getTime() + this.options.intervalMs),
      failures: 0,
      error: null,
      ...validators,
    };
  }

  /**
   * Hands the newest unseen items (at most maxItemsPerPoll) to the ingest and records the rest as
   * skipped. Returns false when work is left for the next poll (an item to retry, or stopped).
   */
  private async ingestNew(feedUrl: string, items: FeedItem[], report: FeedPollReport): Promise<boolean> {
    const { store } = this.options;
    const seen = await store.seenAmong(feedUrl, items.map((item) => item.id));
    const fresh = items.filter((item) => !seen.has(item.id));
    const now = fresh.slice(0, this.maxItems);
    const never = fresh.slice(this.maxItems);
    report.newItems = fresh.length;
    report.skipped = never.length;
    await store.markSkipped(feedUrl, never);
    let complete = true;
    for (const item of now) {
      if (this.stopping) return false;
      try {
        const outcome = await this.options.ingest(item, feedUrl);
        const status = outcome === 'added' ? 'added' : 'duplicate';
        await store.markItem(feedUrl, item.id, item.url, status);
        if (status === 'added') report.added++;
        else report.duplicates++;
      } catch (err) {
        const message = oneLine(err);
        const stored = await store.markItem(feedUrl, item.id, item.url, 'failed', message);
        report.failed++;
        if (stored === 'failed') complete = false;
        this.log(`feed ${feedUrl}: ${item.url}: ${message}${stored === 'gave_up' ? ' (given up)' : ' (retried at the next poll)'}`);
      }
    }
    return complete;
  }
}

/** Content types a feed may come as; text/html, text/plain and unlabelled bodies are accepted when they parse as a feed. */
const FEED_TYPE = /xml|rss|atom/;
const MAYBE_FEED_TYPE = new Set(['text/html', 'text/plain', 'application/octet-stream', '']);

/** Decodes and parses a response, refusing content types that cannot be a feed. */
function readFeed(url: string, res: SafeResponse): FeedItem[] {
  const type = res.contentType.split(';')[0].trim().toLowerCase();
  if (!FEED_TYPE.test(type) && !MAYBE_FEED_TYPE.has(type))
    throw new IngestError('not_html', `${url} sent ${type}, not an RSS or Atom feed; check the address in TRICHDAN_FEEDS.`);
  return parseFeed(decodeFeed(res.body, res.charset), res.url || url).items;
}

const readableDelay = (ms: number) => (ms >= 3_600_000 ? `${Math.round(ms / 360_000) / 10} h` : `${Math.round(ms / 6000) / 10} min`);

/** An error's message on one line (never a stack): logs and /feeds show it as it is. */
const oneLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
