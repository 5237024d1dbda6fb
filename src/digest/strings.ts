import { escapeHtml, formatDate } from '../answer/citation.ts';
import type { Language } from '../text/language.ts';
import { clipText, ECHO_MAX_CHARS } from '../text/clip.ts';

/** User input repeated in a reply: cut to a few words, escaped. */
const echo = (input: string) => escapeHtml(clipText(input, ECHO_MAX_CHARS));

/** Everything the digest says, in one language. Functions take raw values and return Telegram HTML. */
export interface DigestStrings {
  subscribed(time: string, zone: string, next: string): string;
  alreadySubscribed(time: string, zone: string, next: string): string;
  unsubscribed: string;
  notSubscribed: string;
  /** Appended to a settings confirmation when the chat is not subscribed. */
  subscribeHint: string;
  badTime(input: string, command: string): string;
  badZone(input: string): string;
  timeSet(time: string, zone: string, next: string): string;
  zoneSet(zone: string, time: string, next: string): string;
  currentTime(time: string, zone: string): string;
  currentZone(zone: string): string;
  followUsage: string;
  unfollowUsage: string;
  followed(topic: string): string;
  alreadyFollowing(topic: string): string;
  topicLimit(max: number): string;
  topicTooLong(max: number): string;
  topicTooShort(min: number): string;
  unfollowed(topic: string): string;
  notFollowing(topic: string): string;
  topicsList(topics: readonly string[]): string;
  noTopics: string;
  emptyUsage(current: boolean): string;
  emptyOn: string;
  emptyOff: string;
  digestTitle(slot: string): string;
  latestTitle: string;
  newCount(count: number): string;
  firstDigest: string;
  nothingNew: string;
  moreArticles(count: number): string;
  noArticles: string;
  topicsHeader: string;
  topicsNoMatch(topics: readonly string[]): string;
  footer: string;
}

const list = (topics: readonly string[]) => topics.map((t) => `«${escapeHtml(t)}»`).join(', ');

