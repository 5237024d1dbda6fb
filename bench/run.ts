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
import { ARTICLE_EXTENSIONS } from '../src/corpus/load.ts';
import { loadCorpus } from '../src/corpus/scan.ts';
import { createEngine, type RetrievalEngine } from '../src/engine.ts';
import { readDevQuestions, readXquadQuestions, sharedPaths, xquadByStyle } from '../src/evaluation/datasets.ts';
import { measureColdStart, measureProcessFloor, type ColdStartResult } from './cold-start.ts';
import { measureIngest, type IngestResult } from './ingest.ts';
import { interleave, measureLatency, type LatencyResult } from './latency.ts';
import { finish, machineInfo } from './machine.ts';
import { loadE5ShapedModel, resolveBenchModel, modelEnv } from './model.ts';
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
  const names = (await readdir(fromDir)).filter((n) => !n.startsWith('.') && ARTICLE_EXTENSIONS.includes(path.extname(n).toLowerCase())).sort();
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
  const runs = flags.quick ? { ingest: 1, cold: 2, latency: 100 } : { ingest: 3, cold: 5, latency: 500 };
  const want = (s: Section) => flags.only.includes(s);
  const skipped: string[] = [];

  log(`model: picking…`);
  const model = await resolveBenchModel(config, { modelDir: flags.modelDir, tiny: flags.tiny });
  const cfg = model.config;
  log(`model: ${model.label}${model.fallbackReason ? ` (configured model not used: ${model.fallbackReason})` : ''}`);

  const shared = sharedPaths(path.resolve(flags.shared));
  const devQuestions = shared && existsSync(shared.devQuestions) ? await readDevQuestions(shared.devQuestions) : [];
  const xquadQuestions = shared && existsSync(shared.xquadQuestions) ? await readXquadQuestions(shared.xquadQuestions) : [];
  const hasXquad = Boolean(shared && existsSync(shared.xquadArticles) && xquadQuestions.length);
  if (!shared) skipped.push(`evaluation sets not found in ${flags.shared} (pass --shared DIR): quality on the seed corpus only, no XQuAD-vi`);
  // --quick: every fifth question of each style.
  const sample = (list: readonly JudgedQuestion[]) =>
    flags.quick ? (['vi', 'vi-nodiac', 'en'] as const).flatMap((s) => list.filter((q) => q.style === s).filter((_, i) => i % 5 === 0)) : [...list];

  const seed = await engineFor(cfg, cfg.corpusDir, path.join(cfg.indexDir, 'bench-seed'), 'seed');
  const xquad = hasXquad ? await engineFor(cfg, shared!.xquadArticles, path.join(cfg.indexDir, 'bench-xquad'), 'xquad') : null;

  // 1. Quality
  let quality: QualityRow[] | null = null;
  if (want('quality')) {
    quality = [];
    if (xquad) {
      log(`quality: XQuAD-vi (${xquad.index.chunkCount} passages)…`);
      const systems = await systemsFor(xquad, model.embedder);
      quality.push(...(await measureQuality('XQuAD-vi dev questions', liveChunks(xquad.index), systems, sample(judgeXquad(xquadQuestions)))));
    }
    if (devQuestions.length) {
      log(`quality: seed corpus dev questions (${seed.index.chunkCount} passages)…`);
      const systems = await systemsFor(seed, model.embedder);
      quality.push(...(await measureQuality('seed corpus dev questions', liveChunks(seed.index), systems, judgeDev(devQuestions))));
    }
  } else skipped.push('quality: not selected (--only)');

  // 2. Latency
  const askQuestions = interleave(
    devQuestions.map((q) => q.q),
    ...(['vi', 'vi-nodiac', 'en'] as const).map((s) => xquadByStyle(xquadQuestions, s).map((q) => q.q)),
  );
  let latency: LatencyResult[] | null = null;
  if (want('latency')) {
    latency = [];
    const questions = askQuestions.length ? askQuestions : ['Mỹ hỗ trợ bao nhiêu cho dự án Biên Hòa?'];
    for (const [name, engine] of [['seed corpus (5 articles)', seed], ['XQuAD-vi (48 articles)', xquad]] as const) {
      if (!engine) continue;
      for (const mode of ['hybrid', 'lexical'] as const) {
        log(`latency: ${name}, ${mode}, ${runs.latency} queries…`);
        latency.push(await measureLatency(engine, name, questions, { count: runs.latency, warmup: 20, mode }));
      }
    }
  } else skipped.push('latency: not selected (--only)');

  // 3. Ingest
  let ingest: IngestResult[] | null = null;
  const corpusArticles = [...(await loadCorpus(cfg.corpusDir)).articles, ...(hasXquad ? (await loadCorpus(shared!.xquadArticles)).articles : [])];
  if (want('ingest')) {
    ingest = [];
    const synthDir = await mkdtemp(path.join(os.tmpdir(), 'trichdan-bench-corpus-'));
    try {
      if (hasXquad) {
        log('ingest: XQuAD-vi articles…');
        ingest.push(await measureIngest(cfg, model.embedder, 'XQuAD-vi (48 articles)', shared!.xquadArticles, runs.ingest));
      }
      const count = flags.quick ? 40 : 400;
      await writeSyntheticCorpus(synthDir, syntheticArticles(sentencePool(corpusArticles), count, Math.round(cfg.chunking.maxChars * 2.2)));
      log(`ingest: ${count} synthetic articles…`);
      ingest.push(await measureIngest(cfg, model.embedder, `synthetic (${count} articles of real sentences)`, synthDir, runs.ingest));
    } finally {
      await rm(synthDir, { recursive: true, force: true });
    }
    if (model.kind === 'tiny') {
      // Minutes of slow forward passes that the scale section's time budget should not pay for.
      const e5Started = Date.now();
      ingest.push(...(await e5ShapedIngest(cfg, { quick: flags.quick, xquadDir: hasXquad ? shared!.xquadArticles : null, sentenceSource: corpusArticles })));
      deadline += Date.now() - e5Started;
    } else skipped.push('ingest with the e5-shaped generated model: not needed, the configured model is measured directly');
  } else skipped.push('ingest: not selected (--only)');

  // 5. Cold start (before scale, which takes what is left of the time budget)
  let coldStart: ColdStartResult[] | null = null;
  if (want('cold')) {
    log('cold start…');
    const question = devQuestions.find((q) => q.lang === 'vi')?.q ?? 'Mỹ hỗ trợ bao nhiêu cho dự án Biên Hòa?';
    const noModel: Record<string, string> = { ...modelEnv(cfg), TRICHDAN_MODEL: 'trichdan/absent-model', TRICHDAN_MODELS_DIR: path.join(cfg.indexDir, 'bench-no-models') };
    const cases = [
      { label: `seed corpus, ${model.kind === 'tiny' ? 'tiny model' : 'model'} (hybrid)`, corpus: cfg.corpusDir, index: 'bench-cold-seed', env: model.env },
      { label: 'seed corpus, no model (lexical-only, downloads off)', corpus: cfg.corpusDir, index: 'bench-cold-seed-lexical', env: noModel },
      ...(hasXquad ? [{ label: `XQuAD-vi (48 articles), ${model.kind === 'tiny' ? 'tiny model' : 'model'} (hybrid)`, corpus: shared!.xquadArticles, index: 'bench-cold-xquad', env: model.env }] : []),
    ];
    coldStart = [await measureProcessFloor(projectRoot, runs.cold)];
    for (const c of cases) {
      coldStart.push(
        ...(await measureColdStart({
          projectRoot,
          corpusDir: c.corpus,
          indexDir: path.join(cfg.indexDir, c.index),
          question,
          env: c.env,
          runs: runs.cold,
          label: c.label,
        })),
      );
    }
  } else skipped.push('cold start: not selected (--only)');

  // 4. Scale
  let scale: ScaleReport | null = null;
  if (want('scale')) {
    const vectorQueries = xquadQuestions.filter((_, i) => i % Math.max(1, Math.floor(xquadQuestions.length / 200)) === 0).slice(0, 200).map((q) => q.q);
    scale = await runScale({
      quick: flags.quick,
      projectRoot,
      workDir: path.join(cfg.indexDir, 'bench-scale'),
      config: cfg,
      embedder: model.embedder,
      tinyModel: model.kind === 'tiny',
      articles: corpusArticles,
      vectorQueries: vectorQueries.length ? vectorQueries : askQuestions.slice(0, 200),
      askQuestions: askQuestions.length ? askQuestions : ['Mỹ hỗ trợ bao nhiêu cho dự án Biên Hòa?'],
      deadline,
      log: (l) => log(l),
    });
  } else skipped.push('scale: not selected (--only)');

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
  const report = renderReport(results);
  const rawDir = path.join(projectRoot, 'docs', 'bench-raw');
  await mkdir(rawDir, { recursive: true });
  const stamp = machine.date.replace(/[:.]/g, '-');
  await writeFile(path.join(rawDir, `${stamp}${flags.quick ? '-quick' : ''}.json`), JSON.stringify(results, null, 2));
  const out = tablesFile(flags, flags.quick, flags.only.length < SECTIONS.length);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, report);
  process.stdout.write(`${report}\n`);
  log(`tables written to ${path.relative(process.cwd(), out) || out} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}
