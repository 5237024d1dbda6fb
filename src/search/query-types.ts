import type { Language } from '../text/language.ts';
import type { AnswerType } from './answer-type.ts';
import type { QueryTerm, QueryUnit } from '../index/query-terms.ts';

/** A question turned into what the retrievers need. */
export interface AnalyzedQuery {
  language: Language;
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
