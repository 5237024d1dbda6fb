import type { Chunk } from '../index/chunk-types.ts';
import type { Embedder } from '../index/embedder.ts';
import type { LexicalIndex } from '../index/lexical.ts';
import type { VectorStore } from '../index/vector-store.ts';
import type { AnalyzedQuery } from './query-types.ts';

/** A passage with its fused score and where it ranked on each side. */
export interface RankedChunk {
  chunk: Chunk;
  /** Position in `chunks` (the document number of both indexes). */
  doc: number;
  score: number;
  lexicalScore: number;
  /** Cosine similarity on the dense side, or null when it did not retrieve the passage. */
  denseScore: number | null;
}

/** How the two sides are fused. */
export interface RetrieverOptions {
  /** How many candidates each side contributes before fusion. */
  candidates: number;
  /** Reciprocal-rank-fusion constant (60 in the original paper). */
  rrfK: number;
  /** Weight of the dense side's reciprocal rank relative to the lexical side's. */
  denseWeight: number;
}

export const DEFAULT_RETRIEVER_OPTIONS: RetrieverOptions = { candidates: 50, rrfK: 60, denseWeight: 1 };

/** What a retrieval needs: the chunk table, the lexical index and (optionally) the dense side. */
export interface RetrievalSources {
  chunks: readonly Chunk[];
  lexical: LexicalIndex;
  vectors: VectorStore | null;
  embedder: Embedder | null;
}

/** Which sides to use: both (hybrid), or one of them (for benchmarks). */
export type RetrievalMode = 'hybrid' | 'lexical' | 'dense';

/** Time spent in each step of one retrieval, in milliseconds (for `npm run bench`). */
export interface RetrievalTimings {
  embedMs: number;
  searchMs: number;
}

/**
 * Hybrid retrieval: BM25 over syllables and cosine over embeddings, fused by
 * reciprocal rank. Without a model (or in `lexical` mode) it is BM25 alone.
 */
export class Retriever {
  constructor(
    private readonly sources: RetrievalSources,
    private readonly options: RetrieverOptions = DEFAULT_RETRIEVER_OPTIONS,
  ) {}

  /** Whether the dense side is available. */
  get hybrid(): boolean {
    return Boolean(this.sources.vectors && this.sources.embedder);
  }

  /** The best `k` passages for the query, optionally only from some articles. */
  async retrieve(
    query: AnalyzedQuery,
    k: number,
    options: { articleIds?: readonly string[]; mode?: RetrievalMode; timings?: RetrievalTimings } = {},
  ): Promise<RankedChunk[]> {
    const { chunks, lexical, vectors, embedder } = this.sources;
    const allowed = options.articleIds ? new Set(options.articleIds) : null;
    const filter = allowed ? (doc: number) => allowed.has(chunks[doc].articleId) : undefined;
    const mode = options.mode ?? (this.hybrid ? 'hybrid' : 'lexical');
    const n = Math.max(k, this.options.candidates);

    let t0 = performance.now();
    const lexicalHits = mode === 'dense' ? [] : lexical.search(query.terms, n, filter);
    let searchMs = performance.now() - t0;

    let denseHits: { label: number; score: number }[] = [];
    let embedMs = 0;
    if (mode !== 'lexical' && vectors && embedder && vectors.size > 0) {
      t0 = performance.now();
      const vector = await embedder.embedQuery(query.denseText);
      embedMs = performance.now() - t0;
      t0 = performance.now();
      denseHits = vectors.search(vector, Math.min(n, vectors.size), filter);
      searchMs += performance.now() - t0;
    }
    if (options.timings) {
      options.timings.embedMs += embedMs;
      options.timings.searchMs += searchMs;
    }

    const fused = new Map<number, RankedChunk>();
    const entry = (doc: number) => {
      let e = fused.get(doc);
      if (!e) fused.set(doc, (e = { chunk: chunks[doc], doc, score: 0, lexicalScore: 0, denseScore: null }));
      return e;
    };
    const { rrfK, denseWeight } = this.options;
    lexicalHits.forEach((hit, rank) => {
      const e = entry(hit.doc);
      e.lexicalScore = hit.score;
      e.score += 1 / (rrfK + rank + 1);
    });
    denseHits.forEach((hit, rank) => {
      const e = entry(hit.label);
      e.denseScore = hit.score;
      e.score += denseWeight / (rrfK + rank + 1);
    });
    return [...fused.values()].sort((a, b) => b.score - a.score || b.lexicalScore - a.lexicalScore || a.doc - b.doc).slice(0, k);
  }
}
