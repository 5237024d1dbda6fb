import type { CoverageQuery, LexicalIndex } from '../index/lexical.ts';
import { holdsAnswerType, type AnswerType } from './answer-type.ts';

/**
 * What a sentence gains, as a share of the question's weight, when it holds what the
 * question asks for (see src/search/answer-type.ts).
 */
export interface AnswerTypeBonuses {
  /** A number for a "how many" question, a date or year for a "when" question. */
  quantityOrTime: number;
  /** A name the question does not use, for a "who" or "where" question (looked for only with `newName`). */
  name: number;
}

/**
 * Re-ranking passages by their best sentence (src/search/retriever.ts): the bonus is added to
 * a passage's score next to BM25 and cosine, so it stays small (+0.1: XQuAD-vi R@1 en 0.831 →
 * 0.840, see README "Retrieval"), and names are not looked for.
 */
export const RERANK_BONUSES: AnswerTypeBonuses = { quantityOrTime: 0.1, name: 0 };

/**
 * Picking the quoted sentence inside one passage (src/answer/compose.ts): only the passage's
 * sentences compete, so between two that repeat the question's words the one with the amount,
 * the date or a name the question does not use is the answer (+0.2 each, measured at quote
 * level on XQuAD-vi; names: tuning folds vi 0.841 → 0.846, no diacritics 0.829 → 0.846,
 * held-out folds no diacritics 0.829 → 0.833).
 */
export const QUOTE_BONUSES: AnswerTypeBonuses = { quantityOrTime: 0.2, name: 0.2 };

/** The question as a sentence is scored against it. */
export interface SentenceQuery {
  lexical: LexicalIndex;
  /** The question's weighted terms (`LexicalIndex.prepareCoverage`). */
  prepared: CoverageQuery;
  answerType: AnswerType | null;
  /** Whether a capitalised word is a name the question does not use (needed for the name bonus). */
  newName?: (word: string) => boolean;
}

/**
 * How well one sentence answers the question: the share of the question's (rarity-weighted)
 * words it holds (0..1), plus the answer-type bonus when it holds what the question asks for.
 * A sentence holding none of the question's words scores 0, whatever it holds. `ratio`, when
 * given, is that share already counted by the caller.
 */
export function scoreSentence(
  text: string,
  query: SentenceQuery,
  bonuses: AnswerTypeBonuses,
  ratio = query.lexical.coverage(text, query.prepared).ratio,
): number {
  const type = query.answerType;
  if (ratio <= 0 || !type) return ratio;
  const bonus = type === 'person' || type === 'place' ? bonuses.name : bonuses.quantityOrTime;
  return bonus !== 0 && holdsAnswerType(text, type, query.newName) ? ratio + bonus : ratio;
}

/**
 * The question's term weights re-weighed for choosing among one passage's sentences: a term
 * found in `df` of its `n` sentences keeps the share log(1 + n/df) / log(1 + n) of its weight
 * (1 when only one sentence, or none, holds it). The passage's topic, which most sentences
 * name ("Warsaw", "Sky+ HD"), then counts less than the words only the answering sentence
 * shares with the question (held-out folds, quote level: vi 0.868 → 0.875).
 */
export function weighWithinPassage(prepared: CoverageQuery, matchedPerSentence: readonly Set<string>[]): CoverageQuery {
  const n = matchedPerSentence.length;
  if (n < 2) return prepared;
  const keys = new Map<string, number>();
  let total = 0;
  for (const [key, weight] of prepared.keys) {
    const df = Math.max(1, matchedPerSentence.filter((found) => found.has(key)).length);
    const local = (weight * Math.log(1 + n / df)) / Math.log(1 + n);
    keys.set(key, local);
    total += local;
  }
  return { ...prepared, keys, total };
}
