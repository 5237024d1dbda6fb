/**
 * Child-process entry of the scale benchmark: runs one job (argv[2] is a JSON file holding a
 * `ScaleJob`) and prints one `RESULT_PREFIX` line with the `ScaleResult`. Progress goes to stderr.
 * Run as `node --import tsx bench/scale-worker.ts job.json` from the project root.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Article } from '../src/corpus/article.ts';
import { RetrievalEngine } from '../src/engine.ts';
import { indexedText, type LoadedIndex } from '../src/index/build.ts';
import { chunkArticle } from '../src/index/chunk.ts';
import type { Chunk } from '../src/index/chunk-types.ts';
import { loadEmbedder } from '../src/index/embedder.ts';
import { LexicalIndex } from '../src/index/lexical.ts';
import { INDEX_FORMAT_VERSION } from '../src/index/manifest.ts';
import { HnswVectorStore } from '../src/index/vector-store.ts';
import { loadLexicon, type Lexicon } from '../src/search/lexicon.ts';
import { measureLatency } from './latency.ts';
import {
  RESULT_PREFIX,
  type EfResult,
  type EndToEndJob,
  type EndToEndResult,
  type HnswJob,
  type HnswResult,
  type ScaleJob,
} from './scale-jobs.ts';
import { median, percentile, recallAtK } from './stats.ts';
import {
  exactTopK,
  loadFloats,
  passageVector,
  rows,
  syntheticArticles,
  syntheticVectors,
  type SentencePool,
} from './synthetic.ts';

const say = (line: string) => process.stderr.write(`  ${line}\n`);
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** Adds rows in slices so no giant array of views is alive at once. */
function addAll(store: HnswVectorStore, data: Float32Array, dim: number): void {
  const n = data.length / dim;
  const step = 10_000;
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step);
    const labels: number[] = [];
    for (let i = from; i < to; i++) labels.push(i);
    store.add(rows(data, dim, from, to), labels);
  }
}

async function runHnsw(job: HnswJob): Promise<HnswResult> {
  const { n, dim, k } = job;
  const real = await loadFloats(job.realFile);
  const queries = await loadFloats(job.queriesFile);
  const q = queries.length / dim;
  let t = performance.now();
  const data = syntheticVectors(real, dim, n, job.recipe);
  const generateMs = performance.now() - t;

  let truth: number[][];
  const truthCached = existsSync(job.truthFile);
  if (truthCached) truth = JSON.parse(await readFile(job.truthFile, 'utf8')) as number[][];
  else {
    say(`exact top-${k} for ${q} queries over ${n.toLocaleString('en')} vectors…`);
    truth = exactTopK(data, dim, queries, k);
    await writeFile(job.truthFile, JSON.stringify(truth));
  }
  const dot = (a: number, label: number) => {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += queries[a * dim + j] * data[label * dim + j];
    return sum;
  };
  let cosTop1 = 0;
  let cosTop10 = 0;
  for (let a = 0; a < q; a++) {
    cosTop1 += dot(a, truth[a][0]) / q;
    cosTop10 += dot(a, truth[a][truth[a].length - 1]) / q;
  }
  const single: number[] = [];
  for (let i = 0; i < Math.min(5, q); i++) {
    t = performance.now();
    exactTopK(data, dim, queries.subarray(i * dim, (i + 1) * dim), k);
    single.push(performance.now() - t);
  }

  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  say(`HNSW build: ${n.toLocaleString('en')} × ${dim}, M=${job.m}, efConstruction=${job.efConstruction}…`);
  t = performance.now();
  const store = new HnswVectorStore(dim, { m: job.m, efConstruction: job.efConstruction, efSearch: job.efSearch[0] }, n);
  addAll(store, data, dim);
  const buildMs = performance.now() - t;
  global.gc?.();
  const indexRssBytes = process.memoryUsage().rss - rss0;

  const ef: EfResult[] = [];
  const queryRows = rows(queries, dim);
  for (const efSearch of job.efSearch) {
    store.setEfSearch(efSearch);
    for (let i = 0; i < Math.min(20, q); i++) store.search(queryRows[i], k);
    const times: number[] = [];
    const recalls: number[] = [];
    for (let i = 0; i < q; i++) {
      const t0 = performance.now();
      const hits = store.search(queryRows[i], k);
      times.push(performance.now() - t0);
      recalls.push(recallAtK(hits.map((h) => h.label), truth[i], k));
    }
    ef.push({
      efSearch,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      p99Ms: percentile(times, 99),
      recall: recalls.reduce((s, r) => s + r, 0) / recalls.length,
      minRecall: Math.min(...recalls),
    });
  }
  return {
    kind: 'hnsw',
    n,
    dim,
    m: job.m,
    efConstruction: job.efConstruction,
    queries: q,
    buildMs,
    indexRssBytes,
    peakRssBytes: peakRss(),
    generateMs,
    exactMsPerQuery: median(single),
    cosTop1,
    cosTop10,
    truthCached,
    ef,
  };
}

