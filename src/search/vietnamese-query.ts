import type { AnalyzedQuery, CorpusStatistics } from './query-types.ts';
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
    'là của có các những một được bị thì mà và với cho về đã đang sẽ này đó ấy vào để'
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
 * Adjacent content syllables form one word when the corpus mostly uses them together: the
 * pair is in at least this share of the passages that hold the rarer of the two.
 */
const WORD_COHESION = 0.5;

/**
 * Sizes of the words the syllables belong to, one per syllable. Vietnamese writes words as
 * runs of syllables ("Tổng Bí thư", "Tô Lâm", "hợp tác"); counted syllable by syllable, a
 * long name weighs several times a one-syllable word, and a news article repeats its main
 * names in every paragraph, so the name alone would pick the passage. Syllables whose pair
 * the corpus mostly holds together are grouped (a corpus-driven word segmentation) and
 * share one word's weight. Pairs still count on their own, so a name matched whole still
 * outranks its syllables scattered.
 */
function wordSizes(
  forms: readonly string[],
  norms: readonly string[],
  exact: readonly boolean[],
  isFunction: readonly boolean[],
  corpus: CorpusStatistics | null,
): number[] {
  const joined = forms.map((form, i) => {
    if (!corpus || i + 1 >= forms.length || isFunction[i] || isFunction[i + 1]) return false;
    const together = corpus.documentFrequency(`${norms[i]} ${norms[i + 1]}`, exact[i] && exact[i + 1]);
    const rarer = Math.min(corpus.documentFrequency(form, exact[i]), corpus.documentFrequency(forms[i + 1], exact[i + 1]));
    return together >= 2 && rarer > 0 && together / rarer >= WORD_COHESION;
  });
  const sizes = forms.map(() => 1);
  for (let start = 0; start < forms.length; ) {
    let end = start;
    while (joined[end]) end++;
    for (let i = start; i <= end; i++) sizes[i] = end - start + 1;
    start = end + 1;
  }
  return sizes;
}

/**
 * Analyses a Vietnamese question (with or without diacritics): each syllable (in
 * normalised form when it has diacritics, folded otherwise), adjacent pairs, and
 * question/function words down-weighted. In a question typed with diacritics, a plain
 * syllable the corpus has as written is matched exactly ("sang" ≠ "sàng", "hay" ≠ "hãy");
 * one it does not have (a name typed without diacritics) still matches folded. With the
 * corpus statistics, the syllables of one word share its weight ({@link wordSizes}).
 */
export function analyzeVietnamese(question: string, corpus: CorpusStatistics | null = null): AnalyzedQuery {
  const tokens = tokenize(question);
  const bag = new TermBag();
  const marked = tokens.map((t) => hasVietnameseDiacritics(t.norm));
  const meantAsWritten = typedWithDiacritics(tokens);
  const exact = tokens.map((t, i) => marked[i] || (meantAsWritten && corpus !== null && corpus.has(t.norm, true)));
  const forms = tokens.map((t, i) => (exact[i] ? t.norm : t.folded));
  const isFunction = forms.map((f, i) =>
    hasVietnameseDiacritics(f) ? VIETNAMESE_QUESTION_WORDS.has(f) : VIETNAMESE_QUESTION_WORDS_FOLDED.has(tokens[i].folded),
  );
  const sizes = wordSizes(forms, tokens.map((t) => t.norm), exact, isFunction, corpus);
  forms.forEach((form, i) => {
    bag.add(form, (isFunction[i] ? VIETNAMESE_FUNCTION_WEIGHT : 1) / sizes[i], exact[i]);
    if (i + 1 < forms.length && !(isFunction[i] && isFunction[i + 1])) {
      const pairWeight = isFunction[i] || isFunction[i + 1] ? VIETNAMESE_PAIR_WEIGHT * VIETNAMESE_FUNCTION_WEIGHT : VIETNAMESE_PAIR_WEIGHT;
      bag.add(`${tokens[i].norm} ${tokens[i + 1].norm}`, pairWeight, exact[i] && exact[i + 1]);
    }
  });
  return { language: 'vi', terms: bag.terms(), denseText: question, matchedTerms: [] };
}
