import type { Language } from '../text/language.ts';
import { escapeHtml } from '../answer/citation.ts';

/** A command as shown in Telegram's menu and in /help, in both languages. */
export interface CommandDescription {
  /** Without the slash, lower case: `sources`. */
  command: string;
  /** Argument hint shown in /help, e.g. `<câu hỏi>` / `<question>` (optional). */
  args?: { vi: string; en: string };
  description: { vi: string; en: string };
}

/**
 * The language of a reply (the bot's, and the digest's confirmations and digests): English
 * when the question is English or the user's Telegram language is English, Vietnamese
 * otherwise (also when nothing is known).
 */
export function replyLanguage(languageCode: string | undefined, questionLanguage?: Language): Language {
  if (questionLanguage === 'en') return 'en';
  if (languageCode && /^en\b/i.test(languageCode)) return 'en';
  return 'vi';
}

/** Every sentence the bot says around the quotes. Functions take raw values and return Telegram HTML. */
export interface BotStrings {
  start(example: string): string;
  help(commands: readonly CommandDescription[]): string;
  sourcesHeader(count: number): string;
  sourcesMore(count: number): string;
  sourcesEmpty: string;
  /** Header above the quotes of an English question (the quotes stay Vietnamese). */
  englishHeader: string;
  matchedBy(terms: readonly string[]): string;
  notFound: string;
  coverHeader: string;
  coverMore(count: number): string;
  noMoreResults: string;
  moreHeader(from: number): string;
  emptyQuestion: string;
  tooLong(length: number, max: number): string;
  noWords: string;
  askUsage(example: string): string;
  textOnly: string;
  rateLimited(perMinute: number): string;
  staleButton: string;
  unknownCommand: string;
  internalError: string;
  /** To a question that came while the bot was down too long ago to answer now. */
  restarted: string;
  /** Sent at once on a question; the answer replaces it (see reply-slot.ts). */
  searching: string;
  passageHeader: string;
  pageOf(page: number, pages: number): string;
  buttons: {
    passage(n: number): string;
    more: string;
    wholeArticle: string;
    prev: string;
    next: string;
  };
}

const vi: BotStrings = {
  start: (example) =>
    [
      'Xin chào! Tôi là <b>trichdan</b>: bạn hỏi về các bài báo tôi đã lưu, tôi trả lời bằng những câu <b>trích nguyên văn</b> kèm nguồn (tên bài, ngày, báo, đường link).',
      '',
      `Ví dụ, gửi cho tôi: <code>${escapeHtml(example)}</code>`,
      '',
      'Bạn có thể gõ có dấu hoặc không dấu, bằng tiếng Việt hoặc tiếng Anh. Khi các bài báo không nói đến điều bạn hỏi, tôi sẽ nói thẳng là không có.',
      '/help: các lệnh · /sources: danh sách bài báo',
    ].join('\n'),
  help: (commands) =>
    [
      '<b>Cách dùng</b>',
      'Gửi một câu hỏi bằng chữ: tôi trích những câu trả lời nguyên văn từ các bài báo, mỗi câu kèm nguồn. Nút dưới câu trả lời mở cả đoạn văn, cả bài báo, hoặc thêm kết quả.',
      'Trong nhóm: dùng /ask &lt;câu hỏi&gt;, nhắc tên tôi, hoặc trả lời tin nhắn của tôi.',
      '',
      '<b>Các lệnh</b>',
      ...commands.map((c) => `/${c.command}${c.args ? ` ${escapeHtml(c.args.vi)}` : ''}: ${escapeHtml(c.description.vi)}`),
    ].join('\n'),
  sourcesHeader: (count) => `<b>Các bài báo đã lưu (${count}):</b>`,
  sourcesMore: (count) => `… và ${count} bài khác.`,
  sourcesEmpty: 'Chưa có bài báo nào được lưu.',
  englishHeader: '',
  matchedBy: (terms) => `<i>Khớp theo: ${escapeHtml(terms.join(', '))}</i>`,
  notFound: 'Các bài báo đã lưu không có câu trả lời cho câu hỏi này.',
  coverHeader: 'Các bài báo nói về:',
  coverMore: (count) => `… và ${count} bài khác (/sources).`,
  noMoreResults: 'Không còn kết quả nào khác.',
  moreHeader: (from) => `<b>Kết quả khác (từ số ${from}):</b>`,
  emptyQuestion: 'Bạn hãy gửi một câu hỏi bằng chữ, ví dụ: <code>Mỹ cam kết gì về dioxin?</code>',
  tooLong: (length, max) => `Câu hỏi dài quá (${length} ký tự). Bạn hãy hỏi ngắn hơn, tối đa ${max} ký tự.`,
  noWords: 'Tôi không tìm thấy chữ nào để tìm trong câu hỏi này. Bạn hãy hỏi bằng lời.',
  askUsage: (example) => `Cách dùng: <code>/ask ${escapeHtml(example)}</code>`,
  textOnly: 'Tôi chỉ trả lời câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé.',
  rateLimited: (perMinute) =>
    `Bạn hỏi nhanh quá: tối đa ${perMinute} câu mỗi phút. Hãy đợi một chút rồi hỏi tiếp nhé.`,
  staleButton: 'Nút này đã cũ. Bạn hãy hỏi lại nhé.',
  unknownCommand: 'Tôi không biết lệnh này. Gõ /help để xem các lệnh.',
  internalError: 'Xin lỗi, có lỗi khi trả lời. Bạn thử lại sau nhé.',
  restarted: 'Xin lỗi, tôi vừa khởi động lại nên chưa trả lời được. Bạn hỏi lại nhé.',
  searching: '🔎 Đang tìm trong các bài báo…',
  passageHeader: 'Cả đoạn văn:',
  pageOf: (page, pages) => `Trang ${page}/${pages}`,
  buttons: {
    passage: (n) => `📄 Đoạn văn [${n}]`,
    more: '➕ Thêm kết quả',
    wholeArticle: '📰 Cả bài báo',
    prev: '◀ Trước',
    next: 'Sau ▶',
  },
};

