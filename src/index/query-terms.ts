/** What the lexical index is searched with: weighted terms, and the units of meaning they stand for. */

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
