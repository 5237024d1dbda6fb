/**
 * Scale: HNSW (hnswlib-node through `HnswVectorStore`, as the index uses it) over 10k, 100k
 * and 1M synthetic vectors of the model's dimension and of 384 (multilingual-e5-small):
 * build time, memory, search p95 at top-10 and recall@10 against exact search; an
 * M / efConstruction / efSearch sweep at 100k; and `ask` latency over ~100k synthetic passages.
 *
 * Every job runs in its own child process (bench/scale-worker.ts) so each build's memory
 * is its own. 1M runs only when the time left in the run's budget allows it, with the
 * strongest build settings that fit; otherwise it is extrapolated and labelled as such.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Article } from '../src/corpus/article.ts';
import type { Embedder } from '../src/index/embedder.ts';
import { loadEmbedder } from '../src/index/embedder.ts';
import type { Config } from '../src/config.ts';
import {
  RESULT_PREFIX,
  type EndToEndJob,
  type EndToEndResult,
  type HnswJob,
  type HnswResult,
  type ScaleJob,
  type ScaleResult,
} from './scale-jobs.ts';
import { DEFAULT_VECTOR_RECIPE, saveFloats, sentencePool } from './synthetic.ts';
import { tinyModelConfig } from './model.ts';

/** What the scale section needs from the run. */
export interface ScaleOptions {
  quick: boolean;
  projectRoot: string;
  /** Scratch directory (deleted and recreated). */
  workDir: string;
  /** The run's config, pointing at the bench model. */
  config: Config;
  embedder: Embedder;
  /** Whether the bench model is the tiny generated one (then 384-d vectors come from a 384-d tiny model). */
  tinyModel: boolean;
  /** Articles whose sentences make the synthetic data (seed corpus + XQuAD-vi). */
  articles: readonly Article[];
  /** Questions whose embeddings are the HNSW queries. */
  vectorQueries: readonly string[];
  /** Questions asked in the end-to-end latency run. */
  askQuestions: readonly string[];
  /** Wall-clock time (ms since epoch) by which the whole run should be done. */
  deadline: number;
  log: (line: string) => void;
}

/** Everything the scale section measured, and what it did not and why. */
export interface ScaleReport {
  dims: number[];
  sentences: number;
  queries: number;
  hnsw: HnswResult[];
  endToEnd: EndToEndResult | null;
  /** Lines saying what was not measured, why, and the extrapolation used instead. */
  notes: string[];
  recommendation: Recommendation | null;
}

/** The HNSW settings the sweep recommends. */
export interface Recommendation {
  m: number;
  efConstruction: number;
  efSearch: number;
  dim: number;
  n: number;
  recall: number;
  p95Ms: number;
  buildMs: number;
  why: string;
}

/** Recall@10 the recommended settings must reach (the target at 100k). */
export const RECALL_TARGET = 0.99;

function runJob(projectRoot: string, jobFile: string, log: (line: string) => void): Promise<ScaleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=16384', '--expose-gc', '--import', 'tsx', path.join(projectRoot, 'bench', 'scale-worker.ts'), jobFile],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) log(line.trimEnd());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`scale job ${jobFile} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ScaleResult);
    });
  });
}

async function embedFlat(embedder: Embedder, texts: readonly string[], asQueries: boolean): Promise<Float32Array> {
  const dim = embedder.dimension;
  const out = new Float32Array(texts.length * dim);
  const vectors = asQueries ? await Promise.all(texts.map((t) => embedder.embedQuery(t))) : await embedder.embedPassages([...texts]);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}

