import type { Vocabulary } from './english-query.ts';
import type { AnalyzedQuery } from './query-types.ts';
import { TermBag } from './term-bag.ts';
import { foldDiacritics, hasVietnameseDiacritics } from '../text/normalize.ts';
import { tokenize, type Token } from '../text/tokens.ts';

/**
 * Vietnamese question and function words, in `normalizeText` form: they say what is
 * asked, not what the answer passage contains, so they are down-weighted (see
 * {@link VIETNAMESE_FUNCTION_WEIGHT}). Multi-syllable ones ("bao nhiêu") are listed
 * by syllable. Their folded forms are derived, for questions typed without diacritics.
 */
export const VIETNAMESE_QUESTION_WORDS: ReadonlySet<string> = new Set(
  (
    // question words
    'gì nào bao nhiêu ai đâu sao như thế nào không chưa hả vậy ' +
    // function words
    'là của có các những một được bị thì mà và với cho về đã đang sẽ này đó ấy'
  ).split(' '),
);

/** Folded forms of {@link VIETNAMESE_QUESTION_WORDS} (a diacritic-less question). */
const VIETNAMESE_QUESTION_WORDS_FOLDED: ReadonlySet<string> = new Set(
  [...VIETNAMESE_QUESTION_WORDS].map((w) => foldDiacritics(w)),
);

/** Weight of a Vietnamese question/function word (other syllables weigh 1). */
export const VIETNAMESE_FUNCTION_WEIGHT = 0.5;
/** Weight of an adjacent pair of syllables in a Vietnamese question. */
export const VIETNAMESE_PAIR_WEIGHT = 0.5;

/**
 * Share of a question's word tokens that must carry diacritics for it to count as typed
 * with them (Vietnamese prose marks most syllables; a question typed without them has none
 * or a stray one).
 */
const TYPED_WITH_DIACRITICS_SHARE = 0.4;

/** Whether the question was typed with diacritics, so its plain syllables are meant as written. */
function typedWithDiacritics(tokens: readonly Token[]): boolean {
  const words = tokens.filter((t) => /\p{L}/u.test(t.norm));
  const marked = words.filter((t) => hasVietnameseDiacritics(t.norm)).length;
  return words.length > 0 && marked / words.length >= TYPED_WITH_DIACRITICS_SHARE;
}

/**
 * Analyses a Vietnamese question (with or without diacritics): each syllable (in
 * normalised form when it has diacritics, folded otherwise), adjacent pairs, and
 * question/function words down-weighted. In a question typed with diacritics, a plain
 * syllable the corpus has as written is matched exactly ("sang" ≠ "sàng", "hay" ≠ "hãy");
 * one it does not have (a name typed without diacritics) still matches folded.
 */
export function analyzeVietnamese(question: string, vocabulary: Vocabulary | null = null): AnalyzedQuery {
  const tokens = tokenize(question);
  const bag = new TermBag();
  const marked = tokens.map((t) => hasVietnameseDiacritics(t.norm));
  const meantAsWritten = typedWithDiacritics(tokens);
  const exact = tokens.map((t, i) => marked[i] || (meantAsWritten && vocabulary !== null && vocabulary.has(t.norm, true)));
  const forms = tokens.map((t, i) => (exact[i] ? t.norm : t.folded));
  const isFunction = forms.map((f, i) =>
    hasVietnameseDiacritics(f) ? VIETNAMESE_QUESTION_WORDS.has(f) : VIETNAMESE_QUESTION_WORDS_FOLDED.has(tokens[i].folded),
  );
  forms.forEach((form, i) => {
    bag.add(form, isFunction[i] ? VIETNAMESE_FUNCTION_WEIGHT : 1, exact[i]);
    if (i + 1 < forms.length && !(isFunction[i] && isFunction[i + 1])) {
      const pairWeight = isFunction[i] || isFunction[i + 1] ? VIETNAMESE_PAIR_WEIGHT * VIETNAMESE_FUNCTION_WEIGHT : VIETNAMESE_PAIR_WEIGHT;
      bag.add(`${tokens[i].norm} ${tokens[i + 1].norm}`, pairWeight, exact[i] && exact[i + 1]);
    }
  });
  return { language: 'vi', terms: bag.terms(), denseText: question, matchedTerms: [] };
}
