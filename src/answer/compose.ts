import type { Article } from '../corpus/article.ts';
import type { SentenceSpan } from '../text/sentences.ts';
import type { CoverageQuery, LexicalIndex } from '../index/lexical.ts';
import type { AnalyzedQuery } from '../search/query-types.ts';
import { asksSomething, holdsAnswerType, type AnswerType } from '../search/answer-type.ts';
import type { RankedChunk } from '../search/retriever.ts';
import { QUOTE_BONUSES, scoreSentence, weighWithinPassage } from '../search/sentence-score.ts';
import { normalizeFolded, normalizeText } from '../text/normalize.ts';
import { tokenize, type Token } from '../text/tokens.ts';
import { QUOTE_MAX_CHARS } from '../text/clip.ts';
import { citationOf } from './citation.ts';
import { answerHighlights } from './highlight.ts';
import type { Answer, AnswerResult } from './types.ts';

/** Settings of answer composition. */
export interface ComposeOptions {
  topK: number;
  offset: number;
  /** A passage answers only when its confidence (0..1) reaches this (Vietnamese questions). */
  minConfidence: number;
  /** The same bar for English questions, whose confidence counts translated units of meaning. */
  minConfidenceEnglish: number;
  /** Dense cosine mapped to confidence 0 and 1 (used only when the model is present). */
  denseFloor: number;
  denseCeiling: number;
}

/**
 * How sure we are that a passage answers the query: the share of the question's
 * (rarity-weighted) words, or units of meaning for translated questions, that the passage
 * and its quote contain (averaged); with a model, the dense similarity can vouch for a
 * passage that shares few words (an English question, a paraphrase).
 */
export function confidenceOf(
  ranked: RankedChunk,
  passage: string,
  quote: string,
  prepared: CoverageQuery,
  lexical: LexicalIndex,
  options: Pick<ComposeOptions, 'denseFloor' | 'denseCeiling'>,
): number {
  const inPassage = lexical.coverage(passage, prepared).ratio;
  const inQuote = lexical.coverage(quote, prepared).ratio;
  // The passage as a whole, and the quoted sentence(s) themselves: a folded or translated
  // question can match scattered ambiguous words in a passage ("bien" in "biển") while the
  // sentence quoted holds few of them.
  const lexicalConfidence = (inPassage + inQuote) / 2;
  if (ranked.denseScore === null) return lexicalConfidence;
  const span = options.denseCeiling - options.denseFloor;
  const dense = Math.min(1, Math.max(0, (ranked.denseScore - options.denseFloor) / span));
  return Math.max(lexicalConfidence, dense);
}

/** Between two excerpts of one passage in a quote: the mark of the words left out. */
export const EXCERPT_GAP = ' … ';

/** A neighbour scoring at least this share of the best sentence is quoted with it. */
const NEIGHBOUR_SHARE = 0.6;

/**
 * Words that open a sentence leaning on the one before it ("Ông cho biết…", "Điều này…",
 * "Anh ấy cũng là…"), folded: the sentence before is quoted too, since it names whom or
 * what the pronoun means (held-out folds, quote level: vi 0.857 → 0.861, en 0.617 → 0.620).
 */
const LEANS_ON_PREVIOUS = /^(ong|ba|anh ay|chi ay|co ay|ho|no|chung|dieu nay|dieu do|viec nay|viec do|day la|do la|nhu vay|khi do|luc do|theo ong|theo ba)\b/;

/**
 * A sentence that refers back within its first words, with diacritics ("Những nhánh này…",
 * "Ngày nay, điều này được gọi là…", "Khu vực đó…", "Cả ba đều…", "Ví dụ như…"): it
 * continues the sentence before it. Checked with diacritics, as "này" folds like "nay" (now).
 */
const REFERS_BACK = /^(?:[\p{L}\p{N}]+,?\s){0,3}(?:này|đó|ấy)(?![\p{L}\p{N}])|^(?:cả (?:hai|ba|bốn)|ví dụ|trong (?:số )?đó|do đó|vì vậy|vì thế)(?![\p{L}\p{N}])/u;

/** A noun with "này"/"ấy" after it anywhere in a sentence ("…được điều trị sử dụng các thiết bị này"). */
const DEMONSTRATIVE = /(?<![\p{L}\p{N}])\p{L}+ (?:này|ấy)(?![\p{L}\p{N}])/u;

