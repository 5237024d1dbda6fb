/**
 * What the bot says around the live corpus: /add, /remove, /reindex, /feeds (admins) and /stats
 * (everyone), in Vietnamese and English. Functions take raw values and return Telegram HTML;
 * every value from a user, a feed or an article is escaped here.
 */
import { escapeHtml } from '../answer/citation.ts';
import { clipText } from '../text/clip.ts';
import type { FeedStatus } from '../library/types.ts';
import type { CommandDescription } from './strings.ts';
import type { Language } from '../text/language.ts';

/** Every sentence of the admin commands and /stats in one language. */
export interface AdminStrings {
  notAdmin: string;
  /** No live library in this mode (the bot runs on a fixed index). */
  noLibrary: string;
  addUsage: string;
  removeUsage: string;
  /** An argument over the limit; the argument itself is not repeated. */
  argumentTooLong(length: number, max: number): string;
  fetching: string;
  reindexing: string;
  /** Above the citation of a new article. */
  added(passages: number): string;
  updated(passages: number): string;
  /** The article the link already is in the corpus as (`unchanged` too). */
  duplicate: string;
  removed: string;
  notRemoved(idOrUrl: string): string;
  reindexed(added: number, updated: number, removed: number): string;
  feedsHeader(count: number): string;
  noFeeds: string;
  feedStatus: Record<FeedStatus['lastStatus'], string>;
  lastPoll(when: string): string;
  nextPoll(when: string): string;
  itemsAdded(count: number): string;
  feedError(message: string): string;
  statsHeader: string;
  articles(count: number): string;
  passages(count: number): string;
  retrieval(mode: 'hybrid' | 'lexical'): string;
  lastIngest(when: string | null): string;
  /** Above the feeds in /stats. */
  statsFeeds(count: number): string;
  /** Sent with the button under a plain link from an admin (the link is not repeated). */
  linkPrompt: string;
  /** The button under a plain link sent by an admin. */
  addButton: string;
  /** Pop-up for a link button that expired (restart, or kept too long). */
  staleLink: string;
}

const vi: AdminStrings = {
  notAdmin: 'Chỉ quản trị viên mới dùng được lệnh này.',
  noLibrary: 'Bot đang chạy trên một chỉ mục cố định: không thêm, xóa hay quét lại bài báo được trong chế độ này.',
  addUsage: 'Cách dùng: <code>/add https://…</code> (đường link của một bài báo)',
  removeUsage: 'Cách dùng: <code>/remove &lt;id hoặc đường link&gt;</code> (id có trong tin nhắn trả lời lệnh /add; đường link như /sources hiển thị)',
  argumentTooLong: (length, max) => `Nội dung sau lệnh dài quá (${length} ký tự, tối đa ${max}).`,
  fetching: 'Đang tải…',
  reindexing: 'Đang quét lại kho bài…',
  added: (passages) => `✅ Đã thêm bài báo (${passages} đoạn văn), từ giờ có thể hỏi về bài này:`,
  updated: (passages) => `🔄 Đã cập nhật bài báo (${passages} đoạn văn):`,
  duplicate: 'Bài báo này đã có trong kho:',
  removed: '🗑 Đã xóa bài báo:',
  notRemoved: (idOrUrl) => `Không có bài báo nào có id hoặc đường link <code>${escapeHtml(clipText(idOrUrl, 300))}</code>.`,
  reindexed: (added, updated, removed) =>
    `Đã quét lại kho bài: thêm ${added}, cập nhật ${updated}, xóa ${removed} bài.`,
  feedsHeader: (count) => `<b>Nguồn tin RSS/Atom (${count}):</b>`,
  noFeeds:
    'Chưa có nguồn tin nào. Hãy đặt <code>TRICHDAN_FEEDS</code> (các đường link RSS hoặc Atom, cách nhau bằng dấu phẩy) trong .env rồi khởi động lại bot.',
  feedStatus: { ok: 'tốt', not_modified: 'không có gì mới', error: 'lỗi', never: 'chưa tải lần nào' },
  lastPoll: (when) => `tải lần cuối ${when}`,
  nextPoll: (when) => `lần tới ${when}`,
  itemsAdded: (count) => `đã thêm ${count} bài`,
  feedError: (message) => `Lỗi: ${escapeHtml(message)}`,
  statsHeader: '<b>Thống kê kho bài</b>',
  articles: (count) => `Bài báo: ${count}`,
  passages: (count) => `Đoạn văn: ${count}`,
  retrieval: (mode) =>
    `Cách tìm: ${mode === 'hybrid' ? 'kết hợp từ khóa và ngữ nghĩa (embedding)' : 'theo từ khóa (chưa có mô hình embedding)'}`,
  lastIngest: (when) => `Cập nhật lần cuối: ${when ?? 'chưa có'}`,
  statsFeeds: (count) => `Nguồn tin (${count}):`,
  linkPrompt: 'Thêm bài báo ở đường link này vào kho bài?',
  addButton: '➕ Thêm vào kho bài',
  staleLink: 'Nút này đã cũ. Bạn hãy gửi lại đường link nhé.',
};