const fmtN = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** Picks, among the 100k runs at `dim`, the cheapest settings reaching the recall target. */
export function recommend(results: readonly HnswResult[], dim: number, n: number): Recommendation | null {
  const candidates = results
    .filter((r) => r.dim === dim && r.n === n)
    .flatMap((r) => r.ef.map((e) => ({ r, e })))
    .filter(({ e }) => e.recall >= RECALL_TARGET);
  if (candidates.length === 0) return null;
  // Fastest search first; among settings within 10 % of it, the cheapest build.
  candidates.sort((a, b) => a.e.p95Ms - b.e.p95Ms);
  const fastest = candidates[0].e.p95Ms;
  const near = candidates.filter((c) => c.e.p95Ms <= fastest * 1.1);
  near.sort((a, b) => a.r.buildMs - b.r.buildMs || a.r.m - b.r.m);
  const { r, e } = near[0];
  return {
    m: r.m,
    efConstruction: r.efConstruction,
    efSearch: e.efSearch,
    dim,
    n,
    recall: e.recall,
    p95Ms: e.p95Ms,
    buildMs: r.buildMs,
    why: `lowest search p95 with recall@10 ≥ ${RECALL_TARGET} at ${fmtN(n)} × ${dim} (ties within 10 % broken by build time)`,
  };
}

