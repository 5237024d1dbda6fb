import { hasVietnameseDiacritics, normalizeFolded } from '../text/normalize.ts';
import { tokenize } from '../text/tokens.ts';
import { PostingsStore } from './postings.ts';
import type { QueryTerm, QueryUnit } from './query-terms.ts';

/**
 * BM25 over Vietnamese syllables, with four "fields" kept in one postings map:
 * exact syllables (`e:`), diacritic-folded syllables (`f:`), and the same two for
 * adjacent syllable pairs (`E:`, `F:`), so "biên hòa" as a pair outranks the two
 * syllables scattered in a passage.
 *
 * A query term written with diacritics matches the exact field; one written without
 * (a question typed without diacritics, an English name, a number) matches the folded
 * field, which is how "bien hoa" finds "Biên Hòa", unless it is marked `exact` (a plain
 * syllable in a question typed with diacritics: there "sang" means "sang", not "sàng").
 *
 * Hand-written rather than a library because queries are weighted term lists
 * (Pirkola-style structured queries for English) and coverage is needed for abstention;
 * MiniSearch and Orama are measured side by side in `npm run bench`.
 */
export interface LexicalHit {
  doc: number;
  score: number;
}

/** A query prepared for coverage checks (see `LexicalIndex.prepareCoverage`). */
export interface CoverageQuery {
  /** Index key → idf × weight. */
  keys: Map<string, number>;
  total: number;
  /** First syllables of pair terms (so pairs are only built where one can match). */
  firstSyllables: Set<string>;
  /** When set, coverage counts these units (each matched by any of its keys) instead of single terms. */
  units?: { alternatives: string[][]; weight: number }[];
}

/** BM25 parameters: k1 1.2, b 0.5 (XQuAD-vi R@1 is flat within ±0.005 for k1 0.9–1.5, b 0.4–0.75; see README). */
export interface Bm25Params {
  k1: number;
  b: number;
}

const DEFAULT_PARAMS: Bm25Params = { k1: 1.2, b: 0.5 };

/** The index key a query term is looked up under (`exact`: the exact field even without diacritics). */
export function queryKey(term: string, exact = false): string {
  const pair = term.includes(' ');
  if (exact || hasVietnameseDiacritics(term)) return `${pair ? 'E' : 'e'}:${term}`;
  return `${pair ? 'F' : 'f'}:${normalizeFolded(term)}`;
}

/**
 * One immutable part of the lexical index: the postings of documents `base … base + count - 1`
 * (global document numbers; a document with length 0 is a hole left by a removed article).
 * New articles arrive as new segments, so adding one never rewrites the others.
 */
export class LexicalSegment {
  constructor(
    readonly base: number,
    readonly store: PostingsStore,
    readonly lengths: Float32Array,
  ) {}

  /** Indexes `texts` as documents `base`, `base + 1`, … (an empty text is a hole). */
  static build(texts: readonly string[], base = 0): LexicalSegment {
    const { store, lengths } = PostingsStore.build(texts);
    return new LexicalSegment(base, store, lengths);
  }

  get count(): number {
    return this.lengths.length;
  }
}

/**
 * A BM25 index over passages, made of segments (document numbers are global). Statistics
 * (document frequencies, average length) are summed over the segments, so scores are the
 * same as one index over the same documents; removed documents are filtered out by the caller
 * and still count in the statistics until the segments are rebuilt (as in Lucene).
 */
export class LexicalIndex {
  /** One past the highest document number. */
  readonly size: number;
  /** Per document: k1 · (1 − b + b · length / average length), the BM25 length normalisation. */
  private readonly norms: Float32Array;
  /** Score accumulator reused by every search (cleared through the touched list). */
  private readonly scores: Float64Array;

  private constructor(
    readonly segments: readonly LexicalSegment[],
    private readonly params: Bm25Params,
  ) {
    this.size = segments.reduce((max, s) => Math.max(max, s.base + s.count), 0);
    const lengths = new Float32Array(this.size);
    let total = 0;
    let documents = 0;
    for (const s of segments) {
      lengths.set(s.lengths, s.base);
      for (const l of s.lengths) if (l > 0) (total += l), documents++;
    }
    const avg = documents ? total / documents : 1;
    this.norms = lengths.map((l) => params.k1 * (1 - params.b + (params.b * l) / avg));
    this.scores = new Float64Array(this.size);
  }

