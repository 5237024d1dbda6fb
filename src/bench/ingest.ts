/**
 * Ingest throughput: the whole pipeline (read + clean, chunk, lexical index, embed, HNSW insert,
 * files written) into a fresh index directory each run, so the embedding cache never hits;
 * versus transformers.js alone on the same passage texts with the same batch size, two ways:
 *
 * - its feature-extraction pipeline as a user calls it (`extractor(texts, { pooling: 'mean',
 *   normalize: true })`), whose Proxy-based pooling is slow (trichdan pools in its own loops);
 * - its tokenizer and ONNX forward pass only, no pooling: the floor any pipeline pays, and the
 *   limit the ratio is taken against.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { env, pipeline } from '@xenova/transformers';
import type { Config } from '../config.ts';
import { loadCorpus } from '../corpus/load.ts';
import { indexedText, openIndex } from '../index/build.ts';
import { chunkArticle } from '../index/chunk.ts';
import type { Embedder } from '../index/embedder.ts';
import { LexicalIndex } from '../index/lexical.ts';
import { HnswVectorStore } from '../index/vector-store.ts';
import { median, rate } from './stats.ts';

/** Throughput figures for one corpus. */
export interface IngestResult {
  corpus: string;
  articles: number;
  chunks: number;
  /** Characters of passage text embedded. */
  chars: number;
  batchSize: number;
  runs: number;
  /** Median wall time of the whole pipeline (ms). */
  pipelineMs: number;
  articlesPerSec: number;
  chunksPerSec: number;
  /** Median wall time of transformers.js's tokenizer + forward pass alone on the same texts (ms). */
  rawMs: number;
  rawChunksPerSec: number;
  /** pipeline chunks/s ÷ raw (tokenizer + forward) chunks/s. */
  ratio: number;
  /** Median wall time of transformers.js's feature-extraction pipeline with its own pooling (ms). */
  rawPoolingMs: number;
  rawPoolingChunksPerSec: number;
  /** pipeline chunks/s ÷ transformers.js-with-pooling chunks/s. */
  ratioPooling: number;
  /** Each stage timed on its own (one pass, ms). */
  stages: { loadClean: number; chunk: number; lexical: number; embed: number; hnsw: number };
  /** Pipeline time per passage that is not embedding (ms): what keeps the ratio below 1. */
  overheadMsPerChunk: number;
  /**
   * The raw model throughput (passages/s) up to which the pipeline stays at ≥ 90 % of it,
   * given the measured non-embedding overhead: 1 / (9 × overhead).
   */
  ninetyPercentUpTo: number;
}

/** A transformers.js feature-extraction pipeline, and the tokenizer and model inside it. */
interface FeatureExtractor {
  (texts: string[], options: { pooling: 'mean'; normalize: boolean }): Promise<unknown>;
  tokenizer: (texts: string[], options: { padding: boolean; truncation: boolean }) => unknown;
  model: (inputs: unknown) => Promise<unknown>;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trichdan-bench-ingest-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** transformers.js's own pipeline for the configured model (no trichdan code in the loop). */
async function rawExtractor(config: Config): Promise<FeatureExtractor> {
  env.localModelPath = config.model.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.useBrowserCache = false;
  return (await pipeline('feature-extraction', config.model.id, { quantized: config.model.quantized })) as unknown as FeatureExtractor;
}

/**
 * Measures `corpusDir`'s ingest `runs` times (median) with `embedder` (already loaded: model
 * load time is not ingest) and transformers.js alone on the same texts.
 */
export async function measureIngest(
  config: Config,
  embedder: Embedder,
  corpus: string,
  corpusDir: string,
  runs: number,
): Promise<IngestResult> {
  const pipelineMs: number[] = [];
  const rawMs: number[] = [];
  const rawPoolingMs: number[] = [];
  let texts: string[] = [];
  let articles = 0;
  const extractor = await rawExtractor(config);
  const batch = config.model.batchSize;
  for (let r = 0; r < runs; r++) {
    await withTempDir(async (indexDir) => {
      const t0 = performance.now();
      const loaded = await loadCorpus(corpusDir);
      const index = await openIndex({
        indexDir,
        articles: loaded.articles,
        chunking: config.chunking,
        embedder,
        embedderProblem: null,
        model: { quantized: config.model.quantized, prefixes: config.model.prefixes },
        hnsw: config.hnsw,
        force: true,
        progress: false,
      });
      pipelineMs.push(performance.now() - t0);
      const byId = new Map(loaded.articles.map((a) => [a.id, a]));
      texts = index.chunks.map((c) => indexedText(c, byId.get(c.articleId)!));
      articles = loaded.articles.length;
    });
    const input = texts.map((t) => (config.model.prefixes ? `passage: ${t}` : t));
    let t0 = performance.now();
    for (let i = 0; i < input.length; i += batch) {
      await extractor.model(extractor.tokenizer(input.slice(i, i + batch), { padding: true, truncation: true }));
    }
    rawMs.push(performance.now() - t0);
    t0 = performance.now();
    for (let i = 0; i < input.length; i += batch) await extractor(input.slice(i, i + batch), { pooling: 'mean', normalize: true });
    rawPoolingMs.push(performance.now() - t0);
  }

  // Each stage on its own, for the breakdown.
  let t = performance.now();
  const loaded = await loadCorpus(corpusDir);
  const loadClean = performance.now() - t;
  t = performance.now();
  const chunks = loaded.articles.flatMap((a) => chunkArticle(a.id, a.text, config.chunking));
  const chunk = performance.now() - t;
  const byId = new Map(loaded.articles.map((a) => [a.id, a]));
  const stageTexts = chunks.map((c) => indexedText(c, byId.get(c.articleId)!));
  t = performance.now();
  LexicalIndex.build(stageTexts);
  const lexical = performance.now() - t;
  t = performance.now();
  const vectors = await embedder.embedPassages(stageTexts);
  const embed = performance.now() - t;
  t = performance.now();
  const store = new HnswVectorStore(embedder.dimension, config.hnsw, Math.max(1, vectors.length));
  store.add(vectors, vectors.map((_, i) => i));
  const hnsw = performance.now() - t;

  const p = median(pipelineMs);
  const raw = median(rawMs);
  const rawPooling = median(rawPoolingMs);
  const chunksPerSec = rate(texts.length, p);
  const rawChunksPerSec = rate(texts.length, raw);
  const rawPoolingChunksPerSec = rate(texts.length, rawPooling);
  const overheadMsPerChunk = Math.max(0, (p - raw) / Math.max(1, texts.length));
  return {
    corpus,
    articles,
    chunks: texts.length,
    chars: texts.reduce((s, x) => s + x.length, 0),
    batchSize: batch,
    runs,
    pipelineMs: p,
    articlesPerSec: rate(articles, p),
    chunksPerSec,
    rawMs: raw,
    rawChunksPerSec,
    ratio: rawChunksPerSec > 0 ? chunksPerSec / rawChunksPerSec : 0,
    rawPoolingMs: rawPooling,
    rawPoolingChunksPerSec,
    ratioPooling: rawPoolingChunksPerSec > 0 ? chunksPerSec / rawPoolingChunksPerSec : 0,
    stages: { loadClean, chunk, lexical, embed, hnsw },
    overheadMsPerChunk,
    ninetyPercentUpTo: overheadMsPerChunk > 0 ? 1000 / (9 * overheadMsPerChunk) : Infinity,
  };
}
