/**
 * Feeds feeding the live corpus: a poller over TRICHDAN_FEEDS whose items are added with
 * `library.addUrl`, and whose state (ETags, back-off, items seen) lives in the database.
 */
import type { Config } from '../config.ts';
import { FeedPoller, type IngestOutcome } from '../ingest/feed-poller.ts';
import { FeedStateStore } from '../ingest/feed-state.ts';
import type { SqlClient } from '../db/sql.ts';
import type { CorpusLibrary } from './library.ts';

/** A running set of feeds for one library. */
export interface LibraryFeeds {
  poller: FeedPoller;
  store: FeedStateStore;
  /** Settles once the stored state of the configured feeds has been read (rejects if it could not be). */
  loaded: Promise<void>;
  /** Stops polling (finishing the item being added) and closes the state database. */
  close(): Promise<void>;
}

/** Connects the configured feeds to the library (and its /stats, /feeds). Does not start polling. */
export function connectFeeds(config: Config, library: CorpusLibrary, log: (line: string) => void, database?: SqlClient): LibraryFeeds {
  const store = new FeedStateStore(database ?? config.dbPath);
  // /stats and /feeds show the stored state before the first poll of this run.
  const loaded = store.load(config.ingest.feeds);
  loaded.catch((error: unknown) => log(`feeds: reading their state failed: ${(error as Error).message}`));
  const poller = new FeedPoller({
    feeds: config.ingest.feeds,
    intervalMs: config.ingest.feedIntervalMs,
    policy: config.ingest.fetch,
    store,
    log,
    ingest: async (item, feedUrl): Promise<IngestOutcome> => {
      const outcome = await library.addUrl(item.url, { feed: feedUrl });
      if (outcome.status === 'added') log(`feeds: added ${outcome.article.id} from ${new URL(feedUrl).host}`);
      return outcome.status;
    },
  });
  library.setFeedStatuses(() => store.statuses(config.ingest.feeds));
  return {
    poller,
    store,
    loaded,
    async close() {
      await poller.stop();
      await store.close();
    },
  };
}
