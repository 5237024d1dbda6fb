/**
 * Inline mode: `@bot <question>` typed in any chat lists up to five quotes (title, date and the
 * quote as the description); choosing one sends the quote in a blockquote with its citation,
 * rendered exactly as the bot renders an answer. An empty query lists the newest articles, each
 * with its first sentence. Inline mode must be switched on with BotFather (`/setinline`).
 */
import { createHash } from 'node:crypto';
import { Composer, type Context } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import type { AnswerResult } from '../answer/types.ts';
import { citationOf, formatDate } from '../answer/citation.ts';
import type { Article } from '../corpus/article.ts';
import { splitSentences } from '../text/sentences.ts';
import type { BotServices } from './context.ts';
import { describeError } from './log.ts';
import { renderAnswer } from './render.ts';
import { replyLanguage } from './strings.ts';
import type { Language } from '../text/language.ts';

/** Results listed for one inline query (Telegram shows them as a list above the keyboard). */
export const INLINE_RESULTS = 5;
/** Seconds Telegram may cache the results of one query: the corpus changes in minutes, not seconds. */
export const INLINE_CACHE_SECONDS = 300;
/** Longest description Telegram shows usefully (it cuts the rest itself; we cut at a word). */
const DESCRIPTION_CHARS = 200;

/** A short, stable result id (Telegram allows at most 64 bytes). */
function resultId(key: string): string {
  return createHash('sha1').update(key).digest('base64url').slice(0, 20);
}

/** `text` cut at a word before `max` characters, with "…" when cut. */
function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** "title" · "date, source" as one description prefix. */
function dateLine(date: string | null, source: string | null): string {
  return [formatDate(date), source].filter(Boolean).join(', ');
}

/** The inline result of one quote: the message it sends is the bot's own rendering of that one quote. */
export function quoteResult(result: AnswerResult, services: BotServices, lang: Language, language: Language): InlineQueryResultArticle {
  const rendered = renderAnswer(
    { question: '', answered: true, language, results: [result], matchedTerms: [], retrieval: 'lexical' },
    { lang, codec: services.codec },
  );
  const when = dateLine(result.article.date, result.article.source);
  return {
    type: 'article',
    id: resultId(`${result.chunkId}:${result.quoteStart}`),
    title: result.article.title,
    description: shorten(when ? `${when} · ${result.quote}` : result.quote, DESCRIPTION_CHARS),
    input_message_content: { message_text: rendered.messages[0], parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
    ...(result.article.url ? { url: result.article.url, hide_url: true } : {}),
  };
}

/** The inline result of an article (empty query): its first sentence, quoted as an answer would quote it. */
export function articleResult(article: Article, services: BotServices, lang: Language): InlineQueryResultArticle {
  const first = splitSentences(article.text)[0];
  const quote = first ? article.text.slice(first.start, first.end) : article.title;
  const start = first?.start ?? 0;
  return quoteResult(
    {
      article: citationOf(article),
      quote,
      passage: quote,
      score: 0,
      chunkId: `${article.id}#lead`,
      quoteStart: start,
      quoteEnd: start + quote.length,
    },
    services,
    lang,
    'vi',
  );
}

/** The results for one inline query text. */
export async function inlineResults(query: string, services: BotServices, languageCode?: string): Promise<InlineQueryResultArticle[]> {
  const { engine } = services;
  const text = query.trim();
  if (!text) {
    const lang = replyLanguage(languageCode);
    return engine.articles().slice(0, INLINE_RESULTS).map((a) => articleResult(a, services, lang));
  }
  const answer = await engine.ask(text, { topK: INLINE_RESULTS });
  if (!answer.answered || answer.inputProblem) return [];
  const lang = replyLanguage(languageCode, answer.language);
  return answer.results.slice(0, INLINE_RESULTS).map((r) => quoteResult(r, services, lang, answer.language));
}

/** The `inline_query` handler: answers with quotes (or the newest articles), cached by Telegram for a while. */
export function inlineHandlers(services: BotServices): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('inline_query', async (ctx) => {
    const started = performance.now();
    const results = await inlineResults(ctx.inlineQuery.query, services, ctx.from.language_code);
    try {
      await ctx.answerInlineQuery(results, { cache_time: INLINE_CACHE_SECONDS, is_personal: false });
    } catch (error) {
      // A query the user has typed past (Telegram: "query is too old") needs no answer any more.
      services.log.debug(`answerInlineQuery failed (ignored): ${describeError(error)}`);
      return;
    }
    services.log.debug(
      `update ${ctx.update.update_id}: inline query of ${ctx.inlineQuery.query.length} chars, ${results.length} results, ${Math.round(performance.now() - started)} ms`,
    );
  });
  return composer;
}
