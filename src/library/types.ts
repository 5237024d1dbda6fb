/**
 * The live corpus as the bot, the CLI and the feed poller see it: add, remove, list, refresh,
 * with the engine that always answers from the newest committed index.
 * (Implemented by `Library` in library.ts.)
 */
import type { Engine } from '../engine-types.ts';
import type { FeedStatus } from '../ingest/types.ts';

export type { FeedStatus };

/** One article as `list` and the bot show it. */
export interface ArticleInfo {
  id: string;
  title: string;
  /** ISO date of the article, or null. */
  date: string | null;
  source: string | null;
  url: string | null;
  /** When the index first saw it (ISO instant). */
  addedAt: string;
  /** Passages it was cut into. */
  passages: number;
}

/** What adding one file or URL did. */
export interface AddOutcome {
  /**
   * `added`: new article; `updated`: the same article (same URL or id) with a new text;
   * `duplicate`: already in the corpus (same canonical URL or same text), nothing changed;
   * `unchanged`: the file is already indexed as it is.
   */
  status: 'added' | 'updated' | 'duplicate' | 'unchanged';
  article: ArticleInfo;
}

/** What `/stats` shows. */
export interface LibraryStats {
  articles: number;
  passages: number;
  retrieval: 'hybrid' | 'lexical';
  /** ISO instant of the last change to the index (add, remove, refresh), or null. */
  lastIngestAt: string | null;
  feeds: FeedStatus[];
}

/** What a refresh (re-scan of the corpus folder) changed. */
export interface RefreshReport {
  added: string[];
  updated: string[];
  removed: string[];
}

/** The live corpus. Every method that changes it commits to disk before it resolves. */
export interface Library {
  /** Answers from the newest committed index; questions in flight finish on the one they started with. */
  readonly engine: Engine;
  /** Fetches, extracts, cleans, stores and indexes one web article. Throws IngestError with a user-facing message. */
  addUrl(url: string): Promise<AddOutcome>;
  /** Copies files (or every .txt/.md of a folder) into the corpus and indexes them. */
  addPaths(paths: readonly string[]): Promise<AddOutcome[]>;
  /** Removes an article by id or URL; null when nothing matches. */
  remove(idOrUrl: string): Promise<ArticleInfo | null>;
  list(): ArticleInfo[];
  /** Re-scans the corpus folder (files added, changed or deleted by hand) and indexes the difference. */
  refresh(): Promise<RefreshReport>;
  stats(): LibraryStats;
}