const vi: DigestStrings = {
  subscribed: (time, zone, next) =>
    `Đã đăng ký nhận bản tin hằng ngày lúc <b>${time}</b> (${escapeHtml(zone)}).\nBản tin đầu tiên: ${escapeHtml(next)}.\nĐổi giờ: /time 06:45 · Đổi múi giờ: /timezone · Theo dõi chủ đề: /follow dioxin · Hủy: /unsubscribe`,
  alreadySubscribed: (time, zone, next) =>
    `Bạn đã đăng ký rồi: bản tin lúc <b>${time}</b> (${escapeHtml(zone)}). Bản tin tiếp theo: ${escapeHtml(next)}.`,
  unsubscribed: 'Đã hủy đăng ký. Bạn sẽ không nhận bản tin nữa (chủ đề theo dõi vẫn được giữ). Đăng ký lại: /subscribe',
  notSubscribed: 'Bạn chưa đăng ký nhận bản tin. Đăng ký: /subscribe hoặc /subscribe 07:30',
  subscribeHint: '\n(Bạn chưa đăng ký nhận bản tin: /subscribe)',
  badTime: (input, command) =>
    `Giờ không hợp lệ: «${echo(input)}». Hãy viết giờ:phút theo 24 giờ, ví dụ: <code>/${command} 07:30</code> hoặc <code>/${command} 18:05</code>.`,
  badZone: (input) =>
    `Múi giờ không hợp lệ: «${echo(input)}». Hãy dùng tên múi giờ IANA, ví dụ: <code>/timezone Asia/Ho_Chi_Minh</code> hoặc <code>/timezone Europe/Berlin</code>.`,
  timeSet: (time, zone, next) =>
    `Đã đổi giờ nhận bản tin thành <b>${time}</b> (${escapeHtml(zone)}). Bản tin tiếp theo: ${escapeHtml(next)}.`,
  zoneSet: (zone, time, next) =>
    `Đã đổi múi giờ thành <b>${escapeHtml(zone)}</b>; bản tin lúc ${time} giờ địa phương. Bản tin tiếp theo: ${escapeHtml(next)}.`,
  currentTime: (time, zone) => `Giờ nhận bản tin: <b>${time}</b> (${escapeHtml(zone)}). Đổi: <code>/time 06:45</code>`,
  currentZone: (zone) => `Múi giờ: <b>${escapeHtml(zone)}</b>. Đổi: <code>/timezone Asia/Ho_Chi_Minh</code>`,
  followUsage: 'Cách dùng: <code>/follow dioxin</code> hoặc <code>/follow hợp tác quốc phòng</code>',
  unfollowUsage: 'Cách dùng: <code>/unfollow dioxin</code>. Xem các chủ đề: /topics',
  followed: (topic) => `Đã theo dõi chủ đề «${escapeHtml(topic)}». Mỗi bản tin sẽ có trích đoạn mới nhất về chủ đề này.`,
  alreadyFollowing: (topic) => `Bạn đã theo dõi «${escapeHtml(topic)}» rồi.`,
  topicLimit: (max) => `Bạn đã theo dõi ${max} chủ đề, là tối đa. Bỏ bớt: /unfollow &lt;chủ đề&gt;`,
  topicTooLong: (max) => `Chủ đề dài quá: tối đa ${max} ký tự. Ví dụ: <code>/follow hợp tác quốc phòng</code>`,
  topicTooShort: (min) => `Chủ đề ngắn quá: ít nhất ${min} ký tự. Ví dụ: <code>/follow dioxin</code>`,
  unfollowed: (topic) => `Đã bỏ theo dõi «${escapeHtml(topic)}».`,
  notFollowing: (topic) => `Bạn không theo dõi «${escapeHtml(topic)}». Xem các chủ đề: /topics`,
  topicsList: (topics) =>
    `<b>Chủ đề bạn theo dõi (${topics.length}):</b>\n${topics.map((t) => `• ${escapeHtml(t)}`).join('\n')}\nBỏ theo dõi: /unfollow &lt;chủ đề&gt;`,
  noTopics: 'Bạn chưa theo dõi chủ đề nào. Ví dụ: <code>/follow dioxin</code>',
  emptyUsage: (current) =>
    `Ngày không có bài mới: ${current ? 'vẫn gửi một tin ngắn' : 'không gửi gì'}. Đổi: <code>/digest_empty on</code> (gửi tin ngắn) hoặc <code>/digest_empty off</code> (không gửi).`,
  emptyOn: 'Ngày không có bài mới, bạn sẽ nhận một tin ngắn báo điều đó.',
  emptyOff: 'Ngày không có bài mới, bạn sẽ không nhận tin nào.',
  digestTitle: (slot) => `📰 <b>Bản tin trichdan ngày ${escapeHtml(formatDate(slot) ?? slot)}</b>`,
  latestTitle: '📰 <b>Các bài mới nhất</b>',
  newCount: (count) => `${count} bài mới kể từ bản tin trước:`,
  firstDigest: 'Các bài mới nhất trong kho:',
  nothingNew: 'Không có bài mới kể từ bản tin trước.',
  moreArticles: (count) => `… và ${count} bài mới khác (/sources).`,
  noArticles: 'Chưa có bài báo nào được lưu.',
  topicsHeader: '🔎 <b>Chủ đề bạn theo dõi</b>',
  topicsNoMatch: (topics) => `Không có trích đoạn mới về ${list(topics)}.`,
  footer: '<i>Đổi giờ: /time · Chủ đề: /topics · Hủy: /unsubscribe</i>',
};

