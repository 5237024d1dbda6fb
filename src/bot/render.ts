/**
 * Answers, passages, articles and source lists as Telegram HTML messages.
 *
 * Every corpus and user string goes through `escapeHtml`; citations come from the one
 * formatter in src/answer/citation.ts. Output is split into messages of at most 4096
 * characters by `splitHtml`; the keyboard goes under the last message.
 */
import { InlineKeyboard } from 'grammy';
import type { Answer, InputProblem } from '../answer/types.ts';
import { citationOf, escapeHtml, formatCitationHtml, formatDate } from '../answer/citation.ts';
import type { Article } from '../corpus/article.ts';
import type { Chunk } from '../index/chunk-types.ts';
import type { CallbackCodec } from './callbacks.ts';
import { splitHtml, TELEGRAM_MESSAGE_LIMIT } from './split.ts';
import { strings } from './strings.ts';
import { clipText, QUOTE_MAX_CHARS } from '../text/clip.ts';
import type { Language } from '../text/language.ts';

/** Messages to send in order; the keyboard belongs under the last one. */
export interface RenderedReply {
  messages: string[];
  keyboard?: InlineKeyboard;
}

/** Quotes longer than this (characters) or with more lines go into an expandable blockquote. */
const EXPANDABLE_CHARS = 300;
const EXPANDABLE_LINES = 4;
/** How many article titles a "not in the corpus" answer suggests. */
const COVER_TITLES = 5;
/** How many articles /sources lists before "… and N more". */
const SOURCES_LISTED = 50;
/**
 * The longest passage shown by its button, in characters (a passage is normally at most
 * TRICHDAN_CHUNK_CHARS; one sentence of a malformed file can be a million): one message with
 * its header and citation. The rest is in the whole article, which pages.
 */
const PASSAGE_MAX_CHARS = 3000;
/** Passage buttons per keyboard row. */
const BUTTONS_PER_ROW = 3;

/**
 * A verbatim text in a blockquote, expandable when long; `highlights` (offsets into `text`, e.g.
 * the amount or the date the question asks for) are in bold. The words stay as written.
 */
export function blockquote(text: string, highlights: readonly (readonly [number, number])[] = []): string {
  const long = text.length > EXPANDABLE_CHARS || text.split('\n').length > EXPANDABLE_LINES;
  return `${long ? '<blockquote expandable>' : '<blockquote>'}${withBold(text, highlights)}</blockquote>`;
}

/** `text` escaped for HTML, with the given spans (sorted, clipped to the text) in <b>. */
function withBold(text: string, spans: readonly (readonly [number, number])[]): string {
  let html = '';
  let at = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const from = Math.max(start, at);
    const to = Math.min(end, text.length);
    if (from >= to) continue;
    html += `${escapeHtml(text.slice(at, from))}<b>${escapeHtml(text.slice(from, to))}</b>`;
    at = to;
  }
  return html + escapeHtml(text.slice(at));
}

/** Options for rendering an answered question. */
export interface AnswerRenderOptions {
  lang: Language;
  codec: CallbackCodec;
  /** Results shown before these ("more results" pages); numbering continues from here. */
  offset?: number;
  /** Key of the remembered question when there are more results to show. */
  moreKey?: string;
}

/**
 * An answered question: each quote in a blockquote followed by its citation, numbered when
 * there are several; for English questions a short header and the "matched by" line.
 * Buttons: the passage of each quote, and "more results" when `moreKey` is given.
 */
export function renderAnswer(answer: Answer, options: AnswerRenderOptions): RenderedReply {
  const { lang, codec } = options;
  const s = strings(lang);
  const offset = options.offset ?? 0;
  const numbered = answer.results.length > 1 || offset > 0;
  const blocks: string[] = [];
  if (offset > 0) blocks.push(s.moreHeader(offset + 1));
  if (answer.language === 'en' && offset === 0) {
    const head = [s.englishHeader, answer.matchedTerms.length ? s.matchedBy(answer.matchedTerms) : '']
      .filter(Boolean)
      .join('\n');
    if (head) blocks.push(head);
  }
  answer.results.forEach((result, i) => {
    const label = numbered ? `<b>[${offset + i + 1}]</b> ` : '— ';
    const shown = clipText(result.quote, QUOTE_MAX_CHARS);
    // A cut quote ends in "…": only what is left of the quote can be in bold.
    const kept = shown === result.quote ? shown.length : shown.length - 1;
    blocks.push(`${blockquote(shown, (result.highlights ?? []).map(([a, b]) => [a, Math.min(b, kept)] as const))}\n${label}${formatCitationHtml(result.article)}`);
  });

  const keyboard = new InlineKeyboard();
  answer.results.forEach((result, i) => {
    if (i > 0 && i % BUTTONS_PER_ROW === 0) keyboard.row();
    keyboard.text(
      s.buttons.passage(offset + i + 1),
      codec.encode({ kind: 'passage', lang, chunkId: result.chunkId }),
    );
  });
  if (options.moreKey) {
    keyboard
      .row()
      .text(s.buttons.more, codec.encode({ kind: 'more', lang, key: options.moreKey, offset: offset + answer.results.length }));
  }
  return { messages: splitHtml(blocks.join('\n\n')), keyboard: answer.results.length ? keyboard : undefined };
}