  /** Indexes `texts`; document `i` is `texts[i]`. */
  static build(texts: readonly string[], params: Bm25Params = DEFAULT_PARAMS): LexicalIndex {
    return new LexicalIndex([LexicalSegment.build(texts)], params);
  }

  /** An index over these segments (shared, not copied: segments never change). */
  static fromSegments(segments: readonly LexicalSegment[], params: Bm25Params = DEFAULT_PARAMS): LexicalIndex {
    return new LexicalIndex([...segments].sort((a, b) => a.base - b.base), params);
  }

  /** Inverse document frequency of a query term (BM25+ style, never negative). Unknown terms get the rarest value. */
  idf(term: string, exact = false): number {
    return this.idfOfKey(queryKey(term, exact));
  }

  /** How many passages contain the term. */
  documentFrequency(term: string, exact = false): number {
    return this.frequencyOfKey(queryKey(term, exact));
  }

  private frequencyOfKey(key: string): number {
    let df = 0;
    for (const s of this.segments) df += s.store.documentFrequency(key);
    return df;
  }

  private idfOfKey(key: string): number {
    return this.idfOfFrequency(this.frequencyOfKey(key));
  }

  private idfOfFrequency(df: number): number {
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** Whether any passage contains the term (`exact`: as written, without diacritic folding). */
  has(term: string, exact = false): boolean {
    const key = queryKey(term, exact);
    return this.segments.some((s) => s.store.list(key) >= 0);
  }

  /**
   * Prepares a query for repeated {@link coverage} checks: each distinct term with its
   * index key and its weight (idf × query weight). Pairs are left out unless `pairs` is set.
   */
  prepareCoverage(terms: readonly QueryTerm[], pairs = false, units?: readonly QueryUnit[]): CoverageQuery {
    const keys = new Map<string, number>();
    let total = 0;
    for (const { key, weight } of merge(terms)) {
      if (!pairs && (key[0] === 'E' || key[0] === 'F')) continue;
      const w = this.idfOfKey(key) * weight;
      keys.set(key, w);
      total += w;
    }
    let preparedUnits: CoverageQuery['units'];
    if (units?.length) {
      // A unit weighs as much as its rarest term the corpus has (fully, when it has none),
      // and is covered by a passage that holds one of its alternatives whole.
      preparedUnits = units.map((u) => {
        const terms = u.alternatives.flat();
        const known = terms.filter((t) => this.has(t));
        const idf = known.length ? Math.max(...known.map((t) => this.idf(t))) : this.idf('\u0000');
        for (const t of terms) if (!keys.has(queryKey(t))) keys.set(queryKey(t), 0);
        return { alternatives: u.alternatives.map((a) => a.map((t) => queryKey(t))), weight: u.weight * idf };
      });
      total = preparedUnits.reduce((sum, u) => sum + u.weight, 0);
    }
    const firstSyllables = new Set<string>();
    for (const key of keys.keys()) if (key[0] === 'E' || key[0] === 'F') firstSyllables.add(key.slice(2, key.indexOf(' ')));
    return { keys, total, firstSyllables, units: preparedUnits };
  }

  /**
   * How much of the query a text covers, weighted by rarity: the idf·weight of the
   * query terms the text contains over that of all query terms (terms the corpus
   * never uses count fully against it).
   */
  coverage(text: string, query: CoverageQuery | readonly QueryTerm[]): { matched: number; total: number; ratio: number } {
    const q = Array.isArray(query) ? this.prepareCoverage(query as readonly QueryTerm[]) : (query as CoverageQuery);
    return this.coverageOfKeys(this.matchedKeys(text, q), q);
  }

  /** {@link coverage} of a text whose matched keys are known (`matchedKeys`, or a set built from them). */
  coverageOfKeys(found: ReadonlySet<string>, q: CoverageQuery): { matched: number; total: number; ratio: number } {
    let matched = 0;
    if (q.units) {
      for (const u of q.units) if (u.alternatives.some((a) => a.every((k) => found.has(k)))) matched += u.weight;
    } else {
      for (const key of found) matched += q.keys.get(key)!;
    }
    return { matched, total: q.total, ratio: q.total > 0 ? matched / q.total : 0 };
  }

  /**
   * Every index key a text holds, whatever the query: each syllable exact and folded, each adjacent
   * pair likewise (`matchedKeys` of any query is the part of these that the query has).
   */
  textKeys(text: string): Set<string> {
    const keys = new Set<string>();
    const tokens = tokenize(text);
    tokens.forEach((t, i) => {
      keys.add(`e:${t.norm}`).add(`f:${t.folded}`);
      const n = tokens[i + 1];
      if (n) keys.add(`E:${t.norm} ${n.norm}`).add(`F:${t.folded} ${n.folded}`);
    });
    return keys;
  }

  /** The keys of a prepared query that a text contains. */
  matchedKeys(text: string, q: CoverageQuery): Set<string> {
    const tokens = tokenize(text);
    const found = new Set<string>();
    const look = (key: string) => {
      if (q.keys.has(key)) found.add(key);
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      look(`e:${t.norm}`);
      look(`f:${t.folded}`);
      const n = tokens[i + 1];
      if (!n) continue;
      if (q.firstSyllables.has(t.norm)) look(`E:${t.norm} ${n.norm}`);
      if (q.firstSyllables.has(t.folded)) look(`F:${t.folded} ${n.folded}`);
    }
    return found;
  }

  /** Top-`k` passages by weighted BM25; `filter` keeps only the documents it accepts. */
  search(terms: readonly QueryTerm[], k: number, filter?: (doc: number) => boolean): LexicalHit[] {
    const { scores, norms } = this;
    const k1plus1 = this.params.k1 + 1;
    const touched: number[] = [];
    for (const term of merge(terms)) {
      const lists = this.segments.map((s) => s.store.list(term.key));
      let df = 0;
      this.segments.forEach((s, n) => {
        if (lists[n] >= 0) df += s.store.offsets[lists[n] + 1] - s.store.offsets[lists[n]];
      });
      if (df === 0) continue;
      const weight = this.idfOfFrequency(df) * term.weight * k1plus1;
      this.segments.forEach((segment, n) => {
        const list = lists[n];
        if (list < 0) return;
        const { offsets, docs, tfs } = segment.store;
        const base = segment.base;
        for (let i = offsets[list], end = offsets[list + 1]; i < end; i++) {
          const doc = base + docs[i];
          const tf = tfs[i];
          if (scores[doc] === 0) touched.push(doc);
          scores[doc] += (weight * tf) / (tf + norms[doc]);
        }
      });
    }
    const top = new TopK(k);
    for (const doc of touched) {
      const score = scores[doc];
      scores[doc] = 0;
      if (score > 0 && (!filter || filter(doc))) top.offer(doc, score);
    }
    return top.sorted();
  }
}

/** The `k` best (doc, score) pairs seen, kept in a small min-heap (no sort of every match). */
class TopK {
  private readonly heap: LexicalHit[] = [];
  constructor(private readonly k: number) {}

