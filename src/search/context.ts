/**
 * A follow-up question asked with the context of the one before it ("còn Nga thì sao?" after a
 * question about Mỹ's defence minister): the earlier question's terms join the new one's at a
 * lower weight, so they narrow the search without outweighing what is asked now.
 */
import type { AnalyzedQuery } from './query-types.ts';
import type { QueryTerm, QueryUnit } from '../index/query-terms.ts';

/** Weight of the earlier question's terms and units against the new question's own (1). */
export const CONTEXT_WEIGHT = 0.5;

/** The key of a term in a merge: exact terms are other terms than folded ones. */
function termKey(t: QueryTerm): string {
  return t.exact ? `=${t.text}` : t.text;
}

/** Every term of a Vietnamese query as its own unit (what a query without units means). */
function termsAsUnits(terms: readonly QueryTerm[]): QueryUnit[] {
  return terms.filter((t) => !t.text.includes(' ')).map((t) => ({ alternatives: [[t.text]], weight: t.weight }));
}

/**
 * `query` with `context`'s terms (and units) added at `weight` of theirs. What the new question
 * asks for (its answer type) and its language stay; its own terms keep their weight.
 */
export function withContext(query: AnalyzedQuery, context: AnalyzedQuery, weight = CONTEXT_WEIGHT): AnalyzedQuery {
  const merged = new Map<string, QueryTerm>();
  for (const t of query.terms) merged.set(termKey(t), { ...t });
  for (const t of context.terms) {
    const key = termKey(t);
    const own = merged.get(key);
    // A word of both questions is the new question's: it already weighs fully.
    if (!own) merged.set(key, { ...t, weight: t.weight * weight });
  }
  let units = query.units;
  if (query.units || context.units) {
    const mine = query.units ?? termsAsUnits(query.terms);
    const theirs = context.units ?? termsAsUnits(context.terms);
    units = [...mine, ...theirs.map((u) => ({ ...u, weight: u.weight * weight }))];
  }
  return {
    ...query,
    terms: [...merged.values()],
    denseText: `${query.denseText} ${context.denseText}`,
    matchedTerms: [...new Set([...query.matchedTerms, ...context.matchedTerms])],
    ...(units ? { units } : {}),
  };
}
