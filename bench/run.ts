/**
 * One run of `npm run bench`: retrieval quality side by side with MiniSearch, Orama and exact
 * search; warm `ask` latency; ingest throughput against transformers.js alone; HNSW at scale;
 * cold start. Saves the figures as JSON under docs/bench-raw/ and prints them as tables, also
 * written to docs/bench-results.md by a full run (docs/bench-raw/quick.md or partial.md otherwise).
 * What the figures mean is written by people in docs/BENCHMARKS.md.
 */
import { liveChunks } from '../src/index/build.ts';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config.ts';
import type { Article } from '../src/corpus/article.ts';
import { isArticleFileName } from '../src/corpus/scan.ts';
import { loadCorpus } from '../src/corpus/scan.ts';
import { createEngine, type RetrievalEngine } from '../src/engine.ts';
import { readDevQuestions, readXquadQuestions, sharedPaths, xquadByStyle, type DevQuestion, type XquadQuestion } from '../src/evaluation/datasets.ts';
import { measureColdStart, measureProcessFloor, type ColdStartResult } from './cold-start.ts';
import { measureIngest, type IngestResult } from './ingest.ts';
import { interleave, measureLatency, type LatencyResult } from './latency.ts';
import { finish, machineInfo } from './machine.ts';
import { loadE5ShapedModel, resolveBenchModel, modelEnv, type BenchModel } from './model.ts';
import { judgeDev, judgeXquad, measureQuality, systemsFor, type JudgedQuestion, type QualityRow } from './quality.ts';
import { renderReport, type BenchResults } from './report.ts';
import { SECTIONS, type BenchFlags, type Section } from './cli.ts';
import { runScale, type ScaleReport } from './scale.ts';
import { syntheticArticles, sentencePool, writeSyntheticCorpus } from './synthetic.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The command line of this run as a user would type it (model settings that came from the environment included). */
function commandLine(flags: BenchFlags): string {
  const env = ['TRICHDAN_MODEL', 'TRICHDAN_MODELS_DIR', 'TRICHDAN_MODEL_QUANTIZED', 'TRICHDAN_HNSW_M', 'TRICHDAN_HNSW_EF_CONSTRUCTION', 'TRICHDAN_HNSW_EF_SEARCH']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${process.env[k]}`);
  const args = process.argv.slice(2);
  const base = args.length || !flags.quick ? `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}` : 'npm run bench -- --quick';
  return [...env, base].join(' ');
}

/** An engine over `corpusDir` with a fresh index (never one left by an older build, nor its embedding cache). */
async function engineFor(config: Config, corpusDir: string, indexDir: string, tag: string): Promise<RetrievalEngine> {
  await rm(indexDir, { recursive: true, force: true });
  return createEngine({ ...config, corpusDir, indexDir }, { log: (l) => log(`[${tag}] ${l}`), progress: false });
}

/** Copies the first `count` articles of `fromDir` (by file name) into `toDir`. */
async function copyFirstArticles(fromDir: string, toDir: string, count: number): Promise<void> {
  const names = (await readdir(fromDir)).filter(isArticleFileName).sort();
  for (const name of names.slice(0, count)) await copyFile(path.join(fromDir, name), path.join(toDir, name));
}

/**
 * Corpus sizes and runs for the e5-shaped model, whose forward pass costs a few hundred
 * milliseconds per passage: all of XQuAD-vi and a small synthetic corpus in a full run
 * (about 10 minutes on 2 cores, not charged to the scale section's time budget), a few
 * articles of each in a quick one (about a minute).
 */
const E5_SHAPED_INGEST = {
  // Few passages but three runs: a single run on a shared machine is a coin toss.
  quick: { xquadArticles: 4, syntheticArticles: 3, xquadRuns: 3, syntheticRuns: 3 },
  full: { xquadArticles: Infinity, syntheticArticles: 24, xquadRuns: 3, syntheticRuns: 3 },
} as const;

/** transformers.js's own pooling pipeline would only repeat the slow forward pass, so it is not timed for these rows. */
const E5_SHAPED_INGEST_OPTIONS = { poolingBaseline: false, e5Shaped: true, alternateOrder: true } as const;

/** Ingest rows measured with the e5-shaped generated model (see bench/model.ts). */
async function e5ShapedIngest(
  cfg: Config,
  opts: { quick: boolean; xquadDir: string | null; sentenceSource: readonly Article[] },
): Promise<IngestResult[]> {
  const plan = opts.quick ? E5_SHAPED_INGEST.quick : E5_SHAPED_INGEST.full;
  log('ingest: writing and loading the e5-shaped generated model…');
  const shaped = await loadE5ShapedModel(cfg);
  const rows: IngestResult[] = [];
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'trichdan-bench-e5-corpus-'));
  try {
    if (opts.xquadDir) {
      let dir = opts.xquadDir;
      let label = 'XQuAD-vi (48 articles)';
      if (Number.isFinite(plan.xquadArticles)) {
        dir = path.join(workDir, 'xquad');
        await mkdir(dir);
        await copyFirstArticles(opts.xquadDir, dir, plan.xquadArticles);
        label = `XQuAD-vi (first ${plan.xquadArticles} of 48 articles)`;
      }
      log(`ingest, e5-shaped model: ${label}…`);
      rows.push(await measureIngest(shaped.config, shaped.embedder, label, dir, plan.xquadRuns, E5_SHAPED_INGEST_OPTIONS));
    }
    const synthDir = path.join(workDir, 'synthetic');
    const count = plan.syntheticArticles;
    await writeSyntheticCorpus(synthDir, syntheticArticles(sentencePool(opts.sentenceSource), count, Math.round(cfg.chunking.maxChars * 2.2)));
    log(`ingest, e5-shaped model: ${count} synthetic articles…`);
    const label = `synthetic (${count} articles of real sentences)`;
    rows.push(await measureIngest(shaped.config, shaped.embedder, label, synthDir, plan.syntheticRuns, E5_SHAPED_INGEST_OPTIONS));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return rows;
}

/** Where a run's tables go unless `--out` says otherwise. */
function tablesFile(flags: BenchFlags, quick: boolean, partial: boolean): string {
  if (flags.out) return path.resolve(flags.out);
  if (quick) return path.join(projectRoot, 'docs', 'bench-raw', 'quick.md');
  if (partial) return path.join(projectRoot, 'docs', 'bench-raw', 'partial.md');
  return path.join(projectRoot, 'docs', 'bench-results.md');
}

/** The fallback question when no evaluation set is there. */
const DEFAULT_QUESTION = 'Mỹ hỗ trợ bao nhiêu cho dự án Biên Hòa?';

/** What every section of one run shares: the flags, the model, the question sets and the two engines. */
interface BenchRun {
  flags: BenchFlags;
  /** Settings with the bench model applied. */
  cfg: Config;
  model: BenchModel;
  runs: { ingest: number; cold: number; latency: number };
  /** Where the XQuAD-vi articles are, when they and their questions are there. */
  xquadDir: string | null;
  devQuestions: DevQuestion[];
  xquadQuestions: XquadQuestion[];
  /** Dev and XQuAD questions of every style, interleaved. */
  askQuestions: string[];
  seed: RetrievalEngine;
  xquad: RetrievalEngine | null;
  /** Articles of the seed corpus and XQuAD-vi: the sentences of the synthetic corpora. */
  corpusArticles: Article[];
  skipped: string[];
}

/** Section 1: answer recall of every system on XQuAD-vi and the seed dev questions. */
async function qualitySection(run: BenchRun): Promise<QualityRow[]> {
  const { flags, model, seed, xquad } = run;
  // --quick: every fifth question of each style.
  const sample = (list: readonly JudgedQuestion[]) =>
    flags.quick ? (['vi', 'vi-nodiac', 'en'] as const).flatMap((s) => list.filter((q) => q.style === s).filter((_, i) => i % 5 === 0)) : [...list];
  const rows: QualityRow[] = [];
  if (xquad) {
    log(`quality: XQuAD-vi (${xquad.index.chunkCount} passages)…`);
    const systems = await systemsFor(xquad, model.embedder);
    rows.push(...(await measureQuality('XQuAD-vi dev questions', liveChunks(xquad.index), systems, sample(judgeXquad(run.xquadQuestions)))));
  }
  if (run.devQuestions.length) {
    log(`quality: seed corpus dev questions (${seed.index.chunkCount} passages)…`);
    const systems = await systemsFor(seed, model.embedder);
    rows.push(...(await measureQuality('seed corpus dev questions', liveChunks(seed.index), systems, judgeDev(run.devQuestions))));
  }
  return rows;
}

/** Section 2: warm `ask` latency on both corpora, hybrid and lexical. */
async function latencySection(run: BenchRun): Promise<LatencyResult[]> {
  const rows: LatencyResult[] = [];
  const questions = run.askQuestions.length ? run.askQuestions : [DEFAULT_QUESTION];
  for (const [name, engine] of [['seed corpus (5 articles)', run.seed], ['XQuAD-vi (48 articles)', run.xquad]] as const) {
    if (!engine) continue;
    for (const mode of ['hybrid', 'lexical'] as const) {
      log(`latency: ${name}, ${mode}, ${run.runs.latency} queries…`);
      rows.push(await measureLatency(engine, name, questions, { count: run.runs.latency, warmup: 20, mode }));
    }
  }
  return rows;
}

/** Section 3: ingest throughput with the bench model, then (tiny model only) the e5-shaped one. */
async function ingestSection(run: BenchRun): Promise<{ rows: IngestResult[]; e5ShapedMs: number }> {
  const { cfg, model, flags, xquadDir } = run;
  const rows: IngestResult[] = [];
  const synthDir = await mkdtemp(path.join(os.tmpdir(), 'trichdan-bench-corpus-'));
  try {
    if (xquadDir) {
      log('ingest: XQuAD-vi articles…');
      rows.push(await measureIngest(cfg, model.embedder, 'XQuAD-vi (48 articles)', xquadDir, run.runs.ingest));
    }
    const count = flags.quick ? 40 : 400;
    await writeSyntheticCorpus(synthDir, syntheticArticles(sentencePool(run.corpusArticles), count, Math.round(cfg.chunking.maxChars * 2.2)));
    log(`ingest: ${count} synthetic articles…`);
    rows.push(await measureIngest(cfg, model.embedder, `synthetic (${count} articles of real sentences)`, synthDir, run.runs.ingest));
  } finally {
    await rm(synthDir, { recursive: true, force: true });
  }
  if (model.kind !== 'tiny') {
    run.skipped.push('ingest with the e5-shaped generated model: not needed, the configured model is measured directly');
    return { rows, e5ShapedMs: 0 };
  }
  const e5Started = Date.now();
  rows.push(...(await e5ShapedIngest(cfg, { quick: flags.quick, xquadDir, sentenceSource: run.corpusArticles })));
  return { rows, e5ShapedMs: Date.now() - e5Started };
}

/** Section 5: the CLI from spawn to answer, with and without the model, existing index and rebuilt. */
async function coldSection(run: BenchRun): Promise<ColdStartResult[]> {
  const { cfg, model, xquadDir } = run;
  log('cold start…');
  const question = run.devQuestions.find((q) => q.lang === 'vi')?.q ?? DEFAULT_QUESTION;
  const noModel: Record<string, string> = { ...modelEnv(cfg), TRICHDAN_MODEL: 'trichdan/absent-model', TRICHDAN_MODELS_DIR: path.join(cfg.indexDir, 'bench-no-models') };
  const withModel = model.kind === 'tiny' ? 'tiny model' : 'model';
  const cases = [
    { label: `seed corpus, ${withModel} (hybrid)`, corpus: cfg.corpusDir, index: 'bench-cold-seed', env: model.env },
    { label: 'seed corpus, no model (lexical-only, downloads off)', corpus: cfg.corpusDir, index: 'bench-cold-seed-lexical', env: noModel },
    ...(xquadDir ? [{ label: `XQuAD-vi (48 articles), ${withModel} (hybrid)`, corpus: xquadDir, index: 'bench-cold-xquad', env: model.env }] : []),
  ];
  const rows = [await measureProcessFloor(projectRoot, run.runs.cold)];
  for (const c of cases) {
    const setup = { projectRoot, corpusDir: c.corpus, indexDir: path.join(cfg.indexDir, c.index), question, env: c.env, runs: run.runs.cold, label: c.label };
    rows.push(...(await measureColdStart(setup)));
  }
  return rows;
}

/** Section 4: HNSW and `ask` at scale, in what is left of the time budget. */
async function scaleSection(run: BenchRun, deadline: number): Promise<ScaleReport> {
  const { xquadQuestions, askQuestions } = run;
  const vectorQueries = xquadQuestions.filter((_, i) => i % Math.max(1, Math.floor(xquadQuestions.length / 200)) === 0).slice(0, 200).map((q) => q.q);
  return runScale({
    quick: run.flags.quick,
    projectRoot,
    workDir: path.join(run.cfg.indexDir, 'bench-scale'),
    config: run.cfg,
    embedder: run.model.embedder,
    tinyModel: run.model.kind === 'tiny',
    articles: run.corpusArticles,
    vectorQueries: vectorQueries.length ? vectorQueries : askQuestions.slice(0, 200),
    askQuestions: askQuestions.length ? askQuestions : [DEFAULT_QUESTION],
    deadline,
    log: (l) => log(l),
  });
}

/** The model, the evaluation sets and the two engines every section uses. */
async function prepareRun(config: Config, flags: BenchFlags): Promise<BenchRun> {
  const skipped: string[] = [];
  log(`model: picking…`);
  const model = await resolveBenchModel(config, { modelDir: flags.modelDir, tiny: flags.tiny });
  const cfg = model.config;
  log(`model: ${model.label}${model.fallbackReason ? ` (configured model not used: ${model.fallbackReason})` : ''}`);

  const shared = sharedPaths(path.resolve(flags.shared));
  const devQuestions = shared && existsSync(shared.devQuestions) ? await readDevQuestions(shared.devQuestions) : [];
  const xquadQuestions = shared && existsSync(shared.xquadQuestions) ? await readXquadQuestions(shared.xquadQuestions) : [];
  const xquadDir = shared && existsSync(shared.xquadArticles) && xquadQuestions.length ? shared.xquadArticles : null;
  if (!shared) skipped.push(`evaluation sets not found in ${flags.shared} (pass --shared DIR): quality on the seed corpus only, no XQuAD-vi`);

  const seed = await engineFor(cfg, cfg.corpusDir, path.join(cfg.indexDir, 'bench-seed'), 'seed');
  const xquad = xquadDir ? await engineFor(cfg, xquadDir, path.join(cfg.indexDir, 'bench-xquad'), 'xquad') : null;
  const askQuestions = interleave(
    devQuestions.map((q) => q.q),
    ...(['vi', 'vi-nodiac', 'en'] as const).map((s) => xquadByStyle(xquadQuestions, s).map((q) => q.q)),
  );
  const corpusArticles = [...(await loadCorpus(cfg.corpusDir)).articles, ...(xquadDir ? (await loadCorpus(xquadDir)).articles : [])];
  return {
    flags,
    cfg,
    model,
    runs: flags.quick ? { ingest: 1, cold: 2, latency: 100 } : { ingest: 3, cold: 5, latency: 500 },
    xquadDir,
    devQuestions,
    xquadQuestions,
    askQuestions,
    seed,
    xquad,
    corpusArticles,
    skipped,
  };
}

/** Runs the benchmarks, saves the figures (JSON) and writes their tables. */
export async function runBench(config: Config, flags: BenchFlags): Promise<void> {
  if (flags.render) {
    const saved = JSON.parse(await readFile(path.resolve(flags.render), 'utf8')) as BenchResults;
    const out = tablesFile(flags, saved.quick, false);
    await writeFile(out, renderReport(saved));
    log(`tables of the run of ${saved.machine.date} written to ${path.relative(process.cwd(), out) || out}`);
    return;
  }
  if (flags.only.includes('live')) {
    const { runLiveIngest } = await import('./live-ingest.ts');
    await runLiveIngest(config, { quick: flags.quick });
    if (flags.only.length === 1) return;
  }
  const started = Date.now();
  let deadline = started + flags.budgetMinutes * 60_000 * (flags.quick ? 0.25 : 1);
  const machine = machineInfo(projectRoot);
  const run = await prepareRun(config, flags);
  const { cfg, model, skipped } = run;
  /** A section's figures, or null (and a line in "Not run") when --only leaves it out. */
  const section = async <T>(name: Section, label: string, measure: () => Promise<T>): Promise<T | null> => {
    if (flags.only.includes(name)) return measure();
    skipped.push(`${label}: not selected (--only)`);
    return null;
  };

  const quality = await section('quality', 'quality', () => qualitySection(run));
  const latency = await section('latency', 'latency', () => latencySection(run));
  const ingest = await section('ingest', 'ingest', async () => {
    const { rows, e5ShapedMs } = await ingestSection(run);
    deadline += e5ShapedMs; // minutes of slow forward passes that the scale section's time budget should not pay for
    return rows;
  });
  // Cold start before scale, which takes what is left of the time budget.
  const coldStart = await section('cold', 'cold start', () => coldSection(run));
  const scale = await section('scale', 'scale', () => scaleSection(run, deadline));

  const results: BenchResults = {
    quick: flags.quick,
    command: commandLine(flags),
    machine: finish(machine),
    model: { kind: model.kind, label: model.label, dimension: model.embedder.dimension, loadMs: model.loadMs, fallbackReason: model.fallbackReason },
    settings: {
      chunking: cfg.chunking,
      hnsw: cfg.hnsw,
      batchSize: cfg.model.batchSize,
      topK: cfg.retrieval.topK,
      lexicon: cfg.lexiconPath ? path.relative(projectRoot, cfg.lexiconPath) : null,
    },
    quality,
    latency,
    ingest,
    coldStart,
    scale,
    skipped,
    durationMs: Date.now() - started,
  };
  await writeResults(results, flags, started);
}

/** Saves the raw figures as JSON, prints the tables and writes them to their file. */
async function writeResults(results: BenchResults, flags: BenchFlags, started: number): Promise<void> {
  const report = renderReport(results);
  const rawDir = path.join(projectRoot, 'docs', 'bench-raw');
  await mkdir(rawDir, { recursive: true });
  const stamp = results.machine.date.replace(/[:.]/g, '-');
  await writeFile(path.join(rawDir, `${stamp}${flags.quick ? '-quick' : ''}.json`), JSON.stringify(results, null, 2));
  const out = tablesFile(flags, flags.quick, flags.only.length < SECTIONS.length);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, report);
  process.stdout.write(`${report}\n`);
  log(`tables written to ${path.relative(process.cwd(), out) || out} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}
