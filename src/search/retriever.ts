import type { Chunk } from '../index/chunk-types.ts';
import type { Embedder } from '../index/embedder.ts';
import type { CoverageQuery, LexicalIndex } from '../index/lexical.ts';
import type { VectorStore } from '../index/vector-store.ts';
import type { AnalyzedQuery } from './query-types.ts';
import { LruMap } from '../lru-map.ts';
import { RERANK_BONUSES, scoreSentence, weighWithinPassage, type AnswerTypeBonuses } from './sentence-score.ts';

const byScore = (a: RankedChunk, b: RankedChunk) => b.score - a.score || b.lexicalScore - a.lexicalScore || a.doc - b.doc;

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
  /**
   * `convex`: each side's scores scaled to 0..1 (BM25 by the best one, cosine min–max over
   * the candidates), then mixed by `denseWeight`; `rrf`: reciprocal rank fusion.
   */
  fusion: 'convex' | 'rrf';
  /** Reciprocal-rank-fusion constant (60 in the original paper). */
  rrfK: number;
  /** Share of the dense side in the fused score (convex), or its reciprocal-rank weight relative to BM25's (rrf). */
  denseWeight: number;
  /** How many fused passages are re-ranked by their best sentence. */
  rerankDepth: number;
  /** Weight of the best sentence's query coverage (0..1) against the fused score (scaled to 0..1 by the top one). */
  sentenceWeight: number;
  /**
   * Added to a sentence's coverage when it holds what the question asks for (a number for
   * "bao nhiêu"/"how many", a date for "khi nào"/"when"; see src/search/sentence-score.ts).
   */
  answerTypeBonuses: AnswerTypeBonuses;
  /** Share of a Vietnamese question word's weight, in that re-ranking, taken within the passage's article ({@link ARTICLE_TOPIC_SHARE}). */
  articleTopicShare: number;
}

/**
 * Share of a question word's weight, in the re-ranking by best sentence, that follows how few of
 * its article's passages hold it (log(1 + n/df) / log(1 + n), as {@link weighWithinPassage} does
 * for a passage's sentences); the rest stays its corpus weight. An article's passages compete
 * with each other for the top, and its topic, which most of them name ("sứa lược", "bệnh dịch
 * hạch"), does not tell them apart; the words only the answering passage shares with the
 * question do. Chosen on the tuning folds (0.3–1.0, flat from 0.6 to 0.8): see README "Retrieval".
 * Vietnamese questions only: for an English one it changed nothing on XQuAD-vi (tuning folds) but
 * lost a right answer of the seed set (c31).
 */
export const ARTICLE_TOPIC_SHARE = 0.7;

/**
 * Defaults measured on XQuAD-vi dev (see README "Retrieval"). RRF discards BM25's score
 * gaps, which the sentence re-ranking needs, so scores are fused convexly.
 */
export const DEFAULT_RETRIEVER_OPTIONS: RetrieverOptions = {
  candidates: 50,
  fusion: 'convex',
  rrfK: 60,
  denseWeight: 0.5,
  rerankDepth: 20,
  sentenceWeight: 1.5,
  answerTypeBonuses: RERANK_BONUSES,
  articleTopicShare: ARTICLE_TOPIC_SHARE,
};

/** How many passages' key sets the re-weighing keeps (about a thousand keys each). */
const KEY_CACHE_CHUNKS = 512;

/** What a retrieval needs: the chunk table, the lexical index and (optionally) the dense side. */
export interface RetrievalSources {
  /** Passages by document number; undefined where an article was removed (never returned). */
  chunks: readonly (Chunk | undefined)[];
  lexical: LexicalIndex;
  vectors: VectorStore | null;
  embedder: Embedder | null;
}

/** Which sides to use: both (hybrid), or one of them (for benchmarks). */
export type RetrievalMode = 'hybrid' | 'lexical' | 'dense';

/**
 * Hybrid retrieval: BM25 over syllables and cosine over embeddings, fused by
 * reciprocal rank. Without a model (or in `lexical` mode) it is BM25 alone.
 */
export class Retriever {
  private readonly options: RetrieverOptions;
  /** Index keys of recently re-weighed passages: an article's passages recur across questions. */
  private readonly keyCache = new LruMap<Chunk, Set<string>>(KEY_CACHE_CHUNKS);

  constructor(
    private readonly sources: RetrievalSources,
    options: Partial<RetrieverOptions> = {},
  ) {
    this.options = { ...DEFAULT_RETRIEVER_OPTIONS, ...options };
  }

  /** Whether the dense side is available. */
  get hybrid(): boolean {
    return Boolean(this.sources.vectors && this.sources.embedder);
  }