/**
 * "Sau đó" (then, afterwards) only orders events: a sentence it opens does not need the one
 * before to be understood (quote level, tuning folds: vi 0.878 → 0.881, no diacritics 0.878 →
 * 0.881; held-out folds unchanged; average quote 275 → 264 characters).
 */
const THEN = /^sau đó(?![\p{L}\p{N}])/u;

/** Enough of a sentence's opening for {@link REFERS_BACK} (up to four words; normalising all of it is slow). */
const OPENING_CHARS = 60;

/** Enough of a sentence's opening for {@link LEANS_ON_PREVIOUS}, whose longest phrase has 8 characters. */
const PRONOUN_OPENING_CHARS = 12;

/** Whether a pronoun or a back-reference from {@link LEANS_ON_PREVIOUS} opens a sentence (checked for every sentence, so kept cheap). */
function opensWithPronoun(sentence: string): boolean {
  return LEANS_ON_PREVIOUS.test(normalizeFolded(sentence.slice(0, PRONOUN_OPENING_CHARS)));
}

/** Whether a sentence leans on the one before it (a pronoun or a back-reference opens it). */
function leansOnPrevious(sentence: string): boolean {
  if (opensWithPronoun(sentence)) return true;
  const opening = normalizeText(sentence.slice(0, OPENING_CHARS));
  return REFERS_BACK.test(opening) && !THEN.test(opening);
}

/** Characters of the sentences `from`…`to` quoted together (one separator between each). */
function spanChars(texts: readonly string[], from: number, to: number): number {
  return texts.slice(from, to + 1).reduce((n, t) => n + t.length + 1, -1);
}

/** Whether a sentence names something of the one before it ("các thiết bị này"), wherever in it. */
function mentionsPrevious(sentence: string): boolean {
  return leansOnPrevious(sentence) || DEMONSTRATIVE.test(normalizeText(sentence));
}

/**
 * A sentence whose words are mostly the question's (this share of them, or more) restates it
 * ("Có nhiều lớp độ phức tạp được nghi ngờ là khác nhau…"): the answer tends to follow, so
 * the next sentence is quoted with it (tuning folds 0.5–0.8; held-out quote level vi
 * 0.885 → 0.889, no diacritics 0.861 → 0.864).
 */
const RESTATES_SHARE = 0.6;

/** Whether a token is one of the query's words, exactly or folded (the index's `e:`/`f:` keys, as in LexicalIndex.matchedKeys). */
function isQueryWord(prepared: CoverageQuery, t: Token): boolean {
  return prepared.keys.has(`e:${t.norm}`) || prepared.keys.has(`f:${t.folded}`);
}

function restatesQuestion(sentence: string, prepared: CoverageQuery): boolean {
  const tokens = tokenize(sentence);
  const fromQuestion = tokens.filter((t) => isQueryWord(prepared, t)).length;
  return tokens.length > 0 && fromQuestion >= RESTATES_SHARE * tokens.length;
}

/**
 * The question's words each sentence holds, counting for a sentence opened by a pronoun or a
 * back-reference ("Ông…", "Nó…", "Anh ấy…", "Điều này…") those of the sentence before, whose
 * subject it continues: "Nó được tái lập vào tháng 4 năm 1991" answers when the stock exchange
 * was reopened, though only the sentence before names it (it is then quoted with that one, by
 * {@link mentionsPrevious}). Quote level, tuning folds: vi 0.881 → 0.890, no diacritics 0.881 →
 * 0.884; held-out folds: vi 0.889 (unchanged), no diacritics 0.864 → 0.868.
 */
function withAntecedents(texts: readonly string[], found: readonly Set<string>[]): Set<string>[] {
  return found.map((keys, i) => (i > 0 && opensWithPronoun(texts[i]) ? new Set([...keys, ...found[i - 1]]) : keys));
}

/** Whether a word is none of the query's words (a name the question does not use). */
function notInQuery(prepared: CoverageQuery): (word: string) => boolean {
  return (word) => {
    const t = tokenize(word)[0];
    return !t || !isQueryWord(prepared, t);
  };
}

/** Where a quote is in its article. */
export interface QuoteSpans {
  /** The quote's excerpts in text order: one span, or two apart from each other. */
  excerpts: SentenceSpan[];
  /** The span chosen around the best sentence before a runner-up was added (what confidence counts). */
  core: SentenceSpan;
}

