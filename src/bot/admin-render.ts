/**
 * The live corpus as Telegram HTML: what an /add did, /stats, /feeds, /reindex. Citations come
 * from the one formatter (src/answer/citation.ts); times are shown in Vietnam's local time.
 */
import { DateTime } from 'luxon';
import { escapeHtml, formatCitationHtml } from '../answer/citation.ts';
import type { AddOutcome, ArticleInfo, FeedStatus, LibraryStats, RefreshReport } from '../library/types.ts';
import { adminStrings } from './admin-strings.ts';
import { splitHtml } from './split.ts';
import type { Language } from '../text/language.ts';

/** The zone every time in /stats and /feeds is shown in. */
export const STATS_ZONE = 'Asia/Ho_Chi_Minh';
/** Longest feed error shown (the rest is cut with "…"). */
const FEED_ERROR_CHARS = 300;

/** An ISO instant as `dd/MM/yyyy HH:mm` in Vietnam's time, or null when absent or unreadable. */
export function formatLocalTime(iso: string | null): string | null {
  if (!iso) return null;
  const at = DateTime.fromISO(iso, { zone: 'utc' });
  return at.isValid ? at.setZone(STATS_ZONE).toFormat('dd/MM/yyyy HH:mm') : null;
}

/** An article's citation with its id (what /remove takes). */
function articleLines(article: ArticleInfo): string {
  return `${formatCitationHtml(article)}\nid: <code>${escapeHtml(article.id)}</code>`;
}

/** What adding a link did: added, updated or already there, with the article's citation. */
export function renderAddOutcome(outcome: AddOutcome, lang: Language): string {
  const s = adminStrings(lang);
  const { article } = outcome;
  const head =
    outcome.status === 'added'
      ? s.added(article.passages)
      : outcome.status === 'updated'
        ? s.updated(article.passages)
        : s.duplicate;
  return `${head}\n${articleLines(article)}`;
}

/** The article /remove took out. */
export function renderRemoved(article: ArticleInfo, lang: Language): string {
  return `${adminStrings(lang).removed}\n${articleLines(article)}`;
}

/** What /reindex changed, as counts. */
export function renderRefresh(report: RefreshReport, lang: Language): string {
  return adminStrings(lang).reindexed(report.added.length, report.updated.length, report.removed.length);
}

/** One feed: its link, last status, last poll, articles added, the error if any (and the next poll). */
function feedLines(feed: FeedStatus, lang: Language, withNextPoll: boolean): string {
  const s = adminStrings(lang);
  const details = [s.feedStatus[feed.lastStatus]];
  const polled = formatLocalTime(feed.lastPolledAt);
  if (polled) details.push(s.lastPoll(polled));
  details.push(s.itemsAdded(feed.itemsAdded));
  const next = withNextPoll ? formatLocalTime(feed.nextPollAt) : null;
  if (next) details.push(s.nextPoll(next));
  const lines = [`• ${escapeHtml(feed.url)}\n  ${escapeHtml(details.join(', '))}`];
  if (feed.lastError) {
    const error = feed.lastError.length > FEED_ERROR_CHARS ? `${feed.lastError.slice(0, FEED_ERROR_CHARS)}…` : feed.lastError;
    lines.push(`  ${s.feedError(error)}`);
  }
  return lines.join('\n');
}

/** /feeds: every feed with its state, or how to configure feeds when there are none. */
export function renderFeeds(feeds: readonly FeedStatus[], lang: Language): string[] {
  const s = adminStrings(lang);
  if (!feeds.length) return [s.noFeeds];
  // One feed per paragraph so that a long list splits between feeds.
  return splitHtml([s.feedsHeader(feeds.length), ...feeds.map((f) => feedLines(f, lang, true))].join('\n\n'));
}

/** /stats: articles, passages, retrieval, last update, and the feeds. */
export function renderStats(stats: LibraryStats, lang: Language): string[] {
  const s = adminStrings(lang);
  const summary = [
    s.statsHeader,
    s.articles(stats.articles),
    s.passages(stats.passages),
    s.retrieval(stats.retrieval),
    s.lastIngest(formatLocalTime(stats.lastIngestAt)),
  ].join('\n');
  const blocks = [summary];
  if (stats.feeds.length) blocks.push(s.statsFeeds(stats.feeds.length), ...stats.feeds.map((f) => feedLines(f, lang, false)));
  return splitHtml(blocks.join('\n\n'));
}