  /** The best `k` passages for the query, optionally only from some articles. */
  async retrieve(
    query: AnalyzedQuery,
    k: number,
    options: { articleIds?: readonly string[]; mode?: RetrievalMode } = {},
  ): Promise<RankedChunk[]> {
    const { chunks, lexical, vectors, embedder } = this.sources;
    const allowed = options.articleIds ? new Set(options.articleIds) : null;
    // Only passages of this snapshot: removed ones are holes, and the shared vector store may
    // already hold passages of a newer snapshot (labels past the end of this table).
    const filter = (doc: number) => {
      const chunk = chunks[doc];
      return chunk !== undefined && (!allowed || allowed.has(chunk.articleId));
    };
    const mode = options.mode ?? (this.hybrid ? 'hybrid' : 'lexical');
    const n = Math.max(k, this.options.candidates);

    const lexicalHits = mode === 'dense' ? [] : lexical.search(query.terms, n, filter);

    let denseHits: { label: number; score: number }[] = [];
    if (mode !== 'lexical' && vectors && embedder && vectors.size > 0) {
      const vector = await embedder.embedQuery(query.denseText);
      denseHits = vectors.search(vector, Math.min(n, vectors.size), filter);
    }

    const fused = new Map<number, RankedChunk>();
    const entry = (doc: number) => {
      let e = fused.get(doc);
      if (!e) fused.set(doc, (e = { chunk: chunks[doc]!, doc, score: 0, lexicalScore: 0, denseScore: null }));
      return e;
    };
    const { fusion, rrfK, denseWeight } = this.options;
    const lexicalShare = denseHits.length ? 1 - denseWeight : 1;
    const topLexical = lexicalHits[0]?.score || 1;
    lexicalHits.forEach((hit, rank) => {
      const e = entry(hit.doc);
      e.lexicalScore = hit.score;
      e.score += fusion === 'rrf' ? 1 / (rrfK + rank + 1) : (lexicalShare * hit.score) / topLexical;
    });
    const maxCos = denseHits[0]?.score ?? 0;
    const minCos = denseHits[denseHits.length - 1]?.score ?? 0;
    denseHits.forEach((hit, rank) => {
      const e = entry(hit.label);
      e.denseScore = hit.score;
      const scaled = maxCos > minCos ? (hit.score - minCos) / (maxCos - minCos) : 1;
      e.score += fusion === 'rrf' ? denseWeight / (rrfK + rank + 1) : (mode === 'dense' ? 1 : denseWeight) * scaled;
    });
    const ranked = [...fused.values()].sort(byScore);
    return this.rerankBySentence(ranked, query).slice(0, k);
  }

  /**
   * A passage that holds the question's words in one sentence is a better answer than one
   * that scatters them: the top passages are re-scored with their best sentence's coverage.
   */
  private rerankBySentence(ranked: RankedChunk[], query: AnalyzedQuery): RankedChunk[] {
    const { rerankDepth, sentenceWeight, answerTypeBonuses } = this.options;
    if (sentenceWeight <= 0 || ranked.length < 2 || query.terms.length === 0) return ranked;
    const head = ranked.slice(0, rerankDepth);
    const top = head[0].score || 1;
    const lexical = this.sources.lexical;
    const prepared = lexical.prepareCoverage(query.terms, true);
    const byArticle = new Map<string, CoverageQuery>();
    // A translated question's terms are alternative translations: left as they are (seed set: an English answer lost).
    const withinArticle = query.language !== 'en' && this.options.articleTopicShare > 0;
    for (const r of head) {
      let weights = withinArticle ? byArticle.get(r.chunk.articleId) : prepared;
      if (!weights) byArticle.set(r.chunk.articleId, (weights = this.weighWithinArticle(prepared, r.doc)));
      const sentenceQuery = { lexical, prepared: weights, answerType: query.answerType ?? null };
      let best = 0;
      for (const s of r.chunk.sentences) {
        const text = r.chunk.text.slice(s.start - r.chunk.start, s.end - r.chunk.start);
        best = Math.max(best, scoreSentence(text, sentenceQuery, answerTypeBonuses));
      }
      r.score = r.score / top + sentenceWeight * best;
    }
    return [...head.sort(byScore), ...ranked.slice(rerankDepth)];
  }

  /** Every index key a passage holds (`LexicalIndex.textKeys`), kept for the most recent passages. */
  private keysOf(chunk: Chunk): Set<string> {
    let keys = this.keyCache.get(chunk);
    if (!keys) this.keyCache.set(chunk, (keys = this.sources.lexical.textKeys(chunk.text)));
    return keys;
  }

  /**
   * The question's weights for the passages of the article of passage `doc`: each word's weight
   * is {@link ARTICLE_TOPIC_SHARE} its weight within the article (how few of its passages hold
   * it) and the rest its corpus weight. An article's passages are consecutive documents.
   */
  private weighWithinArticle(prepared: CoverageQuery, doc: number): CoverageQuery {
    const { chunks } = this.sources;
    const articleId = chunks[doc]!.articleId;
    let first = doc;
    while (first > 0 && chunks[first - 1]?.articleId === articleId) first--;
    let last = doc;
    while (last + 1 < chunks.length && chunks[last + 1]?.articleId === articleId) last++;
    const found: Set<string>[] = [];
    const wanted = [...prepared.keys.keys()];
    for (let d = first; d <= last; d++) {
      const held = this.keysOf(chunks[d]!);
      found.push(new Set(wanted.filter((key) => held.has(key))));
    }
    const local = weighWithinPassage(prepared, found);
    const keys = new Map<string, number>();
    let total = 0;
    const share = this.options.articleTopicShare;
    for (const [key, weight] of prepared.keys) {
      const mixed = share * local.keys.get(key)! + (1 - share) * weight;
      keys.set(key, mixed);
      total += mixed;
    }
    return { ...prepared, keys, total };
  }
}
