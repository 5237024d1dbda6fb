/**
 * The jobs the scale benchmark runs in child processes (bench/scale-worker.ts), one
 * process per job so each build's memory is measured on its own, and their results.
 */
import type { Config } from '../src/config.ts';
import type { LatencyResult } from './latency.ts';
import type { VectorRecipe } from './synthetic.ts';

/** Build an HNSW index over `n` synthetic vectors and search it at several efSearch values. */
export interface HnswJob {
  kind: 'hnsw';
  n: number;
  dim: number;
  m: number;
  efConstruction: number;
  efSearch: number[];
  k: number;
  /** Real sentence vectors (float32 file) the synthetic set is derived from. */
  realFile: string;
  /** Query vectors (float32 file): real question embeddings. */
  queriesFile: string;
  /** Where exact top-k for these (n, dim) data and queries is cached between jobs. */
  truthFile: string;
  recipe: VectorRecipe;
}

/** One efSearch setting of a built index. */
export interface EfResult {
  efSearch: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  recall: number;
  /** Lowest recall@k of any single query. */
  minRecall: number;
}

/** What an HNSW job measured. */
export interface HnswResult {
  kind: 'hnsw';
  n: number;
  dim: number;
  m: number;
  efConstruction: number;
  queries: number;
  buildMs: number;
  /** RSS growth over the build (the index; the JS copy of the data was made before). */
  indexRssBytes: number;
  /** Peak RSS of the whole child process. */
  peakRssBytes: number;
  /** Time to make the synthetic vectors. */
  generateMs: number;
  /** Exact brute force: median of single-query searches (ms). */
  exactMsPerQuery: number;
  /** Mean cosine of a query to its nearest and to its k-th nearest vector (how far queries sit from the data). */
  cosTop1: number;
  cosTop10: number;
  /** Whether exact top-k came from the cache of an earlier job. */
  truthCached: boolean;
  ef: EfResult[];
}

/** Query latency of the whole engine over a synthetic corpus of about `targetChunks` passages. */
export interface EndToEndJob {
  kind: 'e2e';
  targetChunks: number;
  /** The run's config (model, chunking, HNSW, lexicon). */
  config: Config;
  /** JSON file with the sentence pool ({ sentences, titles }). */
  poolFile: string;
  /** Embeddings of the pool sentences with the run's model (float32 file). */
  sentenceVectorsFile: string;
  /** JSON file with the questions to ask (strings). */
  questionsFile: string;
  count: number;
  warmup: number;
}

/** What an end-to-end job measured. */
export interface EndToEndResult {
  kind: 'e2e';
  articles: number;
  chunks: number;
  chunkMs: number;
  lexicalBuildMs: number;
  lexicalRssBytes: number;
  hnswBuildMs: number;
  hnswRssBytes: number;
  peakRssBytes: number;
  latency: LatencyResult[];
}

/** Any job / any result. */
export type ScaleJob = HnswJob | EndToEndJob;
export type ScaleResult = HnswResult | EndToEndResult;

/** Marks the result line on a worker's stdout. */
export const RESULT_PREFIX = 'TRICHDAN_BENCH_RESULT ';