/** The excerpts of a quote, verbatim. */
function excerptTexts(article: Article, spans: QuoteSpans): string[] {
  return spans.excerpts.map((span) => article.text.slice(span.start, span.end));
}

/** The text of a quote: its excerpts joined by {@link EXCERPT_GAP}. */
export function quoteText(article: Article, spans: QuoteSpans): string {
  return excerptTexts(article, spans).join(EXCERPT_GAP);
}

/**
 * Picks the sentence(s) of a passage that answer the query: the one holding most of the
 * question (and what it asks for: a number, a date, a new name), plus a neighbour that
 * scores nearly as well, or the sentence before when the best one leans on it, and the
 * passage's runner-up sentence when it scores nearly as well.
 */
export function selectQuote(
  article: Article,
  sentences: readonly SentenceSpan[],
  prepared: CoverageQuery,
  lexical: LexicalIndex,
  answerType: AnswerType | null = null,
  /** Whether the query asks something (a question, not a few keywords): only then can a sentence restate it. */
  asks = true,
): QuoteSpans {
  const texts = sentences.map((s) => article.text.slice(s.start, s.end));
  // Words every sentence repeats (the passage's topic) do not tell its sentences apart.
  const found = texts.map((t) => lexical.matchedKeys(t, prepared));
  const local = weighWithinPassage(prepared, found);
  const query = { lexical, prepared: local, answerType, newName: notInQuery(prepared) };
  const counted = withAntecedents(texts, found);
  const scores = texts.map((t, i) => scoreSentence(t, query, QUOTE_BONUSES, lexical.coverageOfKeys(counted[i], local).ratio));
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  let start = best;
  let end = best;
  const before = best > 0 ? scores[best - 1] : -1;
  const after = best + 1 < scores.length ? scores[best + 1] : -1;
  // A sentence is put before the best one only while the quote stays within its cap: past it the
  // quote is cut at the end, where the best sentence is, and the user would not see the answer.
  const fitsBefore = (from: number) => spanChars(texts, from, end) <= QUOTE_MAX_CHARS;
  if (Math.max(before, after) >= NEIGHBOUR_SHARE * scores[best] && scores[best] > 0) {
    if (after >= before) end = best + 1;
    else if (fitsBefore(best - 1)) start = best - 1;
  }
  // The best sentence leans on (or names something of) the one before: quote that too; so does a neighbour quoted
  // before it ("Nó…"), as a quote must not open on a pronoun (quote level, tuning folds: vi 0.890 → 0.893, no
  // diacritics 0.884 → 0.887; held-out folds unchanged). Or the next one continues it ("Ngày nay, điều này được
  // gọi là…": often where the answer is).
  if (start === best && best > 0 && mentionsPrevious(texts[best])) {
    if (fitsBefore(best - 1)) start = best - 1;
  } else if (start === best - 1 && start > 0 && leansOnPrevious(texts[start])) {
    start = fitsBefore(start - 1) ? start - 1 : best; // its antecedent does not fit: not the leaning neighbour either
  } else if (start === best && end === best && best + 1 < texts.length && leansOnPrevious(texts[best + 1])) end = best + 1;
  // A best sentence opened by a pronoun, quoted with the sentence it leans on, restates the question all the same:
  // "Anh ấy cũng là thủ quân lớn tuổi nhất…" is "Manning…" (tuning folds: vi 319 → 320, no diacritics 318 → 319). A
  // back-reference further in ("…bằng các thiết bị này") may stand for the answer, which is then in the sentence before.
  const holdsType = (i: number) => answerType !== null && holdsAnswerType(texts[i], answerType, query.newName);
  const leadIn = start === best || (start === best - 1 && opensWithPronoun(texts[best]));
  const restates = asks && leadIn && end === best && best + 1 < texts.length && restatesQuestion(texts[best], prepared);
  if (restates && !holdsType(best)) end = best + 1;
  const span = (from: number, to: number): SentenceSpan => ({ start: sentences[from].start, end: sentences[to].end });
  // A few keywords (a digest topic, "dioxin Biên Hòa") match many sentences alike: a runner-up is for questions.
  const runs = asks ? withRunnerUp(texts, scores, best, [start, end], holdsType) : [[start, end] as [number, number]];
  return { excerpts: runs.map(([from, to]) => span(from, to)), core: span(start, end) };
}