const en: BotStrings = {
  start: (example) =>
    [
      "Hello! I'm <b>trichdan</b>: ask me about the news articles I keep, and I answer with sentences <b>quoted verbatim</b> from them, each with its source (title, date, paper, link).",
      '',
      `For example, send me: <code>${escapeHtml(example)}</code>`,
      '',
      'Ask in Vietnamese (with or without diacritics) or in English; the quotes stay in Vietnamese, as written. When the articles do not cover your question, I say so.',
      '/help: commands · /sources: the articles',
    ].join('\n'),
  help: (commands) =>
    [
      '<b>How to use</b>',
      'Send a question as text: I quote the answering sentences verbatim from the articles, each with its source. Buttons under an answer open the whole passage, the whole article, or more results.',
      'In groups: use /ask &lt;question&gt;, mention me, or reply to one of my messages.',
      '',
      '<b>Commands</b>',
      ...commands.map((c) => `/${c.command}${c.args ? ` ${escapeHtml(c.args.en)}` : ''}: ${escapeHtml(c.description.en)}`),
    ].join('\n'),
  sourcesHeader: (count) => `<b>Articles I keep (${count}):</b>`,
  sourcesMore: (count) => `… and ${count} more.`,
  sourcesEmpty: 'No articles are indexed yet.',
  englishHeader: '<i>From the Vietnamese articles (quotes as written):</i>',
  matchedBy: (terms) => `<i>Matched by: ${escapeHtml(terms.join(', '))}</i>`,
  notFound: 'The articles I keep do not answer this question.',
  coverHeader: 'They cover:',
  coverMore: (count) => `… and ${count} more (/sources).`,
  noMoreResults: 'No more results.',
  moreHeader: (from) => `<b>More results (from #${from}):</b>`,
  emptyQuestion: 'Please send a question as text, for example: <code>What did the US commit to on dioxin?</code>',
  tooLong: (length, max) => `Your question is too long (${length} characters). Please keep it under ${max} characters.`,
  noWords: 'I found no words to search for in this question. Please ask in words.',
  askUsage: (example) => `Usage: <code>/ask ${escapeHtml(example)}</code>`,
  textOnly: 'I answer text questions only. Please type your question.',
  rateLimited: (perMinute) => `You are asking fast: at most ${perMinute} questions a minute. Please wait a moment.`,
  staleButton: 'This button has expired. Please ask again.',
  unknownCommand: "I don't know this command. Send /help for the list.",
  internalError: 'Sorry, something went wrong while answering. Please try again later.',
  restarted: 'Sorry, I was restarting and could not answer. Please ask again.',
  searching: '🔎 Searching the articles…',
  passageHeader: 'The whole passage:',
  pageOf: (page, pages) => `Page ${page}/${pages}`,
  buttons: {
    passage: (n) => `📄 Passage [${n}]`,
    more: '➕ More results',
    wholeArticle: '📰 Whole article',
    prev: '◀ Previous',
    next: 'Next ▶',
  },
};

/** The strings of one language. */
export function strings(lang: Language): BotStrings {
  return lang === 'en' ? en : vi;
}

/** The bot's own commands (the digest adds its own through `BotExtension.commands`). */
export const CORE_COMMANDS: readonly CommandDescription[] = [
  { command: 'start', description: { vi: 'Giới thiệu và ví dụ', en: 'What this bot does, with an example' } },
  { command: 'help', description: { vi: 'Cách dùng và các lệnh', en: 'How to use it, and the commands' } },
  { command: 'sources', description: { vi: 'Danh sách bài báo đã lưu', en: 'The articles it knows' } },
  {
    command: 'ask',
    args: { vi: '<câu hỏi>', en: '<question>' },
    description: { vi: 'Hỏi (dùng trong nhóm)', en: 'Ask a question (for groups)' },
  },
];
