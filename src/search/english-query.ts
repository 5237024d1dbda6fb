import type { AnalyzedQuery, Vocabulary } from './query-types.ts';
import { Lexicon, MAX_PHRASE_WORDS, type Translation } from './lexicon.ts';
import { lemmaCandidates, resolveHead, simpleLemma, spellingVariants } from './english-words.ts';
import { TermBag } from './term-bag.ts';
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

// ---------------------------------------------------------------------------
// English tokens

type EnToken =
  | { kind: 'word'; surface: string; lower: string; capitalised: boolean; allCaps: boolean; initial: boolean }
  | { kind: 'number'; surface: string; lower: string };

/** Words (with inner apostrophes, hyphens, ampersands, dots as in "X.25") and numbers. */
const EN_TOKEN = /(?:\p{Lu}\.){2,}|\p{N}+(?:[.,/:]\p{N}+)*(?:st|nd|rd|th|s)?%?|[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}]+)?/gu;

function englishTokens(question: string): EnToken[] {
  const tokens: EnToken[] = [];
  const text = question.normalize('NFC');
  let sentenceStart = true;
  let last = 0;
  for (const m of text.matchAll(EN_TOKEN)) {
    const between = text.slice(last, m.index);
    if (/[.!?:;"“]\s*$/.test(between) && last > 0) sentenceStart = true;
    last = m.index + m[0].length;
    // "U.S." → "US"; "Warsaw's" → "Warsaw"; "Panthers'" → "Panthers".
    const surface = /^(?:\p{Lu}\.){2,}$/u.test(m[0]) ? m[0].replace(/\./g, '') : m[0].replace(/['’]s?$/i, '').replace(/’/g, "'");
    if (/^\p{N}/u.test(surface)) {
      tokens.push({ kind: 'number', surface, lower: surface.toLowerCase() });
    } else {
      const lower = surface.toLowerCase();
      const capitalised = surface !== lower;
      const allCaps = capitalised && surface.length > 1 && surface === surface.toUpperCase();
      tokens.push({ kind: 'word', surface, lower, capitalised, allCaps, initial: sentenceStart });
    }
    sentenceStart = false;
  }
  return tokens;
}

// ---------------------------------------------------------------------------
// Numbers and dates

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['january', 1], ['jan', 1], ['february', 2], ['feb', 2], ['march', 3], ['mar', 3], ['april', 4], ['apr', 4],
  ['may', 5], ['june', 6], ['jun', 6], ['july', 7], ['jul', 7], ['august', 8], ['aug', 8], ['september', 9],
  ['sep', 9], ['sept', 9], ['october', 10], ['oct', 10], ['november', 11], ['nov', 11], ['december', 12], ['dec', 12],
]);

/** Month words that are also ordinary words or abbreviations. */
const AMBIGUOUS_MONTHS = new Set(['may', 'march', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/** Forms of a number as Vietnamese text writes it: "1,435" → "1.435"; "56.2" → "56,2"; "19th" → "19". */
function numberForms(surface: string): string[] {
  const bare = surface.replace(/%$/, '').replace(/(st|nd|rd|th|s)$/i, '');
  const out = new Set<string>([bare]);
  if (/^\d{1,3}(,\d{3})+$/.test(bare)) {
    out.add(bare.replace(/,/g, '.'));
    out.add(bare.replace(/,/g, ''));
  } else if (/^\d+\.\d+$/.test(bare)) {
    out.add(bare.replace('.', ','));
  }
  return [...out];
}

/**
 * English number words → how Vietnamese text writes them (digits first). Used instead
 * of the lexicon, whose entries for them are mostly idioms ("one" → "nào đó", "người ta").
 */
const NUMBER_WORDS: ReadonlyMap<string, readonly string[]> = new Map(
  (
    'one:1,một; two:2,hai; three:3,ba; four:4,bốn,tư; five:5,năm; six:6,sáu; seven:7,bảy; eight:8,tám; nine:9,chín; ' +
    'ten:10,mười; eleven:11; twelve:12; thirteen:13; fourteen:14; fifteen:15; sixteen:16; seventeen:17; eighteen:18; ' +
    'nineteen:19; twenty:20; thirty:30; forty:40; fifty:50; sixty:60; seventy:70; eighty:80; ninety:90; ' +
    'hundred:trăm; hundreds:trăm; thousand:nghìn,ngàn; thousands:nghìn,ngàn; million:triệu; millions:triệu; ' +
    'billion:tỷ,tỉ; billions:tỷ,tỉ; dozen:tá; half:nửa,rưỡi; ' +
    'second:thứ hai,thứ nhì,giây; third:thứ ba; fourth:thứ tư; fifth:thứ năm; sixth:thứ sáu; seventh:thứ bảy; ' +
    'eighth:thứ tám; ninth:thứ chín; tenth:thứ mười'
  )
    .split('; ')
    .map((entry) => {
      const [word, forms] = entry.split(':');
      return [word, forms.split(',')] as [string, string[]];
    }),
);

/**
 * Words that frame a question rather than say what it is about ("what is the name of",
 * "what type of", "another term for", "is called", "is known as", "what happened"):
 * their translations get a budget of `frameBudget` instead of up to `maxBudget`.
 */
const QUESTION_FRAME_WORDS = new Set(['name', 'type', 'kind', 'term', 'call', 'know', 'happen', 'way', 'mean', 'refer']);

/** Words that complete a question word and say nothing about the answer ("how many", "how much"). */
const AFTER_HOW = new Set(['many', 'much', 'often']);

// ---------------------------------------------------------------------------
// English analysis


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

/**
 * Analyses an English question into a weighted Vietnamese (and English) query.
 * With `lexicon` null, the English content words, names and numbers are the query.
 */
export function analyzeEnglish(
  question: string,
  lexicon: Lexicon | null,
  options: EnglishQueryOptions = {},
): AnalyzedQuery {
  const w: EnglishQueryWeights = { ...DEFAULT_ENGLISH_WEIGHTS, ...options.weights };
  const vocabulary = options.vocabulary;
  const tokens = englishTokens(question);
  const bag = new TermBag();
  const used = new Array<boolean>(tokens.length).fill(false);

  const isWord = (i: number) => tokens[i]?.kind === 'word';
  const word = (i: number) => tokens[i] as Extract<EnToken, { kind: 'word' }>;
  // In a question typed in capitals or Title Case, capitals say nothing about names.
  // Told by the stopwords: "Who Is The Prime Minister" capitalises them, "Who won Super Bowl XLIX" does not.
  const innerStopwords = tokens.filter((t) => t.kind === 'word' && !t.initial && ENGLISH_STOPWORDS.has(t.lower));
  const capitalisedStopwords = innerStopwords.filter((t) => t.kind === 'word' && t.capitalised).length;
  const caseSaysNames = !(innerStopwords.length >= 2 && capitalisedStopwords >= 0.8 * innerStopwords.length);
  /** A capitalised word that is not a stopword and not sentence-initial: surely part of a name. */
  const strongName = (i: number): boolean =>
    isWord(i) && word(i).capitalised && !word(i).initial && !ENGLISH_STOPWORDS.has(word(i).lower);
  /** A capitalised word that names something (not a sentence-initial ordinary word). */
  const isName = (i: number): boolean => {
    if (!caseSaysNames || !isWord(i)) return false;
    const t = word(i);
    if (!t.capitalised) return false;
    if (t.allCaps) return true;
    // A stopword is part of a name only beside one ("To Lam", "An Giang"), never alone ("In", "The").
    if (ENGLISH_STOPWORDS.has(t.lower)) return !t.initial && (strongName(i - 1) || strongName(i + 1));
    if (!t.initial) return true;
    // Sentence-initial: a name unless it is a known word not followed by a name.
    if (lexicon && resolveHead(t.lower, lexicon) !== null) return strongName(i + 1);
    return true;
  };

  // 1. Dates: "October 2025", "7 February", "February 7, 2025", "in June".
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(i)) continue;
    const month = MONTHS.get(word(i).lower);
    if (month === undefined) continue;
    // Month names are capitalised; the ones that are also words ("may", "march") and
    // the abbreviations are months only next to a number ("5 May", "Mar 2020").
    if (caseSaysNames && !word(i).capitalised) continue;
    if (AMBIGUOUS_MONTHS.has(word(i).lower) && tokens[i + 1]?.kind !== 'number' && tokens[i - 1]?.kind !== 'number') continue;
    bag.unit();
    used[i] = true;
    bag.addAlone(`tháng ${month}`, w.number);
    bag.match(`tháng ${month}`);
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    let day: string | null = null;
    let year: string | null = null;
    if (next?.kind === 'number' && /^\d{4}$/.test(next.surface)) {
      year = next.surface;
      used[i + 1] = true;
    } else if (next?.kind === 'number' && /^\d{1,2}(st|nd|rd|th)?$/.test(next.surface)) {
      day = next.surface.replace(/\D+$/, '');
      used[i + 1] = true;
      const after = tokens[i + 2];
      if (after?.kind === 'number' && /^\d{4}$/.test(after.surface)) {
        year = after.surface;
        used[i + 2] = true;
      }
    }
    if (day === null && prev?.kind === 'number' && /^\d{1,2}(st|nd|rd|th)?$/.test(prev.surface)) {
      day = prev.surface.replace(/\D+$/, '');
      used[i - 1] = true;
      if (!year && next?.kind === 'number' && /^\d{4}$/.test(next.surface)) {
        year = next.surface;
        used[i + 1] = true;
      }
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
   * Keeps an English form (a name, a loanword) as a term. When the corpus vocabulary is
   * known and the form is not in it, the form could match nothing; it is kept only
   * when it tells that the question is about something the corpus lacks: an
   * untranslated name ("FIFA", "iPhone"). A translated word is represented by its
   * translations; a common word the lexicon does not know ("cite") cannot match as
   * written, and stays only as a unit no passage covers (see `absentUnless` below).
   */
  const keepEnglish = (form: string, weight: number, translated: boolean, isNameForm: boolean) => {
    if (vocabulary && !vocabulary.has(form) && (translated || !isNameForm)) return;
    bag.addAlone(form, weight);
  };

  // 2. Multi-word lexicon heads, longest first ("prime minister", "war remnants").
  const units: { start: number; end: number; translations: readonly Translation[] }[] = [];
  const phraseFound = new Array<boolean>(tokens.length).fill(false);
  /** Where translated words sit, for pairs across neighbouring words ("defence cooperation" → "hợp tác quốc phòng"). */
  const translatedSpans: { start: number; end: number; used: (readonly string[])[] }[] = [];
  if (lexicon) {
    for (let i = 0; i < tokens.length; i++) {
      if (used[i] || !isWord(i)) continue;
      for (let len = Math.min(MAX_PHRASE_WORDS, tokens.length - i); len >= 2; len--) {
        const span = tokens.slice(i, i + len);
        if (span.some((t, k) => t.kind !== 'word' || used[i + k])) continue;
        const lowers = span.map((t) => t.lower);
        if (lowers.every((x) => ENGLISH_STOPWORDS.has(x))) continue;
        if (ENGLISH_STOPWORDS.has(lowers[0]) || ENGLISH_STOPWORDS.has(lowers[len - 1])) continue;
        const found = lookupPhrase(lowers, lexicon);
        if (found) {
          units.push({ start: i, end: i + len, translations: found });
          for (let k = i; k < i + len; k++) used[k] = true;
          i += len - 1;
          break;
        }
      }
    }
  }
  for (const u of units) {
    bag.unit();
    const added = addTranslations(bag, u.translations, w, vocabulary);
    translatedSpans.push({ start: u.start, end: u.end, used: added.used });
    for (let k = u.start; k < u.end; k++) phraseFound[k] = added.present;
  }
  // Phrase words still count as English words and names (kept as written) below.
  const inPhrase = new Array<boolean>(tokens.length).fill(false);
  for (const u of units) for (let k = u.start; k < u.end; k++) inPhrase[k] = true;

  // 3. Single words, numbers and names.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    // A word of a translated phrase adds its English form to the phrase's unit, not a unit of its own.
    if (!inPhrase[i]) bag.unit(t.kind === 'word' && QUESTION_FRAME_WORDS.has(t.lower) ? FRAME_UNIT_WEIGHT : 1);
    if (t.kind === 'number') {
      if (used[i]) continue;
      const year = /^\d{4}s?$/.test(t.surface);
      for (const form of numberForms(t.surface)) bag.addAlone(form, w.number);
      if (year) bag.addAlone(`năm ${t.surface.replace(/s$/, '')}`, w.number * w.pairShare);
      continue;
    }
    if (used[i] && !inPhrase[i]) continue;
    const name = isName(i);
    if (name) {
      const form = nameForm(t.surface);
      let translated = inPhrase[i] && phraseFound[i];
      // A capitalised word the lexicon knows is a title or a translated name ("General", "Russia").
      let known = inPhrase[i];
      // A stopword inside a name ("To" in "To Lam") is not translated.
      if (lexicon && !inPhrase[i] && (t.allCaps || !ENGLISH_STOPWORDS.has(t.lower))) {
        const cased = lexicon.lookupCased(t.surface);
        const head = cased ? null : resolveHead(t.lower, lexicon);
        const translations = cased ?? (head ? lexicon.lookup(head) : undefined);
        if (translations) {
          const added = addTranslations(bag, translations, w, vocabulary);
          translated = added.present;
          translatedSpans.push({ start: i, end: i + 1, used: added.used });
          known = true;
        }
      }
      // A name word that is also a Vietnamese syllable ("To", "Lam", "Hoa") is weak alone.
      const nameWeight = isVietnameseSyllable(form) ? w.name * 0.5 : w.name;
      // A plural name ("Huguenots") may be written in the singular ("người Huguenot").
      const singular = !t.allCaps && /[^s]s$/.test(form) && form.length > 4 ? form.slice(0, -1) : null;
      if (singular && vocabulary && !vocabulary.has(form) && vocabulary.has(singular)) {
        keepEnglish(singular, nameWeight, translated, !known);
      } else {
        keepEnglish(form, nameWeight, translated, !known);
        if (singular && !vocabulary) bag.addAlone(singular, nameWeight * 0.5);
      }
      if (isName(i + 1)) keepEnglish(`${form} ${nameForm(word(i + 1).surface)}`, w.namePair, translated, !known);
      continue;
    }
    if (ENGLISH_STOPWORDS.has(t.lower) || (MONTHS.has(t.lower) && used[i])) continue;
    if (AFTER_HOW.has(t.lower) && i > 0 && tokens[i - 1].lower === 'how') continue;
    const numberWord = NUMBER_WORDS.get(t.lower);
    if (numberWord && !inPhrase[i]) {
      for (const form of numberWord) {
        const digits = /^\d/.test(form);
        bag.addAlone(form, digits ? w.number : w.number / numberWord.length);
        if (!digits) bag.match(form);
      }
      continue;
    }
    const head = lexicon ? resolveHead(t.lower, lexicon) : null;
    const frame = QUESTION_FRAME_WORDS.has(head ?? t.lower);
    const unitWeights = frame ? { ...w, maxBudget: w.frameBudget } : w;
    let translated = false;
    if (lexicon && head && !inPhrase[i]) {
      const added = addTranslations(bag, lexicon.lookup(head) ?? [], unitWeights, vocabulary);
      translated = added.present;
      if (!frame) translatedSpans.push({ start: i, end: i + 1, used: added.used });
    }
    // The English word itself, for loanwords the Vietnamese text quotes. Words that
    // are also Vietnamese syllables ("can", "ban", "long") would match noise.
    const kept = head ?? simpleLemma(t.lower);
    const weight = head || inPhrase[i] ? w.englishTranslated : w.englishUnknown;
    for (const form of new Set([t.lower, kept])) {
      if (!isVietnameseSyllable(form)) keepEnglish(form, weight, translated || (inPhrase[i] && phraseFound[i]), false);
    }
    // A content word the corpus has no way to say (no translation of it, nor the word, occurs
    // there: "banh mi", "troops" in a corpus without them) still belongs to the question:
    // it stays a unit no passage covers, so the answer's confidence says what is missing.
    if (vocabulary && !inPhrase[i] && !frame) bag.absentUnless(kept);
  }

  // 4. Neighbouring translated words: Vietnamese puts the head first ("defence cooperation"
  // → "hợp tác quốc phòng", "war remnants" → "di chứng chiến tranh"), so the pair joining
  // their translations is emitted in both orders, sharing a small budget.
  bag.noUnit();
  if (w.crossPairBudget > 0) {
    const sorted = [...translatedSpans].sort((a, b) => a.start - b.start);
    for (let k = 0; k + 1 < sorted.length; k++) {
      const a = sorted[k];
      const b = sorted[k + 1];
      if (b.start !== a.end || a.used.length === 0 || b.used.length === 0) continue;
      const cross = new Set<string>();
      for (const ta of a.used) {
        for (const tb of b.used) {
          cross.add(`${tb[tb.length - 1]} ${ta[0]}`);
          cross.add(`${ta[ta.length - 1]} ${tb[0]}`);
        }
      }
      const present = vocabulary ? [...cross].filter((p) => vocabulary.has(p)) : [...cross];
      for (const p of present) bag.add(p, w.crossPairBudget / present.length);
    }
  }

  return { language: 'en', terms: bag.terms(), denseText: question, matchedTerms: bag.matched, units: bag.units() };
}
