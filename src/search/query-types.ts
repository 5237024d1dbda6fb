import type { QuestionLanguage } from '../answer/types.ts';

/**
 * One weighted term of a lexical query. `text` is in the index's normalised form
 * (see `normalizeText` in src/text/normalize.ts): a single syllable/word ("biên"),
 * or two syllables joined by one space ("biên hòa") to match as an adjacent pair.
 * A term written without diacritics matches the diacritic-folded field only.
 */
export interface QueryTerm {
  text: string;
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
}