/** "Not in the corpus", plainly, with the newest article titles as what the bot does cover. */
export function renderNotFound(lang: Language, articles: readonly Article[]): RenderedReply {
  const s = strings(lang);
  const lines = [s.notFound];
  if (articles.length) {
    lines.push('', s.coverHeader);
    for (const a of articles.slice(0, COVER_TITLES)) lines.push(`• ${titleLine(a)}`);
    if (articles.length > COVER_TITLES) lines.push(s.coverMore(articles.length - COVER_TITLES));
  }
  return { messages: splitHtml(lines.join('\n')) };
}

/** Why a question could not be asked (empty, too long, no words). */
export function renderInputProblem(problem: InputProblem, lang: Language, length: number, maxChars: number): RenderedReply {
  const s = strings(lang);
  const text = problem === 'empty' ? s.emptyQuestion : problem === 'too_long' ? s.tooLong(length, maxChars) : s.noWords;
  return { messages: [text] };
}

/** A title (linked when the article has a URL) and its date. */
function titleLine(a: Article): string {
  const title = a.url ? `<a href="${escapeHtml(a.url)}">${escapeHtml(a.title)}</a>` : escapeHtml(a.title);
  const date = formatDate(a.date);
  return date ? `${title} (${escapeHtml(date)})` : title;
}

/** /sources: the indexed articles, newest first, each with title, date, source and link. */
export function renderSources(articles: readonly Article[], lang: Language): RenderedReply {
  const s = strings(lang);
  if (!articles.length) return { messages: [s.sourcesEmpty] };
  const lines = [s.sourcesHeader(articles.length)];
  articles.slice(0, SOURCES_LISTED).forEach((a, i) => {
    lines.push(`${i + 1}. ${formatCitationHtml(citationOf(a))}`);
  });
  if (articles.length > SOURCES_LISTED) lines.push(s.sourcesMore(articles.length - SOURCES_LISTED));
  // One article per paragraph so that a long list splits between articles.
  return { messages: splitHtml(lines.join('\n\n')) };
}

/** The whole passage a quote came from, its citation, and a button for the whole article. */
export function renderPassage(chunk: Chunk, article: Article, lang: Language, codec: CallbackCodec): RenderedReply {
  const s = strings(lang);
  const html = `<b>${escapeHtml(s.passageHeader)}</b>\n${blockquote(clipText(chunk.text, PASSAGE_MAX_CHARS))}\n— ${formatCitationHtml(citationOf(article))}`;
  const keyboard = new InlineKeyboard().text(
    s.buttons.wholeArticle,
    codec.encode({ kind: 'article', lang, articleId: article.id, page: 0, edit: false }),
  );
  return { messages: splitHtml(html), keyboard };
}

/** Room kept under each article page for the "Page i/n" line. */
const PAGE_FOOTER_ROOM = 64;

/** The pages of a whole article (HTML, each within one message with its footer). */
export function articlePages(article: Article): string[] {
  const head = formatCitationHtml(citationOf(article));
  const body = article.text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map(escapeHtml);
  return splitHtml([head, ...body].join('\n\n'), TELEGRAM_MESSAGE_LIMIT - PAGE_FOOTER_ROOM);
}

/** One page of a whole article, with "previous / next" buttons that edit the message in place. */
export function renderArticlePage(
  article: Article,
  page: number,
  lang: Language,
  codec: CallbackCodec,
): { text: string; keyboard?: InlineKeyboard; pages: number } | undefined {
  const pages = articlePages(article);
  if (page < 0 || page >= pages.length) return undefined;
  const s = strings(lang);
  const text = pages.length > 1 ? `${pages[page]}\n\n<i>${escapeHtml(s.pageOf(page + 1, pages.length))}</i>` : pages[page];
  if (pages.length === 1) return { text, pages: 1 };
  const keyboard = new InlineKeyboard();
  if (page > 0) keyboard.text(s.buttons.prev, codec.encode({ kind: 'article', lang, articleId: article.id, page: page - 1, edit: true }));
  if (page < pages.length - 1) {
    keyboard.text(s.buttons.next, codec.encode({ kind: 'article', lang, articleId: article.id, page: page + 1, edit: true }));
  }
  return { text, keyboard, pages: pages.length };
}
