/**
 * "Where does this claim come from?": a forwarded message, or `/nguon <text>` (`/source <text>`),
 * is a claim to look up, not a question. The claim is retrieved like a question (same engine),
 * then every sentence of the retrieved passages is checked against the claim's content words: a
 * sentence is shown only when most of them (for an English claim, one of their lexicon
 * translations) are in it and every number of the claim is. Otherwise the bot says plainly that
 * no article says this.
 */
import { Composer, type Context } from 'grammy';
import type { Message } from 'grammy/types';
import type { AnswerResult, InputProblem } from '../answer/types.ts';
import type { Engine } from '../engine-types.ts';
import { resolveHead } from '../search/english-words.ts';
import { loadLexicon, type Lexicon } from '../search/lexicon.ts';
import { VIETNAMESE_QUESTION_WORDS } from '../search/vietnamese-query.ts';
import { detectLanguage, ENGLISH_STOPWORDS } from '../text/language.ts';
import { foldDiacritics, hasVietnameseDiacritics } from '../text/normalize.ts';
import { tokenize } from '../text/tokens.ts';
import { userLanguage, type BotServices } from './context.ts';
import { describeError } from './log.ts';
import type { QuestionLimiter } from './questions.ts';
import { renderAnswer, renderInputProblem, type RenderedReply } from './render.ts';
import { sendReply, startTyping } from './reply.ts';
import { splitHtml, TELEGRAM_MESSAGE_LIMIT } from './split.ts';
import { replyLanguage, type CommandDescription } from './strings.ts';
import type { Language } from '../text/language.ts';

/** Share of the claim's content words a sentence must hold to be shown ("most of them"). */
export const CLAIM_MIN_COVERAGE = 0.6;
/** Passages retrieved for a claim; their sentences are the candidates. */
const CLAIM_PASSAGES = 8;
/** Sentences shown for one claim. */
export const CLAIM_SOURCES_SHOWN = 3;

/** /nguon and /source, for /help and the command menu. */
export const CLAIM_COMMANDS: readonly CommandDescription[] = [
  {
    command: 'nguon',
    args: { vi: '<câu cần kiểm tra>', en: '<claim>' },
    description: { vi: 'Câu này có trong bài báo nào?', en: 'Which article says this? (Vietnamese)' },
  },
  {
    command: 'source',
    args: { vi: '<câu cần kiểm tra>', en: '<claim>' },
    description: { vi: 'Như /nguon', en: 'Which article says this?' },
  },
];

/** What the bot says around the sentences of a claim. */
const CLAIM_STRINGS: Record<Language, { found: string; notFound: string; usage: string }> = {
  vi: {
    found: '<b>Các bài báo nói điều này:</b>',
    notFound: 'Không tìm thấy bài nào nói điều này.',
    usage: 'Cách dùng: <code>/nguon &lt;câu cần kiểm tra&gt;</code>, hoặc chuyển tiếp (forward) cho tôi một tin nhắn.',
  },
  en: {
    found: '<b>The articles that say this:</b>',
    notFound: 'No article I keep says this.',
    usage: 'Usage: <code>/source &lt;claim&gt;</code>, or forward me a message.',
  },
};

/** Vietnamese words that carry no subject of a claim (beyond the question and function words). */
const VIETNAMESE_FILLERS = new Set(
  [...VIETNAMESE_QUESTION_WORDS, ...'rằng thì còn cũng rất nhiều để tại trong ở từ đến khi nói theo vào ra nên cả nay nhé ạ'.split(' ')].map(
    (w) => foldDiacritics(w),
  ),
);

/** One content word of a claim and the ways it can appear in a sentence. */
export interface ClaimWord {
  /** The word as written in the claim. */
  word: string;
  /** Each alternative: syllables that must all be in the sentence (`=` prefix: as written, else folded). */
  forms: string[][];
  /** A number or a date: it must be in the sentence, whatever the coverage. */
  required: boolean;
}

/** The content words of a claim; English words carry their Vietnamese translations from `lexicon`. */
export function claimWords(claim: string, lexicon: Lexicon | null): ClaimWord[] {
  const tokens = tokenize(claim);
  const english = detectLanguage(claim) === 'en';
  const typedWithDiacritics = tokens.some((t) => hasVietnameseDiacritics(t.norm));
  const words: ClaimWord[] = [];
  for (const t of tokens) {
    const written = claim.slice(t.start, t.end);
    const required = /\d/.test(t.norm);
    if (english) {
      const acronym = /^[A-Z]{2,}$/.test(written);
      if (!required && !acronym && (ENGLISH_STOPWORDS.has(t.norm) || t.norm.length < 2)) continue;
      const forms: string[][] = [[t.folded]];
      const translations = [
        ...(acronym ? (lexicon?.lookupCased(written) ?? []) : []),
        ...((): readonly { syllables: readonly string[] }[] => {
          if (!lexicon || acronym) return [];
          const head = resolveHead(t.norm, lexicon);
          return head ? (lexicon.lookup(head) ?? []) : [];
        })(),
      ];
      for (const tr of translations) if (tr.syllables.length) forms.push(tr.syllables.map((s) => `=${s}`));
      words.push({ word: written, forms, required });
    } else {
      if (!required && VIETNAMESE_FILLERS.has(t.folded)) continue;
      const exact = typedWithDiacritics && hasVietnameseDiacritics(t.norm);
      words.push({ word: written, forms: [[exact ? `=${t.norm}` : t.folded]], required });
    }
  }
  return words;
}