/**
 * A sentence outside the quote scoring at least this share of the best one is quoted too: two
 * sentences of a passage that hold the question about equally well leave it open which one
 * answers, and the user sees both. Chosen on the tuning folds (0.6–0.9; 0.6 and 0.7 tie for
 * Vietnamese, 0.7 quotes less; quote level vi 0.893 → 0.919, no diacritics 0.893 → 0.913, en
 * 0.603 → 0.626); held-out folds: vi 0.892 → 0.899, no diacritics 0.871 → 0.885, en 0.659 →
 * 0.718. On XQuAD-vi one top quote in ten (vi 59 of 623, en 94 of 506) gets a runner-up that is
 * not next to it, and quotes grow on average from 275 to 298 characters (vi), 283 to 336 (en).
 */
const RUNNER_UP_SHARE = 0.7;

/**
 * The quote's runs of sentences (first and last index, in text order) once the best sentence
 * outside `quoted` (which holds the passage's best one, `best`) is added when it scores nearly as
 * well ({@link RUNNER_UP_SHARE}): next to the quote it extends it; apart from it, it is a second
 * excerpt (with the sentence before it when it leans on that one). Nothing is added when only the
 * best sentence holds what the question asks for (tuning folds: the same for Vietnamese, shorter
 * quotes), nor past the quote's character cap.
 */
function withRunnerUp(
  texts: readonly string[],
  scores: readonly number[],
  best: number,
  quoted: [number, number],
  holdsType: (i: number) => boolean,
): [number, number][] {
  const [start, end] = quoted;
  let second = -1;
  for (let i = 0; i < scores.length; i++) if ((i < start || i > end) && (second < 0 || scores[i] > scores[second])) second = i;
  if (second < 0 || scores[best] <= 0 || scores[second] < RUNNER_UP_SHARE * scores[best]) return [quoted];
  // What the question asks for (a number, a date, a name) already tells the best sentence from the runner-up.
  if (holdsType(best) && !holdsType(second)) return [quoted];
  const from = second > 0 && leansOnPrevious(texts[second]) ? second - 1 : second;
  const runs: [number, number][] =
    second > end
      ? from <= end + 1 ? [[start, second]] : [quoted, [from, second]]
      : second === start - 1 ? [[from, end]] : [[from, second], quoted];
  const chars = runs.reduce((n, [a, b]) => n + spanChars(texts, a, b), 0) + (runs.length - 1) * EXCERPT_GAP.length;
  return chars <= QUOTE_MAX_CHARS ? runs : [quoted];
}

/**
 * A passage of another article ranked this close to the top one (its share of the top's
 * score) makes a translated question ambiguous: then its bar is raised by {@link AMBIGUOUS_BAR_FACTOR}
 * (0.35 → 0.455 by default; a bar of 0 stays 0, so the calibration's "bar at 0" sees every answer).
 * On XQuAD-vi en, a wrong top answer has its runner-up from another article at a median 0.89
 * of its score, a right one at 0.66. Chosen on the tuning folds (share 0.70–0.90, bar 0.40–0.60,
 * a wrong answer counted 1.5 times a refusal); held-out folds: wrong 7.3 % → 5.9 %, right
 * 0.808 → 0.780 (lexical retrieval).
 */
const AMBIGUOUS_SHARE = 0.75;
const AMBIGUOUS_BAR_FACTOR = 1.3;

/** The confidence bar of an English question: higher when another article's passage ranks nearly as high as the top one. */
export function englishBar(ranked: readonly RankedChunk[], bar: number): number {
  const top = ranked[0];
  if (!top || top.score <= 0) return bar;
  const rival = ranked.find((r) => r.chunk.articleId !== top.chunk.articleId);
  return rival && rival.score >= AMBIGUOUS_SHARE * top.score ? bar * AMBIGUOUS_BAR_FACTOR : bar;
}