const en: DigestStrings = {
  subscribed: (time, zone, next) =>
    `Subscribed to the daily digest at <b>${time}</b> (${escapeHtml(zone)}).\nFirst digest: ${escapeHtml(next)}.\nChange the time: /time 06:45 · time zone: /timezone · follow a topic: /follow dioxin · stop: /unsubscribe`,
  alreadySubscribed: (time, zone, next) =>
    `You are already subscribed: digest at <b>${time}</b> (${escapeHtml(zone)}). Next digest: ${escapeHtml(next)}.`,
  unsubscribed: 'Unsubscribed. You will get no more digests (your topics are kept). Subscribe again: /subscribe',
  notSubscribed: 'You are not subscribed to the digest. Subscribe: /subscribe or /subscribe 07:30',
  subscribeHint: '\n(You are not subscribed to the digest: /subscribe)',
  badTime: (input, command) =>
    `Not a valid time: «${echo(input)}». Write hours:minutes on a 24-hour clock, for example <code>/${command} 07:30</code> or <code>/${command} 18:05</code>.`,
  badZone: (input) =>
    `Not a valid time zone: «${echo(input)}». Use an IANA zone name, for example <code>/timezone Asia/Ho_Chi_Minh</code> or <code>/timezone Europe/Berlin</code>.`,
  timeSet: (time, zone, next) => `Digest time changed to <b>${time}</b> (${escapeHtml(zone)}). Next digest: ${escapeHtml(next)}.`,
  zoneSet: (zone, time, next) =>
    `Time zone changed to <b>${escapeHtml(zone)}</b>; the digest comes at ${time} local time. Next digest: ${escapeHtml(next)}.`,
  currentTime: (time, zone) => `Digest time: <b>${time}</b> (${escapeHtml(zone)}). Change it: <code>/time 06:45</code>`,
  currentZone: (zone) => `Time zone: <b>${escapeHtml(zone)}</b>. Change it: <code>/timezone Europe/Berlin</code>`,
  followUsage: 'Usage: <code>/follow dioxin</code> or <code>/follow hợp tác quốc phòng</code>',
  unfollowUsage: 'Usage: <code>/unfollow dioxin</code>. Your topics: /topics',
  followed: (topic) => `Following «${escapeHtml(topic)}». Each digest will carry the best new excerpt about it.`,
  alreadyFollowing: (topic) => `You already follow «${escapeHtml(topic)}».`,
  topicLimit: (max) => `You follow ${max} topics, the maximum. Drop one: /unfollow &lt;topic&gt;`,
  topicTooLong: (max) => `That topic is too long: at most ${max} characters. Example: <code>/follow hợp tác quốc phòng</code>`,
  topicTooShort: (min) => `That topic is too short: at least ${min} characters. Example: <code>/follow dioxin</code>`,
  unfollowed: (topic) => `No longer following «${escapeHtml(topic)}».`,
  notFollowing: (topic) => `You do not follow «${escapeHtml(topic)}». Your topics: /topics`,
  topicsList: (topics) =>
    `<b>Your topics (${topics.length}):</b>\n${topics.map((t) => `• ${escapeHtml(t)}`).join('\n')}\nStop following one: /unfollow &lt;topic&gt;`,
  noTopics: 'You follow no topics yet. Example: <code>/follow dioxin</code>',
  emptyUsage: (current) =>
    `Days with nothing new: ${current ? 'a short message' : 'no message'}. Change it: <code>/digest_empty on</code> (short message) or <code>/digest_empty off</code> (nothing).`,
  emptyOn: 'On days with nothing new you will get a short message saying so.',
  emptyOff: 'On days with nothing new you will get no message.',
  digestTitle: (slot) => `📰 <b>trichdan digest, ${escapeHtml(formatDate(slot) ?? slot)}</b>`,
  latestTitle: '📰 <b>Latest articles</b>',
  newCount: (count) => `${count} new article${count === 1 ? '' : 's'} since your previous digest:`,
  firstDigest: 'The latest articles in the collection:',
  nothingNew: 'Nothing new since your previous digest.',
  moreArticles: (count) => `… and ${count} more new article${count === 1 ? '' : 's'} (/sources).`,
  noArticles: 'No articles are indexed yet.',
  topicsHeader: '🔎 <b>Your topics</b>',
  topicsNoMatch: (topics) => `No new excerpt about ${list(topics)}.`,
  footer: '<i>Time: /time · Topics: /topics · Stop: /unsubscribe</i>',
};

/** The digest's strings in one language. */
export function digestStrings(language: Language): DigestStrings {
  return language === 'en' ? en : vi;
}