const en: AdminStrings = {
  notAdmin: "Only the bot's admins can use this command.",
  noLibrary: 'The bot runs on a fixed index: adding, removing or re-scanning articles is not available in this mode.',
  addUsage: 'Usage: <code>/add https://…</code> (the link of a news article)',
  removeUsage: 'Usage: <code>/remove &lt;id or link&gt;</code> (the id is in the reply to /add; links as /sources shows them)',
  argumentTooLong: (length, max) => `What follows the command is too long (${length} characters, at most ${max}).`,
  fetching: 'Fetching…',
  reindexing: 'Re-scanning the corpus…',
  added: (passages) => `✅ Added (${passages} passages); it can be asked about now:`,
  updated: (passages) => `🔄 Updated (${passages} passages):`,
  duplicate: 'This article is already in the corpus:',
  removed: '🗑 Removed:',
  notRemoved: (idOrUrl) => `No article has the id or link <code>${escapeHtml(clipText(idOrUrl, 300))}</code>.`,
  reindexed: (added, updated, removed) => `Corpus re-scanned: ${added} added, ${updated} updated, ${removed} removed.`,
  feedsHeader: (count) => `<b>RSS/Atom feeds (${count}):</b>`,
  noFeeds:
    'No feeds are configured. Set <code>TRICHDAN_FEEDS</code> (RSS or Atom links, separated by commas) in .env and restart the bot.',
  feedStatus: { ok: 'ok', not_modified: 'nothing new', error: 'error', never: 'not polled yet' },
  lastPoll: (when) => `last polled ${when}`,
  nextPoll: (when) => `next ${when}`,
  itemsAdded: (count) => `${count} ${count === 1 ? 'article' : 'articles'} added`,
  feedError: (message) => `Error: ${escapeHtml(message)}`,
  statsHeader: '<b>Corpus statistics</b>',
  articles: (count) => `Articles: ${count}`,
  passages: (count) => `Passages: ${count}`,
  retrieval: (mode) => `Retrieval: ${mode === 'hybrid' ? 'keywords and meaning (embeddings)' : 'keywords only (no embedding model)'}`,
  lastIngest: (when) => `Last update: ${when ?? 'none yet'}`,
  statsFeeds: (count) => `Feeds (${count}):`,
  linkPrompt: 'Add the article at this link to the corpus?',
  addButton: '➕ Add to corpus',
  staleLink: 'This button has expired. Please send the link again.',
};

/** The admin and /stats strings of one language. */
export function adminStrings(lang: Language): AdminStrings {
  return lang === 'en' ? en : vi;
}

/** /stats: for everyone, in the menu and in /help. */
export const STATS_COMMAND: CommandDescription = {
  command: 'stats',
  description: { vi: 'Thống kê kho bài và nguồn tin', en: 'Corpus and feed statistics' },
};

/** The admins' commands: listed in /help (marked as such), not in the menu. */
export const ADMIN_COMMANDS: readonly CommandDescription[] = [
  {
    command: 'add',
    args: { vi: '<đường link>', en: '<link>' },
    description: { vi: 'Thêm một bài báo (quản trị viên)', en: 'Add an article (admin)' },
  },
  {
    command: 'remove',
    args: { vi: '<id hoặc đường link>', en: '<id or link>' },
    description: { vi: 'Xóa một bài báo (quản trị viên)', en: 'Remove an article (admin)' },
  },
  { command: 'feeds', description: { vi: 'Các nguồn tin RSS/Atom (quản trị viên)', en: 'The RSS/Atom feeds (admin)' } },
  {
    command: 'reindex',
    description: { vi: 'Quét lại thư mục bài báo (quản trị viên)', en: 'Re-scan the corpus folder (admin)' },
  },
];
