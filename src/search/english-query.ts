import type { AnalyzedQuery, Vocabulary } from './query-types.ts';
import { Lexicon, MAX_PHRASE_WORDS, type Translation } from './lexicon.ts';
import { lemmaCandidates, resolveHead, simpleLemma, spellingVariants } from './english-words.ts';
import { TermBag } from './term-bag.ts';
import { AMBIGUOUS_MONTHS, englishTokens, MONTHS, NUMBER_WORDS, numberForms, type EnToken, type WordToken } from './english-tokens.ts';
import { ENGLISH_STOPWORDS, isVietnameseSyllable } from '../text/language.ts';
import { foldDiacritics } from '../text/normalize.ts';

/**
 * English questions → weighted Vietnamese (and English) lexical queries.
 *
 * English questions are translated word by word with the bilingual lexicon as a
 * structured query (Pirkola 1998): multi-word heads are matched first (longest
 * match: "prime minister", "defence minister"), each word is reduced to a lexicon
 * head (as written, British/American spelling, suffix rules, irregular forms, Porter
 * stem as the last resort), and the Vietnamese syllables of all its translations
 * share one budget, so a word with ten translations weighs no more than a word with
 * three. Multi-syllable translations also give adjacent-pair terms ("bộ trưởng") that
 * score a phrase above scattered syllables. Names, acronyms, numbers and dates are
 * kept as written (lower-cased, so they match the diacritic-folded field: "Bien Hoa"
 * finds "Biên Hòa"), and the English content words are kept at a modest weight for
 * loanwords the Vietnamese text quotes ("UNCLOS", "(sack)").
 */

/** Tunable weights of the English query (measured on the XQuAD-vi dev English questions). */
export interface EnglishQueryWeights {
  /** Budget of one English word's translation syllables: min(maxBudget, distinct syllables). */
  maxBudget: number;
  /** Budget of one English word's translation pairs, relative to its syllable budget. */
  pairShare: number;
  /** An English content word kept as written, when the lexicon translated it. */
  englishTranslated: number;
  /** An English content word kept as written, when the lexicon did not know it. */
  englishUnknown: number;
  /** A name or acronym (capitalised in the question). */
  name: number;
  /** Two adjacent name words as a pair ("pete hegseth"). */
  namePair: number;
  /** A number or date form. */
  number: number;
  /** Budget of the pairs joining two neighbouring words' translations (both orders). */
  crossPairBudget: number;
  /** Budget of a question-frame word ("name", "type", "called"). */
  frameBudget: number;
  /** Translations longer than this (in content syllables) count only when no shorter one exists. */
  maxTranslationSyllables: number;
  /** Share budgets only among translations present in the corpus (needs a vocabulary). */
  corpusFilter: boolean;
}

/**
 * Defaults chosen by measurement on the XQuAD-vi dev English questions (whole paragraphs
 * and the product's chunks; R@1 moves by about ±0.01 at most when any one of them is halved
 * or doubled, so they sit on a plateau rather than a fitted peak).
 */
export const DEFAULT_ENGLISH_WEIGHTS: EnglishQueryWeights = {
  maxBudget: 3,
  pairShare: 0.25,
  englishTranslated: 0.6,
  englishUnknown: 1,
  name: 3,
  namePair: 1,
  number: 1,
  frameBudget: 1,
  crossPairBudget: 1,
  maxTranslationSyllables: 4,
  corpusFilter: true,
};

/**
 * Vietnamese syllables that carry no meaning of their own inside a translation
 * (nominalisers and function words: "sự hợp tác", "cái để bảo vệ", "cuộc họp"):
 * they do not take a share of the English word's budget.
 */
const EMPTY_TRANSLATION_SYLLABLES = new Set(['sự', 'cái', 'việc', 'cuộc', 'nỗi', 'niềm', 'những', 'các', 'của', 'một', 'được', 'bị', 'là']);

/**
 * Words that frame a question rather than say what it is about ("what is the name of",
 * "what type of", "another term for", "is called", "is known as", "what happened"):
 * their translations get a budget of `frameBudget` instead of up to `maxBudget`.
 */
const QUESTION_FRAME_WORDS = new Set(['name', 'type', 'kind', 'term', 'call', 'know', 'happen', 'way', 'mean', 'refer']);

