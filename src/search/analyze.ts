import type { AnalyzedQuery, QueryTerm } from './query-types.ts';
import { tokenize } from '../text/tokens.ts';

/** Provisional analyser (Vietnamese syllables + adjacent pairs) until the language-aware one lands. */
export function analyzeQuestion(question: string, _lexicon: unknown): AnalyzedQuery {
  const tokens = tokenize(question);
  const terms: QueryTerm[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const form = (x: typeof t) => (x.norm === x.folded ? x.folded : x.norm);
    terms.push({ text: form(t), weight: 1 });
    if (i + 1 < tokens.length) terms.push({ text: `${form(t)} ${form(tokens[i + 1])}`, weight: 0.5 });
  }
  return { language: 'vi', terms, denseText: question, matchedTerms: [] };
}