  /** Worse first: lower score, or the same score and a later document. */
  private static worse(a: LexicalHit, b: LexicalHit): boolean {
    return a.score < b.score || (a.score === b.score && a.doc > b.doc);
  }

  offer(doc: number, score: number): void {
    const h = this.heap;
    if (this.k <= 0) return;
    const hit = { doc, score };
    if (h.length < this.k) {
      h.push(hit);
      for (let i = h.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!TopK.worse(h[i], h[parent])) break;
        [h[i], h[parent]] = [h[parent], h[i]];
        i = parent;
      }
      return;
    }
    if (!TopK.worse(h[0], hit)) return;
    h[0] = hit;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && TopK.worse(h[l], h[m])) m = l;
      if (r < h.length && TopK.worse(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  sorted(): LexicalHit[] {
    return [...this.heap].sort((x, y) => y.score - x.score || x.doc - y.doc);
  }
}

/** Adds up the weights of repeated terms so a term asked twice counts once, with both weights. */
function merge(terms: readonly QueryTerm[]): { key: string; weight: number }[] {
  const byKey = new Map<string, { key: string; weight: number }>();
  for (const t of terms) {
    if (!(t.weight > 0) || !t.text) continue;
    const key = queryKey(t.text, t.exact);
    const seen = byKey.get(key);
    if (seen) seen.weight += t.weight;
    else byKey.set(key, { key, weight: t.weight });
  }
  return [...byKey.values()];
}