/** Words that complete a question word and say nothing about the answer ("how many", "how much"). */
const AFTER_HOW = new Set(['many', 'much', 'often']);

/** Weight of a question-frame word ("name", "type", "called") as a unit of meaning, against 1 for others. */
const FRAME_UNIT_WEIGHT = 0.3;

/** Options of {@link analyzeEnglish}. */
export interface EnglishQueryOptions {
  /** Overrides of {@link DEFAULT_ENGLISH_WEIGHTS}. */
  weights?: Partial<EnglishQueryWeights>;
  /**
   * The corpus vocabulary, when known: an English word's budget is then shared only
   * by its translations that occur in the corpus (all of them when none does).
   */
  vocabulary?: Vocabulary | null;
}

/** Adjacent pairs of a syllable list ("bộ", "trưởng" → "bộ trưởng"). */
function pairsOf(syllables: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < syllables.length; i++) out.push(`${syllables[i]} ${syllables[i + 1]}`);
  return out;
}

/**
 * Adds one English unit's (word or phrase) translations to the query: its distinct
 * content syllables share a budget of min(maxBudget, count), and the adjacent pairs
 * of multi-syllable translations share `pairShare` of that.
 */
function addTranslations(
  bag: TermBag,
  translations: readonly Translation[],
  w: EnglishQueryWeights,
  vocabulary: Vocabulary | null | undefined,
): { present: boolean; used: (readonly string[])[] } {
  let list = translations
    .map((t) => ({ text: t.text, content: t.syllables.filter((s) => !EMPTY_TRANSLATION_SYLLABLES.has(s)) }))
    .filter((x) => x.content.length > 0);
  // Long translations are definitions ("chủ tịch hội đồng quản trị" for "president"):
  // they only count when nothing shorter is offered.
  const short = list.filter((x) => x.content.length <= w.maxTranslationSyllables);
  if (short.length > 0) list = short;
  let present = !vocabulary;
  if (vocabulary && w.corpusFilter) {
    const inCorpus = list.filter((x) =>
      x.content.length === 1 ? vocabulary.has(x.content[0]) : pairsOf(x.content).every((p) => vocabulary.has(p)),
    );
    if (inCorpus.length > 0) {
      list = inCorpus;
      present = true;
    }
  }
  if (list.length === 0) return { present: false, used: [] };
  const syllables = new Set<string>();
  const pairs = new Set<string>();
  for (const x of list) {
    // Shown to the reader as "matched by": only translations the corpus has.
    if (present) bag.match(x.text);
    // The unit is there when one whole translation is: its syllable, or all its adjacent pairs.
    bag.alternative(x.content.length === 1 ? x.content : pairsOf(x.content));
    for (const s of x.content) syllables.add(s);
    for (const p of pairsOf(x.content)) pairs.add(p);
  }
  const budget = Math.min(w.maxBudget, syllables.size);
  for (const s of syllables) bag.add(s, budget / syllables.size);
  if (pairs.size > 0) {
    const pairBudget = Math.min(w.maxBudget, pairs.size) * w.pairShare;
    for (const p of pairs) bag.add(p, pairBudget / pairs.size);
  }
  return { present, used: list.map((x) => x.content) };
}

/** The lower-case, diacritic-folded form of a name word ("Biên" → "bien"). */
function nameForm(surface: string): string {
  return foldDiacritics(surface.toLowerCase());
}

