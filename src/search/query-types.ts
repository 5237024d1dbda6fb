import type { QuestionLanguage } from '../answer/types.ts';
import type { AnswerType } from './answer-type.ts';

/**
 * One weighted term of a lexical query. `text` is in the index's normalised form
 * (see `normalizeText` in src/text/normalize.ts): a single syllable/word ("biên"),
 * or two syllables joined by one space ("biên hòa") to match as an adjacent pair.
 * A term written without diacritics matches the diacritic-folded field only, unless `exact`.
 */
export interface QueryTerm {
  text: string;
  weight: number;
  /** Match as written even without diacritics (a plain syllable in a question typed with them). */
  exact?: boolean;
}

/**
 * One unit of meaning of a translated question (an English word, phrase, name, number or
 * date) and the terms that stand for it: the question is covered by a passage as far as
 * its units are, whichever of a unit's translations the passage uses.
 */
export interface QueryUnit {
  /** Ways the unit can appear: each is a list of terms that must all be present (one translation's syllable pairs). */
  alternatives: string[][];
  /** Importance against other units (1, less for question-frame words). */
  weight: number;
}

/** A question turned into what the retrievers need. */
export interface AnalyzedQuery {
  language: QuestionLanguage;
  /** Weighted terms for the lexical (BM25) side. */
  terms: QueryTerm[];
  /** Text for the dense side (the question as asked; the embedder adds its own prefix). */
  denseText: string;
  /** For English questions: the Vietnamese terms the query was translated to (shown to users). */
  matchedTerms: string[];
  /** Units of meaning, for translated questions; absent when every term is its own unit (Vietnamese). */
  units?: QueryUnit[];
  /** The kind of answer the question's wording asks for (a quantity, a time), when it says. */
  answerType?: AnswerType | null;
}

/**
 * Which terms a corpus holds (the lexical index): English translations absent from it get no
 * budget. `exact`: as written, without diacritic folding.
 */
export interface Vocabulary {
  has(term: string, exact?: boolean): boolean;
}

/** A vocabulary that also counts the passages holding a term (for grouping syllables into words). */
export interface CorpusStatistics extends Vocabulary {
  documentFrequency(term: string, exact?: boolean): number;
}