/** Runs the scale section. */
export async function runScale(opts: ScaleOptions): Promise<ScaleReport> {
  const { config, log, quick } = opts;
  await rm(opts.workDir, { recursive: true, force: true });
  await mkdir(opts.workDir, { recursive: true });
  const file = (name: string) => path.join(opts.workDir, name);

  // Real vectors: every sentence of the corpora, embedded with the model (and with a 384-d
  // tiny model when the bench model is the 128-d tiny one).
  const pool = sentencePool(opts.articles);
  await writeFile(file('pool.json'), JSON.stringify(pool));
  const embedders = new Map<number, Embedder>([[opts.embedder.dimension, opts.embedder]]);
  if (!embedders.has(384)) {
    const tiny384 = await tinyModelConfig(config, path.join(opts.workDir, 'models'), 384);
    const loaded = await loadEmbedder({
      modelId: tiny384.model.id,
      modelsDir: tiny384.model.modelsDir,
      quantized: false,
      allowRemote: false,
      prefixes: false,
      batchSize: config.model.batchSize,
    });
    if (!loaded.ok) throw new Error(loaded.problem);
    embedders.set(384, loaded.embedder);
  }
  const dims = [...embedders.keys()];
  log(`scale: embedding ${pool.sentences.length} real sentences and ${opts.vectorQueries.length} questions at ${dims.join(' and ')} dimensions…`);
  for (const [dim, embedder] of embedders) {
    await saveFloats(file(`real-${dim}.f32`), await embedFlat(embedder, pool.sentences, false));
    await saveFloats(file(`queries-${dim}.f32`), await embedFlat(embedder, opts.vectorQueries, true));
  }

  const d = config.hnsw;
  const efSearch = [...new Set([...(quick ? [10, 40, 100, 200] : [10, 20, 40, 64, 100, 200, 400, 800]), d.efSearch])].sort((a, b) => a - b);
  const hnswJob = (n: number, dim: number, m: number, efConstruction: number): HnswJob => ({
    kind: 'hnsw',
    n,
    dim,
    m,
    efConstruction,
    efSearch,
    k: 10,
    realFile: file(`real-${dim}.f32`),
    queriesFile: file(`queries-${dim}.f32`),
    truthFile: file(`truth-${n}-${dim}.json`),
    recipe: DEFAULT_VECTOR_RECIPE,
  });
  let jobNo = 0;
  const run = async <R extends ScaleResult>(job: ScaleJob): Promise<R> => {
    const jobFile = file(`job-${++jobNo}.json`);
    await writeFile(jobFile, JSON.stringify(job));
    const t0 = performance.now();
    const result = (await runJob(opts.projectRoot, jobFile, log)) as R;
    log(`scale: job ${jobNo} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return result;
  };

  const hnsw: HnswResult[] = [];
  const notes: string[] = [];
  const wall = new Map<HnswResult, number>();
  const timed = async (job: HnswJob) => {
    const t0 = performance.now();
    const r = await run<HnswResult>(job);
    wall.set(r, performance.now() - t0);
    hnsw.push(r);
    return r;
  };

  const sizes = quick ? [10_000] : [10_000, 100_000];
  for (const n of sizes) for (const dim of dims) await timed(hnswJob(n, dim, d.m, d.efConstruction));

  let endToEnd: EndToEndResult | null = null;
  const e2eChunks = quick ? 10_000 : 100_000;
  const questionsFile = file('questions.json');
  await writeFile(questionsFile, JSON.stringify(opts.askQuestions));
  const e2eJob: EndToEndJob = {
    kind: 'e2e',
    targetChunks: e2eChunks,
    config,
    poolFile: file('pool.json'),
    sentenceVectorsFile: file(`real-${opts.embedder.dimension}.f32`),
    questionsFile,
    count: quick ? 100 : 500,
    warmup: 20,
  };
  endToEnd = await run<EndToEndResult>(e2eJob);

  // The sweep: other build settings at 100k × 384 (the multilingual model's dimension).
  if (!quick) {
    const sweep: [number, number][] = [
      [16, 100],
      [32, 200],
      [8, 100],
    ];
    for (const [m, efC] of sweep) {
      if (m === d.m && efC === d.efConstruction) continue;
      const base = hnsw.find((r) => r.n === 100_000 && r.dim === 384 && r.m === d.m && r.efConstruction === d.efConstruction);
      const guess = base ? (wall.get(base) ?? 0) * (efC / d.efConstruction) * (m / d.m) ** 0.5 : 0;
      if (Date.now() + guess > opts.deadline) {
        notes.push(`sweep M=${m}, efConstruction=${efC} at 100k × 384 skipped: the time budget would be exceeded (about ${(guess / 60_000).toFixed(1)} min needed)`);
        continue;
      }
      await timed(hnswJob(100_000, 384, m, efC));
    }
  }

  // 1M: only as far as the budget allows; the strongest build settings that fit.
  const target = 1_000_000;
  for (const dim of quick ? [] : dims) {
    const base = hnsw.find((r) => r.n === 100_000 && r.dim === dim && r.m === d.m && r.efConstruction === d.efConstruction);
    if (!base) continue;
    const growth = (target / base.n) * (Math.log(target) / Math.log(base.n));
    const baseWall = wall.get(base) ?? base.buildMs;
    const overhead = Math.max(0, baseWall - base.buildMs) * (target / base.n);
    const options = [d.efConstruction, 100, 40].filter((v, i, a) => v <= d.efConstruction && a.indexOf(v) === i);
    let done = false;
    for (const efC of options) {
      const predicted = base.buildMs * growth * (efC / d.efConstruction) + overhead;
      if (Date.now() + predicted <= opts.deadline) {
        log(`scale: 1M × ${dim} at efConstruction=${efC}: about ${(predicted / 60_000).toFixed(1)} min expected`);
        await timed(hnswJob(target, dim, d.m, efC));
        if (efC !== d.efConstruction) notes.push(`1M × ${dim} was built with efConstruction=${efC} instead of ${d.efConstruction} to fit the time budget`);
        done = true;
        break;
      }
    }
    if (!done) {
      const extrapolated = base.buildMs * growth;
      notes.push(
        `1M × ${dim} not measured: the run's time budget had ${((opts.deadline - Date.now()) / 60_000).toFixed(1)} min left. ` +
          `EXTRAPOLATED from 100k (×${growth.toFixed(1)} for n·log n): build ≈ ${(extrapolated / 60_000).toFixed(0)} min, ` +
          `index memory ≈ ${((base.indexRssBytes * 10) / 1e9).toFixed(1)} GB (10 × the 100k figure).`,
      );
    }
  }

  const recDim = 384;
  return {
    dims,
    sentences: pool.sentences.length,
    queries: opts.vectorQueries.length,
    hnsw,
    endToEnd,
    notes,
    recommendation: recommend(hnsw, recDim, quick ? 10_000 : 100_000),
  };
}