async function runEndToEnd(job: EndToEndJob): Promise<EndToEndResult> {
  const { config } = job;
  const pool = JSON.parse(await readFile(job.poolFile, 'utf8')) as SentencePool;
  const sentenceVectors = await loadFloats(job.sentenceVectorsFile);
  const questions = JSON.parse(await readFile(job.questionsFile, 'utf8')) as string[];
  const loaded = await loadEmbedder({
    modelId: config.model.id,
    modelsDir: config.model.modelsDir,
    quantized: config.model.quantized,
    allowRemote: false,
    prefixes: config.model.prefixes,
    batchSize: config.model.batchSize,
    timeoutMs: 120_000,
  });
  if (!loaded.ok) throw new Error(loaded.problem);
  const embedder = loaded.embedder;
  const dim = embedder.dimension;

  // Articles of about 2.2 chunks' worth of text; as many as it takes to reach the target.
  say(`synthetic corpus of ~${job.targetChunks.toLocaleString('en')} passages…`);
  let t = performance.now();
  const perArticle = Math.round(config.chunking.maxChars * 2.2);
  const sample = syntheticArticles(pool, 200, perArticle, 1);
  const sampleChunks = sample.reduce((s, a) => s + chunkArticle(a.article.id, a.article.text, config.chunking).length, 0);
  const count = Math.ceil((1.05 * job.targetChunks * sample.length) / Math.max(1, sampleChunks));
  const synthetic = syntheticArticles(pool, count, perArticle, 3);
  const chunks: Chunk[] = [];
  const chunkVectors: Float32Array[] = [];
  for (const syn of synthetic) {
    for (const c of chunkArticle(syn.article.id, syn.article.text, config.chunking)) {
      if (chunks.length >= job.targetChunks) break;
      chunks.push(c);
      chunkVectors.push(passageVector(syn, c.start, c.end, pool, sentenceVectors, dim));
    }
  }
  const used = new Set(chunks.map((c) => c.articleId));
  const articles: Article[] = synthetic.map((s) => s.article).filter((a) => used.has(a.id));
  const chunkMs = performance.now() - t;
  const byId = new Map(articles.map((a) => [a.id, a]));

  say(`lexical index over ${chunks.length.toLocaleString('en')} passages…`);
  global.gc?.();
  let rss0 = process.memoryUsage().rss;
  t = performance.now();
  const lexical = LexicalIndex.build(chunks.map((c) => indexedText(c, byId.get(c.articleId)!)));
  const lexicalBuildMs = performance.now() - t;
  global.gc?.();
  const lexicalRssBytes = process.memoryUsage().rss - rss0;

  say(`HNSW over ${chunks.length.toLocaleString('en')} passage vectors (M=${config.hnsw.m}, efConstruction=${config.hnsw.efConstruction})…`);
  global.gc?.();
  rss0 = process.memoryUsage().rss;
  t = performance.now();
  const vectors = new HnswVectorStore(dim, config.hnsw, chunks.length);
  for (let from = 0; from < chunkVectors.length; from += 10_000) {
    const slice = chunkVectors.slice(from, from + 10_000);
    vectors.add(slice, slice.map((_, i) => from + i));
  }
  const hnswBuildMs = performance.now() - t;
  global.gc?.();
  const hnswRssBytes = process.memoryUsage().rss - rss0;

  let lexicon: Lexicon | null = null;
  if (config.lexiconPath && existsSync(config.lexiconPath)) lexicon = await loadLexicon(config.lexiconPath);
  const now = new Date().toISOString();
  // An in-memory snapshot of one segment (nothing is written: only retrieval is measured).
  const index: LoadedIndex = {
    chunks,
    chunkCount: chunks.length,
    lexical,
    vectors,
    manifest: {
      formatVersion: INDEX_FORMAT_VERSION,
      createdAt: now,
      updatedAt: now,
      chunking: config.chunking,
      segments: [],
      removed: {},
      touched: {},
      nextDoc: chunks.length,
      nextSegment: 0,
      articleCount: articles.length,
      chunkCount: chunks.length,
      dense: {
        modelId: embedder.modelId,
        dimension: dim,
        quantized: config.model.quantized,
        prefixes: config.model.prefixes,
        hnsw: { m: config.hnsw.m, efConstruction: config.hnsw.efConstruction },
        vectorsFile: '(in memory)',
        vectorsSha256: '',
        log: [],
      },
      denseProblem: null,
    },
    segments: [],
    articles: articles.map((a) => ({ ...a, fileSize: 0, mtimeMs: 0, textSha256: '', addedAt: now, docStart: 0, docEnd: 0 })),
    actions: [],
  };
  const engine = new RetrievalEngine({ config, embedder, modelProblem: null, lexicon, lexiconProblem: lexicon ? null : 'no lexicon' }, index);
  const latency = [];
  for (const mode of ['hybrid', 'lexical'] as const) {
    say(`${job.count} warm queries (${mode})…`);
    latency.push(await measureLatency(engine, `synthetic ${chunks.length.toLocaleString('en')} passages`, questions, { count: job.count, warmup: job.warmup, mode }));
  }
  return {
    kind: 'e2e',
    articles: articles.length,
    chunks: chunks.length,
    chunkMs,
    lexicalBuildMs,
    lexicalRssBytes,
    hnswBuildMs,
    hnswRssBytes,
    peakRssBytes: peakRss(),
    latency,
  };
}

const job = JSON.parse(await readFile(process.argv[2], 'utf8')) as ScaleJob;
const result = job.kind === 'hnsw' ? await runHnsw(job) : await runEndToEnd(job);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