/** The translations that actually occur in the quoted passages (the "matched by" line shows only those). */
function termsFoundIn(terms: readonly string[], passages: readonly string[]): string[] {
  const words = (text: string) => normalizeText(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const haystack = ` ${passages.map(words).join(' ')} `;
  return terms.filter((t) => haystack.includes(` ${words(t)} `));
}

/** Folded, whitespace-collapsed text for near-duplicate checks. */
function dedupeKey(text: string): string {
  return normalizeFolded(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * Turns ranked passages into the answer: for each passage that clears the confidence
 * bar, the answering sentence(s) quoted verbatim with the citation. Near-identical
 * passages, repeated quotes and quotes of a sentence an earlier result already quoted are
 * dropped. No passage clears the bar → not answered.
 */
export function composeAnswer(input: {
  question: string;
  query: AnalyzedQuery;
  ranked: readonly RankedChunk[];
  article: (id: string) => Article | undefined;
  lexical: LexicalIndex;
  retrieval: 'hybrid' | 'lexical';
  options: ComposeOptions;
}): Answer {
  const { question, query, ranked, lexical, options } = input;
  const results: AnswerResult[] = [];
  const bar = query.language !== 'en' ? options.minConfidence : englishBar(ranked, options.minConfidenceEnglish);
  // Sentences are picked by their weighted terms; confidence counts units of meaning when the question has them.
  const forQuotes = lexical.prepareCoverage(query.terms, true);
  const forConfidence = lexical.prepareCoverage(query.terms, true, query.units);
  const asks = asksSomething(question);
  const seenQuotes = new Set<string>();
  const seenPassages = new Set<string>();
  // The excerpts already quoted, per article: passages overlap (a sentence is shared at each chunk
  // boundary), and a result whose answering sentence the user has just read adds nothing.
  const quoted = new Map<string, SentenceSpan[]>();
  const alreadyQuoted = (articleId: string, span: SentenceSpan) =>
    (quoted.get(articleId) ?? []).some((q) => q.start < span.end && span.start < q.end);
  for (const r of ranked) {
    const article = input.article(r.chunk.articleId);
    if (!article) continue;
    let spans = selectQuote(article, r.chunk.sentences, forQuotes, lexical, query.answerType ?? null, asks);
    if (alreadyQuoted(article.id, spans.core)) continue;
    // A runner-up an earlier result already quoted is left out: the quote keeps its own sentences.
    if (spans.excerpts.some((e) => alreadyQuoted(article.id, e))) spans = { excerpts: [spans.core], core: spans.core };
    const parts = excerptTexts(article, spans);
    const quote = parts.join(EXCERPT_GAP);
    // Confidence counts the quote as chosen before a runner-up was added, so the calibrated bars keep their meaning.
    const coreQuote = article.text.slice(spans.core.start, spans.core.end);
    const confidence = confidenceOf(r, `${article.title}\n${r.chunk.text}`, coreQuote, forConfidence, lexical, options);
    // Every quoted passage must clear the bar, so nothing unrelated is quoted.
    if (confidence < bar) {
      // A translated question's confidence is the noisier: when its best-ranked passage is
      // not confident, a lower one that is was more often wrong than right (XQuAD-vi en), so
      // the question goes unanswered rather than quoting it.
      if (query.language === 'en' && results.length === 0) break;
      continue;
    }
    if (parts.some((part) => part.length === 0 || !r.chunk.text.includes(part))) throw new Error(`quote is not verbatim (${r.chunk.id})`);
    const quoteKey = dedupeKey(quote);
    const passageKey = dedupeKey(r.chunk.text);
    if (seenQuotes.has(quoteKey) || seenPassages.has(passageKey)) continue;
    seenQuotes.add(quoteKey);
    seenPassages.add(passageKey);
    quoted.set(article.id, [...(quoted.get(article.id) ?? []), ...spans.excerpts]);
    results.push({
      article: citationOf(article),
      quote,
      passage: r.chunk.text,
      score: Number(confidence.toFixed(4)),
      chunkId: r.chunk.id,
      quoteStart: spans.excerpts[0].start,
      quoteEnd: spans.excerpts[spans.excerpts.length - 1].end,
      ...(parts.length > 1 ? { excerpts: parts } : {}),
      highlights: answerHighlights(quote, query.answerType, notInQuery(forQuotes)),
    });
    if (results.length >= options.offset + options.topK) break;
  }
  const page = results.slice(options.offset, options.offset + options.topK);
  return {
    question,
    answered: page.length > 0,
    language: query.language,
    results: page,
    matchedTerms: termsFoundIn(query.matchedTerms, page.map((r) => r.passage)),
    retrieval: input.retrieval,
  };
}
