/**
 * Ingest throughput: the whole pipeline (read + clean, chunk, lexical index, embed, HNSW insert,
 * files written) into a fresh index directory each run, so the embedding cache never hits;
 * versus transformers.js alone on the same passage texts with the same batch size, two ways:
 *
 * - its feature-extraction pipeline as a user calls it (`extractor(texts, { pooling: 'mean',
 *   normalize: true })`), whose Proxy-based pooling is slow (trichdan pools in its own loops);
 * - its tokenizer and ONNX forward pass only, no pooling: the floor any pipeline pays, and the
 *   limit the ratio is taken against.
 *
 * The bench model is usually the tiny generated one, whose forward pass is a table lookup, so
 * its rows measure the pipeline's own overhead. Rows measured with the e5-shaped generated model
 * (bench/model.ts: multilingual-e5-small's per-token matrix multiplies, random weights) give
 * the ratio with a forward pass of realistic cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { env, pipeline } from '@xenova/transformers';
import type { Config } from '../src/config.ts';
import { loadCorpus } from '../src/corpus/scan.ts';
import { indexedText, liveChunks, openIndex } from '../src/index/build.ts';
import { chunkArticle } from '../src/index/chunk.ts';
import type { Embedder } from '../src/index/embedder.ts';
import { LexicalIndex } from '../src/index/lexical.ts';
import { HnswVectorStore } from '../src/index/vector-store.ts';
import { median, rate } from './stats.ts';

/** Throughput figures for one corpus and model. */
export interface IngestResult {
  corpus: string;
  /** Model id the row was measured with (absent in runs saved before it was recorded). */
  modelId?: string;
  /** Measured with the generated model that has multilingual-e5-small's per-token matmul cost. */
  e5Shaped?: boolean;
  /** Mean tokens per passage (attention-mask sum, special tokens included) by the model's tokenizer. */
  tokensPerPassage?: number;
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
  /** The same ratio run by run (pipeline and model alone timed back to back): its spread is the noise. */
  runRatios?: number[];
  /**
   * Median wall time of transformers.js's feature-extraction pipeline with its own pooling (ms);
   * null when not measured (rows of the e5-shaped model, where it would only repeat the slow forward pass).
   */
  rawPoolingMs: number | null;
  rawPoolingChunksPerSec: number | null;
  /** pipeline chunks/s ÷ transformers.js-with-pooling chunks/s (null when not measured). */
  ratioPooling: number | null;
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
  tokenizer: (texts: string[], options: { padding: boolean; truncation: boolean }) => { attention_mask?: { data: ArrayLike<number | bigint> } };
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
  const extractor = (await pipeline('feature-extraction', config.model.id, { quantized: config.model.quantized })) as unknown as FeatureExtractor;
  // One short forward pass, as loadEmbedder's probe gives the pipeline's model: both sides start warm.
  await extractor.model(extractor.tokenizer(['warm-up'], { padding: true, truncation: true }));
  return extractor;
}

/** Mean number of tokens per text (attention-mask sum), tokenised in batches of `batch`. */
function meanTokens(extractor: FeatureExtractor, texts: string[], batch: number): number {
  let tokens = 0;
  for (let i = 0; i < texts.length; i += batch) {
    const mask = extractor.tokenizer(texts.slice(i, i + batch), { padding: true, truncation: true }).attention_mask;
    if (!mask) return Number.NaN;
    for (let k = 0; k < mask.data.length; k++) tokens += Number(mask.data[k]);
  }
  return texts.length ? tokens / texts.length : 0;
}

/** What `measureIngest` can be told besides the corpus. */
export interface IngestOptions {
  /** Also time transformers.js's own pipeline with its pooling (default true). */
  poolingBaseline?: boolean;
  /** The row is for the e5-shaped generated model (recorded in the result). */
  e5Shaped?: boolean;
  /** Time the model alone before the pipeline on the 2nd, 4th, … runs (default false: always pipeline first). */
  alternateOrder?: boolean;
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
  options: IngestOptions = {},
): Promise<IngestResult> {
  const poolingBaseline = options.poolingBaseline ?? true;
  const pipelineMs: number[] = [];
  const rawMs: number[] = [];
  const rawPoolingMs: number[] = [];
  let texts: string[] = [];
  let articles = 0;
  const extractor = await rawExtractor(config);
  const batch = config.model.batchSize;
  const timePipeline = () =>
    withTempDir(async (indexDir) => {
      const t0 = performance.now();
      const { index } = await openIndex({
        indexDir,
        corpusDir,
        chunking: config.chunking,
        embedder,
        embedderProblem: null,
        model: { quantized: config.model.quantized, prefixes: config.model.prefixes },
        hnsw: config.hnsw,
        force: true,
        progress: false,
      });
      pipelineMs.push(performance.now() - t0);
      const byId = new Map(index.articles.map((a) => [a.id, a]));
      texts = liveChunks(index).map((c) => indexedText(c, byId.get(c.articleId)!));
      articles = index.articles.length;
    });
  // What the model is given for each passage (with the E5 prefix when the model uses it).
  const modelInputs = () => texts.map((t) => (config.model.prefixes ? `passage: ${t}` : t));
  const timeRaw = async () => {
    const input = modelInputs();
    const t0 = performance.now();
    for (let i = 0; i < input.length; i += batch) {
      await extractor.model(extractor.tokenizer(input.slice(i, i + batch), { padding: true, truncation: true }));
    }
    rawMs.push(performance.now() - t0);
  };
  for (let r = 0; r < runs; r++) {
    // The 2nd, 4th, … runs time the model alone first, so that a slow spell of a shared machine does not always hit the same side.
    if (options.alternateOrder && r % 2 === 1) {
      await timeRaw();
      await timePipeline();
    } else {
      await timePipeline();
      await timeRaw();
    }
    if (!poolingBaseline) continue;
    const input = modelInputs();
    const t0 = performance.now();
    for (let i = 0; i < input.length; i += batch) await extractor(input.slice(i, i + batch), { pooling: 'mean', normalize: true });
    rawPoolingMs.push(performance.now() - t0);
  }
  const tokensPerPassage = meanTokens(extractor, modelInputs(), batch);

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
  const rawPooling = poolingBaseline ? median(rawPoolingMs) : null;
  const chunksPerSec = rate(texts.length, p);
  const rawChunksPerSec = rate(texts.length, raw);
  const rawPoolingChunksPerSec = rawPooling === null ? null : rate(texts.length, rawPooling);
  const overheadMsPerChunk = Math.max(0, (p - raw) / Math.max(1, texts.length));
  return {
    corpus,
    modelId: config.model.id,
    e5Shaped: options.e5Shaped ?? false,
    tokensPerPassage,
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
    runRatios: pipelineMs.map((ms, i) => rawMs[i] / ms),
    rawPoolingMs: rawPooling,
    rawPoolingChunksPerSec,
    ratioPooling: rawPoolingChunksPerSec === null ? null : rawPoolingChunksPerSec > 0 ? chunksPerSec / rawPoolingChunksPerSec : 0,
    stages: { loadClean, chunk, lexical, embed, hnsw },
    overheadMsPerChunk,
    ninetyPercentUpTo: overheadMsPerChunk > 0 ? 1000 / (9 * overheadMsPerChunk) : Infinity,
  };
}