/** The syllables of a sentence, as written (`=` prefix) and folded. */
function sentenceForms(sentence: string): Set<string> {
  const set = new Set<string>();
  for (const t of tokenize(sentence)) {
    set.add(`=${t.norm}`);
    set.add(t.folded);
  }
  return set;
}

/** The share of `words` a sentence holds, or 0 when it lacks a number of the claim. */
export function claimCoverage(words: readonly ClaimWord[], sentence: string): number {
  if (words.length === 0) return 0;
  const forms = sentenceForms(sentence);
  let present = 0;
  for (const w of words) {
    const found = w.forms.some((f) => f.every((s) => forms.has(s)));
    if (found) present++;
    else if (w.required) return 0;
  }
  return present / words.length;
}

/** Sentences of the corpus that say what the claim says, best first, each as a cited result. */
export async function findClaimSources(
  claim: string,
  engine: Engine,
  lexicon: Lexicon | null,
): Promise<{ results: AnswerResult[]; language: Language; inputProblem?: InputProblem }> {
  const answer = await engine.ask(claim, { topK: CLAIM_PASSAGES });
  if (answer.inputProblem) return { results: [], language: answer.language, inputProblem: answer.inputProblem };
  const words = claimWords(claim, lexicon);
  const found: (AnswerResult & { coverage: number })[] = [];
  const seen = new Set<string>();
  for (const result of answer.answered ? answer.results : []) {
    const chunk = engine.chunk(result.chunkId);
    const article = engine.article(result.article.id);
    if (!chunk || !article) continue;
    for (const span of chunk.sentences) {
      const key = `${article.id}:${span.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const sentence = article.text.slice(span.start, span.end);
      const coverage = claimCoverage(words, sentence);
      if (coverage < CLAIM_MIN_COVERAGE) continue;
      // One sentence is the quote now: the answer's excerpts (if it had two) do not describe it.
      const { excerpts: _excerpts, ...cited } = result;
      found.push({ ...cited, quote: sentence, quoteStart: span.start, quoteEnd: span.end, coverage, score: coverage });
    }
  }
  found.sort((a, b) => b.coverage - a.coverage);
  return { results: found.slice(0, CLAIM_SOURCES_SHOWN).map(({ coverage: _c, ...r }) => r), language: answer.language };
}

/** A reply with one line of HTML above it (its own message when the first one has no room). */
export function withHeader(reply: RenderedReply, header: string): RenderedReply {
  const [first, ...rest] = reply.messages;
  if (first !== undefined && header.length + 2 + first.length <= TELEGRAM_MESSAGE_LIMIT) {
    return { ...reply, messages: [`${header}\n\n${first}`, ...rest] };
  }
  return { ...reply, messages: [...splitHtml(header), ...reply.messages] };
}

/** The text of a forwarded message (or its caption), or null when the message is not forwarded. */
export function forwardedClaim(msg: Message): string | null {
  if (!msg.forward_origin) return null;
  return msg.text ?? msg.caption ?? null;
}

/** Looks a claim up and sends the sentences that say it, or "no article says this". */
export async function answerClaim(ctx: Context, services: BotServices, claim: string, lexicon: () => Promise<Lexicon | null>): Promise<void> {
  const s = CLAIM_STRINGS;
  const stopTyping = startTyping(ctx, services.log);
  try {
    const started = performance.now();
    const english = detectLanguage(claim) === 'en';
    const found = await findClaimSources(claim, services.engine, english ? await lexicon() : null);
    const lang = replyLanguage(ctx.from?.language_code, found.language);
    let reply: RenderedReply;
    if (found.inputProblem) {
      reply = renderInputProblem(found.inputProblem, lang, claim.length, services.maxQuestionChars);
    } else if (found.results.length === 0) {
      reply = { messages: [s[lang].notFound] };
    } else {
      const rendered = renderAnswer(
        { question: claim, answered: true, language: found.language, results: found.results, matchedTerms: [], retrieval: 'lexical' },
        { lang, codec: services.codec },
      );
      reply = withHeader(rendered, s[lang].found);
    }
    await sendReply(ctx, reply);
    services.log.debug(
      `update ${ctx.update.update_id}: ${claim.length}-char claim, ${found.results.length} sentences, ${Math.round(performance.now() - started)} ms`,
    );
  } finally {
    stopTyping();
  }
}

/** Handlers for /nguon, /source (also as a reply to the message to check) and forwarded messages in private chats. */
export function claimHandlers(services: BotServices, limiter: QuestionLimiter, options: { lexiconPath: string | null }): Composer<Context> {
  const composer = new Composer<Context>();
  let lexicon: Promise<Lexicon | null> | undefined;
  const getLexicon = () => {
    lexicon ??= options.lexiconPath
      ? loadLexicon(options.lexiconPath).catch((error: unknown) => {
          services.log.warn(`claims: the lexicon could not be loaded, English claims match their own words only: ${describeError(error)}`);
          return null;
        })
      : Promise.resolve(null);
    return lexicon;
  };

  composer.command(['nguon', 'source'], async (ctx) => {
    const claim = ctx.match.trim() || ctx.msg.reply_to_message?.text || ctx.msg.reply_to_message?.caption || '';
    if (!claim.trim()) {
      await sendReply(ctx, { messages: [CLAIM_STRINGS[userLanguage(ctx)].usage] });
      return;
    }
    await limiter(ctx, () => answerClaim(ctx, services, claim, getLexicon));
  });

  composer.on('message', async (ctx, next) => {
    const claim = ctx.chat.type === 'private' ? forwardedClaim(ctx.message) : null;
    if (claim === null || !claim.trim()) return next();
    await limiter(ctx, () => answerClaim(ctx, services, claim, getLexicon));
  });

  return composer;
}
