/**
 * An in-memory Library for the bot's tests: "web pages" are a table of URLs, adding one makes an
 * article, and failures are queued by the test. It honours the Library contract's shapes only;
 * the real one (src/library/library.ts) is tested on its own.
 */
import type { Engine } from '../../src/engine-types.ts';
import { IngestError } from '../../src/ingest/types.ts';
import type { AddOutcome, ArticleInfo, FeedStatus, Library, LibraryStats, RefreshReport } from '../../src/library/types.ts';

/** A page the fake web serves: what extraction would find at a URL. */
export interface FakePage {
  title: string;
  date?: string | null;
  source?: string | null;
  /** Default 3. */
  passages?: number;
}

/** Options of {@link FakeLibrary}. */
export interface FakeLibraryOptions {
  /** URL → page; any other URL answers 404 (an IngestError). */
  pages?: Record<string, FakePage>;
  /** Articles already in the corpus. */
  articles?: ArticleInfo[];
  feeds?: FeedStatus[];
  lastIngestAt?: string | null;
  retrieval?: 'hybrid' | 'lexical';
  /** The clock of `addedAt` and `lastIngestAt` (default: now). */
  now?: () => Date;
}

/** An article as the fake library would list it. */
export function fakeArticleInfo(id: string, title: string, extra: Partial<ArticleInfo> = {}): ArticleInfo {
  return {
    id,
    title,
    date: '2025-11-02',
    source: 'Tiền Phong',
    url: `https://example.org/${id}`,
    addedAt: '2025-11-02T01:00:00.000Z',
    passages: 4,
    ...extra,
  };
}

/** The live corpus, in memory. */
export class FakeLibrary implements Library {
  /** Every URL `addUrl` was called with, in order. */
  readonly addedUrls: string[] = [];
  /** Every argument `remove` was called with, in order. */
  readonly removeCalls: string[] = [];
  refreshCalls = 0;
  /** What the next `refresh` reports. */
  nextRefresh: RefreshReport = { added: [], updated: [], removed: [] };
  private readonly articles: ArticleInfo[];
  private readonly pages: Record<string, FakePage>;
  private readonly failures: Error[] = [];
  private readonly now: () => Date;
  private feeds: FeedStatus[];
  private lastIngestAt: string | null;
  private readonly retrieval: 'hybrid' | 'lexical';
  private nextId = 100;

  constructor(
    readonly engine: Engine,
    options: FakeLibraryOptions = {},
  ) {
    this.articles = [...(options.articles ?? [])];
    this.pages = { ...(options.pages ?? {}) };
    this.feeds = [...(options.feeds ?? [])];
    this.lastIngestAt = options.lastIngestAt ?? null;
    this.retrieval = options.retrieval ?? 'lexical';
    this.now = options.now ?? (() => new Date());
  }

  /** Makes the next `addUrl` or `refresh` throw `error`. */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  setFeeds(feeds: FeedStatus[]): void {
    this.feeds = [...feeds];
  }

  async addUrl(url: string): Promise<AddOutcome> {
    this.addedUrls.push(url);
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (!/^https?:\/\//i.test(url)) throw new IngestError('bad_url', 'This is not a web link: send a link that starts with http:// or https://.');
    const existing = this.articles.find((a) => a.url === url);
    if (existing) return { status: 'duplicate', article: existing };
    const page = this.pages[url];
    if (!page) throw new IngestError('http_status', 'The site answered 404 Not Found: check that the link opens in a browser.', 404);
    const article: ArticleInfo = {
      id: `${this.nextId++}_${page.title.slice(0, 20).replace(/\W+/gu, '-')}`,
      title: page.title,
      date: page.date === undefined ? '2025-11-20' : page.date,
      source: page.source === undefined ? 'VnExpress' : page.source,
      url,
      addedAt: this.now().toISOString(),
      passages: page.passages ?? 3,
    };
    this.articles.unshift(article);
    this.lastIngestAt = article.addedAt;
    return { status: 'added', article };
  }

  async addPaths(paths: readonly string[]): Promise<AddOutcome[]> {
    return paths.map((p) => {
      const article = fakeArticleInfo(`${this.nextId++}_file`, p, { url: null, addedAt: this.now().toISOString() });
      this.articles.unshift(article);
      this.lastIngestAt = article.addedAt;
      return { status: 'added', article };
    });
  }

  async remove(idOrUrl: string): Promise<ArticleInfo | null> {
    this.removeCalls.push(idOrUrl);
    const at = this.articles.findIndex((a) => a.id === idOrUrl || a.url === idOrUrl);
    if (at < 0) return null;
    const [removed] = this.articles.splice(at, 1);
    this.lastIngestAt = this.now().toISOString();
    return removed;
  }

  list(): ArticleInfo[] {
    return [...this.articles];
  }

  async refresh(): Promise<RefreshReport> {
    this.refreshCalls++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.nextRefresh;
  }

  stats(): LibraryStats {
    return {
      articles: this.articles.length,
      passages: this.articles.reduce((sum, a) => sum + a.passages, 0),
      retrieval: this.retrieval,
      lastIngestAt: this.lastIngestAt,
      feeds: this.feeds.map((f) => ({ ...f })),
    };
  }
}