/** Translations of a phrase of lower-case words, trying spelling variants and the last word's base forms. */
function lookupPhrase(words: readonly string[], lexicon: Lexicon): readonly Translation[] | undefined {
  const head = words.slice(0, -1);
  const lastWord = words[words.length - 1];
  const lastForms = [lastWord, ...lemmaCandidates(lastWord)];
  const headVariants = head.map((x) => spellingVariants(x));
  // Combinations of head variants (few: most words have one spelling).
  let combos: string[][] = [[]];
  for (const vs of headVariants) combos = combos.flatMap((c) => vs.map((v) => [...c, v]));
  for (const lf of lastForms) {
    for (const lv of spellingVariants(lf)) {
      for (const c of combos) {
        const found = lexicon.lookup([...c, lv].join(' '));
        if (found) return found;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// The analysis: four stages over one state

/** A translated word or phrase: tokens [start, end) and the content syllables of the translations it used. */
export interface TranslatedSpan {
  start: number;
  end: number;
  used: (readonly string[])[];
}

/** What the stages of {@link analyzeEnglish} share: the question's tokens, what became of each, and the query so far. */
export interface EnglishAnalysis {
  readonly tokens: readonly EnToken[];
  readonly lexicon: Lexicon | null;
  readonly weights: EnglishQueryWeights;
  readonly vocabulary: Vocabulary | null | undefined;
  /** False in a question typed in capitals or Title Case, where capitals say nothing about names. */
  readonly caseSaysNames: boolean;
  /** The query being built. */
  readonly bag: TermBag;
  /** Tokens taken by a date or by a multi-word lexicon phrase. */
  readonly used: boolean[];
  /** Tokens inside a multi-word lexicon phrase. */
  readonly inPhrase: boolean[];
  /** Tokens of a phrase whose translations the corpus holds (all of them without a vocabulary). */
  readonly phraseFound: boolean[];
  /** Where translated words sit, for the pairs across neighbouring words. */
  readonly translatedSpans: TranslatedSpan[];
}

/**
 * Analyses an English question into a weighted Vietnamese (and English) query.
 * With `lexicon` null, the English content words, names and numbers are the query.
 */
export function analyzeEnglish(question: string, lexicon: Lexicon | null, options: EnglishQueryOptions = {}): AnalyzedQuery {
  const analysis = startEnglishAnalysis(question, lexicon, options);
  addDates(analysis);
  addPhrases(analysis);
  addWords(analysis);
  addCrossPairs(analysis);
  const { bag } = analysis;
  return { language: 'en', terms: bag.terms(), denseText: question, matchedTerms: bag.matched, units: bag.units() };
}

/** The state before any stage: the question's tokens, and no term yet. */
export function startEnglishAnalysis(question: string, lexicon: Lexicon | null, options: EnglishQueryOptions = {}): EnglishAnalysis {
  const tokens = englishTokens(question);
  const none = () => new Array<boolean>(tokens.length).fill(false);
  return {
    tokens,
    lexicon,
    weights: { ...DEFAULT_ENGLISH_WEIGHTS, ...options.weights },
    vocabulary: options.vocabulary,
    caseSaysNames: caseSaysNames(tokens),
    bag: new TermBag(),
    used: none(),
    inPhrase: none(),
    phraseFound: none(),
    translatedSpans: [],
  };
}

/**
 * Whether capitals mark names in this question: not when it is typed in capitals or Title Case.
 * Told by the stopwords: "Who Is The Prime Minister" capitalises them, "Who won Super Bowl XLIX" does not.
 */
function caseSaysNames(tokens: readonly EnToken[]): boolean {
  const innerStopwords = tokens.filter((t) => t.kind === 'word' && !t.initial && ENGLISH_STOPWORDS.has(t.lower));
  const capitalisedStopwords = innerStopwords.filter((t) => t.kind === 'word' && t.capitalised).length;
  return !(innerStopwords.length >= 2 && capitalisedStopwords >= 0.8 * innerStopwords.length);
}

/** The word token at `i`, or undefined for a number or past either end. */
function wordAt(a: EnglishAnalysis, i: number): WordToken | undefined {
  const t = a.tokens[i];
  return t?.kind === 'word' ? t : undefined;
}

/** A capitalised word that is not a stopword and not sentence-initial: surely part of a name. */
function isStrongName(a: EnglishAnalysis, i: number): boolean {
  const t = wordAt(a, i);
  return t !== undefined && t.capitalised && !t.initial && !ENGLISH_STOPWORDS.has(t.lower);
}

/** A capitalised word that names something (not a sentence-initial ordinary word). */
function isName(a: EnglishAnalysis, i: number): boolean {
  const t = wordAt(a, i);
  if (!a.caseSaysNames || !t || !t.capitalised) return false;
  if (t.allCaps) return true;
  // A stopword is part of a name only beside one ("To Lam", "An Giang"), never alone ("In", "The").
  if (ENGLISH_STOPWORDS.has(t.lower)) return !t.initial && (isStrongName(a, i - 1) || isStrongName(a, i + 1));
  if (!t.initial) return true;
  // Sentence-initial: a name unless it is a known word not followed by a name.
  if (a.lexicon && resolveHead(t.lower, a.lexicon) !== null) return isStrongName(a, i + 1);
  return true;
}

/**
 * Keeps an English form (a name, a loanword) as a term. When the corpus vocabulary is
 * known and the form is not in it, the form could match nothing; it is kept only
 * when it tells that the question is about something the corpus lacks: an
 * untranslated name ("FIFA", "iPhone"). A translated word is represented by its
 * translations; a common word the lexicon does not know ("cite") cannot match as
 * written, and stays only as a unit no passage covers (see `absentUnless` in {@link addWord}).
 */
function keepEnglish(a: EnglishAnalysis, form: string, weight: number, translated: boolean, isNameForm: boolean): void {
  if (a.vocabulary && !a.vocabulary.has(form) && (translated || !isNameForm)) return;
  a.bag.addAlone(form, weight);
}

/** Whether the number token at `i` reads as a year ("2025"). */
function isYearAt(a: EnglishAnalysis, i: number): boolean {
  const t = a.tokens[i];
  return t?.kind === 'number' && /^\d{4}$/.test(t.surface);
}

/** Whether the number token at `i` reads as a day of the month ("7", "19th"). */
function isDayAt(a: EnglishAnalysis, i: number): boolean {
  const t = a.tokens[i];
  return t?.kind === 'number' && /^\d{1,2}(st|nd|rd|th)?$/.test(t.surface);
}

/** The month a token names, when it is a month here (not "may" the verb). */
function monthAt(a: EnglishAnalysis, i: number): number | undefined {
  const t = wordAt(a, i);
  const month = t && MONTHS.get(t.lower);
  if (!t || month === undefined) return undefined;
  // Month names are capitalised; the ones that are also words ("may", "march") and
  // the abbreviations are months only next to a number ("5 May", "Mar 2020").
  if (a.caseSaysNames && !t.capitalised) return undefined;
  if (AMBIGUOUS_MONTHS.has(t.lower) && a.tokens[i + 1]?.kind !== 'number' && a.tokens[i - 1]?.kind !== 'number') return undefined;
  return month;
}

/**
 * Stage 1. Dates in the forms Vietnamese news writes them: "October 2025" → "tháng 10",
 * "10/2025"; "7 February" and "February 7, 2025" → "7/2", "7/2/2025"; "in June" → "tháng 6".
 * Each date is one unit; its tokens are used up.
 */
export function addDates(a: EnglishAnalysis): void {
  for (let i = 0; i < a.tokens.length; i++) {
    const month = monthAt(a, i);
    if (month !== undefined) addDate(a, i, month);
  }
}

/** Adds the date around the month token at `i`: the month, and a day and year beside it. */
function addDate(a: EnglishAnalysis, i: number, month: number): void {
  const { bag, tokens, used, weights: w } = a;
  bag.unit();
  used[i] = true;
  bag.addAlone(`tháng ${month}`, w.number);
  bag.match(`tháng ${month}`);
  const take = (k: number): string => {
    used[k] = true;
    return tokens[k].surface;
  };
  let day: string | null = null;
  let year: string | null = null;
  if (isYearAt(a, i + 1)) {
    year = take(i + 1);
  } else if (isDayAt(a, i + 1)) {
    day = take(i + 1).replace(/\D+$/, '');
    if (isYearAt(a, i + 2)) year = take(i + 2);
  }
  if (day === null && isDayAt(a, i - 1)) {
    day = take(i - 1).replace(/\D+$/, '');
    if (!year && isYearAt(a, i + 1)) year = take(i + 1);
  }
  if (year) {
    bag.addAlone(`${month}/${year}`, w.number);
    bag.addAlone(year, w.number);
    bag.addAlone(`năm ${year}`, w.number * w.pairShare);
  }
  if (day) {
    bag.addAlone(`${day}/${month}`, w.number);
    bag.addAlone(`ngày ${day}`, w.number * w.pairShare);
    if (year) bag.addAlone(`${day}/${month}/${year}`, w.number);
  }
}

/**
 * Stage 2. Multi-word lexicon heads, longest first ("prime minister", "war remnants"):
 * each phrase is one unit, translated as a whole; its words are used up (they still
 * give their English forms and names in {@link addWords}).
 */
export function addPhrases(a: EnglishAnalysis): void {
  if (!a.lexicon) return;
  const phrases = findPhrases(a, a.lexicon);
  for (const p of phrases) {
    a.bag.unit();
    const added = addTranslations(a.bag, p.translations, a.weights, a.vocabulary);
    a.translatedSpans.push({ start: p.start, end: p.end, used: added.used });
    for (let k = p.start; k < p.end; k++) a.phraseFound[k] = added.present;
  }
  for (const p of phrases) for (let k = p.start; k < p.end; k++) a.inPhrase[k] = true;
}

/** The multi-word phrases the lexicon knows, left to right, longest match first; marks their tokens used. */
function findPhrases(a: EnglishAnalysis, lexicon: Lexicon): { start: number; end: number; translations: readonly Translation[] }[] {
  const { tokens, used } = a;
  const phrases: { start: number; end: number; translations: readonly Translation[] }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (used[i] || tokens[i].kind !== 'word') continue;
    for (let len = Math.min(MAX_PHRASE_WORDS, tokens.length - i); len >= 2; len--) {
      const span = tokens.slice(i, i + len);
      if (span.some((t, k) => t.kind !== 'word' || used[i + k])) continue;
      const lowers = span.map((t) => t.lower);
      if (lowers.every((x) => ENGLISH_STOPWORDS.has(x))) continue;
      if (ENGLISH_STOPWORDS.has(lowers[0]) || ENGLISH_STOPWORDS.has(lowers[len - 1])) continue;
      const found = lookupPhrase(lowers, lexicon);
      if (found) {
        phrases.push({ start: i, end: i + len, translations: found });
        for (let k = i; k < i + len; k++) used[k] = true;
        i += len - 1;
        break;
      }
    }
  }
  return phrases;
}

/**
 * Stage 3. Single words, numbers and names, left to right: each token outside a phrase
 * starts a unit (a question-frame word a light one); numbers give the forms Vietnamese
 * writes them in, names are kept as written, other words are translated and kept at a
 * modest weight for loanwords.
 */
export function addWords(a: EnglishAnalysis): void {
  for (let i = 0; i < a.tokens.length; i++) {
    const t = a.tokens[i];
    // A word of a translated phrase starts no unit of its own. Its English forms go to the unit last
    // started: the phrase's own only when the phrase opens the question, else the preceding word's.
    if (!a.inPhrase[i]) a.bag.unit(t.kind === 'word' && QUESTION_FRAME_WORDS.has(t.lower) ? FRAME_UNIT_WEIGHT : 1);
    if (t.kind === 'number') {
      if (!a.used[i]) addNumber(a, t.surface);
    } else if (!a.used[i] || a.inPhrase[i]) {
      if (isName(a, i)) addName(a, i, t);
      else addWord(a, i, t);
    }
  }
}

/** A number as Vietnamese writes it ("1,435" → "1.435"), and a year as "năm 1990". */
function addNumber(a: EnglishAnalysis, surface: string): void {
  const w = a.weights;
  for (const form of numberForms(surface)) a.bag.addAlone(form, w.number);
  if (/^\d{4}s?$/.test(surface)) a.bag.addAlone(`năm ${surface.replace(/s$/, '')}`, w.number * w.pairShare);
}

/** A name word: its translation when the lexicon has one ("Russia"), and its folded form, alone and paired with the next name word. */
function addName(a: EnglishAnalysis, i: number, t: WordToken): void {
  const { lexicon, vocabulary, weights: w } = a;
  const inPhrase = a.inPhrase[i];
  const form = nameForm(t.surface);
  let translated = inPhrase && a.phraseFound[i];
  // A capitalised word the lexicon knows is a title or a translated name ("General", "Russia").
  let known = inPhrase;
  // A stopword inside a name ("To" in "To Lam") is not translated.
  if (lexicon && !inPhrase && (t.allCaps || !ENGLISH_STOPWORDS.has(t.lower))) {
    const cased = lexicon.lookupCased(t.surface);
    const head = cased ? null : resolveHead(t.lower, lexicon);
    const translations = cased ?? (head ? lexicon.lookup(head) : undefined);
    if (translations) {
      const added = addTranslations(a.bag, translations, w, vocabulary);
      translated = added.present;
      a.translatedSpans.push({ start: i, end: i + 1, used: added.used });
      known = true;
    }
  }
  // A name word that is also a Vietnamese syllable ("To", "Lam", "Hoa") is weak alone.
  const nameWeight = isVietnameseSyllable(form) ? w.name * 0.5 : w.name;
  // A plural name ("Huguenots") may be written in the singular ("người Huguenot").
  const singular = !t.allCaps && /[^s]s$/.test(form) && form.length > 4 ? form.slice(0, -1) : null;
  if (singular && vocabulary && !vocabulary.has(form) && vocabulary.has(singular)) {
    keepEnglish(a, singular, nameWeight, translated, !known);
  } else {
    keepEnglish(a, form, nameWeight, translated, !known);
    if (singular && !vocabulary) a.bag.addAlone(singular, nameWeight * 0.5);
  }
  if (isName(a, i + 1)) keepEnglish(a, `${form} ${nameForm(wordAt(a, i + 1)!.surface)}`, w.namePair, translated, !known);
}

/** An ordinary word: skipped when it says nothing, else its translations and its English form. */
function addWord(a: EnglishAnalysis, i: number, t: WordToken): void {
  const { lexicon, vocabulary, weights: w } = a;
  const inPhrase = a.inPhrase[i];
  if (ENGLISH_STOPWORDS.has(t.lower) || (MONTHS.has(t.lower) && a.used[i])) return;
  if (AFTER_HOW.has(t.lower) && i > 0 && a.tokens[i - 1].lower === 'how') return;
  const numberWord = NUMBER_WORDS.get(t.lower);
  if (numberWord && !inPhrase) {
    for (const form of numberWord) {
      const digits = /^\d/.test(form);
      a.bag.addAlone(form, digits ? w.number : w.number / numberWord.length);
      if (!digits) a.bag.match(form);
    }
    return;
  }
  const head = lexicon ? resolveHead(t.lower, lexicon) : null;
  const frame = QUESTION_FRAME_WORDS.has(head ?? t.lower);
  const unitWeights = frame ? { ...w, maxBudget: w.frameBudget } : w;
  let translated = false;
  if (lexicon && head && !inPhrase) {
    const added = addTranslations(a.bag, lexicon.lookup(head) ?? [], unitWeights, vocabulary);
    translated = added.present;
    if (!frame) a.translatedSpans.push({ start: i, end: i + 1, used: added.used });
  }
  // The English word itself, for loanwords the Vietnamese text quotes. Words that
  // are also Vietnamese syllables ("can", "ban", "long") would match noise.
  const kept = head ?? simpleLemma(t.lower);
  const weight = head || inPhrase ? w.englishTranslated : w.englishUnknown;
  for (const form of new Set([t.lower, kept])) {
    if (!isVietnameseSyllable(form)) keepEnglish(a, form, weight, translated || (inPhrase && a.phraseFound[i]), false);
  }
  // A content word the corpus has no way to say (no translation of it, nor the word, occurs
  // there: "banh mi", "troops" in a corpus without them) still belongs to the question:
  // it stays a unit no passage covers, so the answer's confidence says what is missing.
  if (vocabulary && !inPhrase && !frame) a.bag.absentUnless(kept);
}

/**
 * Stage 4. Neighbouring translated words: Vietnamese puts the head first ("defence cooperation"
 * → "hợp tác quốc phòng", "war remnants" → "di chứng chiến tranh"), so the pair joining
 * their translations is emitted in both orders, sharing a small budget. These are extra
 * evidence, not units of the question.
 */
export function addCrossPairs(a: EnglishAnalysis): void {
  const { bag, vocabulary, weights: w } = a;
  bag.noUnit();
  if (!(w.crossPairBudget > 0)) return;
  const sorted = [...a.translatedSpans].sort((x, y) => x.start - y.start);
  for (let k = 0; k + 1 < sorted.length; k++) {
    const left = sorted[k];
    const right = sorted[k + 1];
    if (right.start !== left.end || left.used.length === 0 || right.used.length === 0) continue;
    const cross = new Set<string>();
    for (const tl of left.used) {
      for (const tr of right.used) {
        cross.add(`${tr[tr.length - 1]} ${tl[0]}`);
        cross.add(`${tl[tl.length - 1]} ${tr[0]}`);
      }
    }
    const present = vocabulary ? [...cross].filter((p) => vocabulary.has(p)) : [...cross];
    for (const p of present) bag.add(p, w.crossPairBudget / present.length);
  }
}
