/**
 * Live ingest over the segmented index (issue "Live news"): for corpora of synthetic articles
 * written as files (bench/synthetic.ts) at a few sizes, lexical-only and optionally with the
 * tiny generated model (HNSW path):
 *
 * 1. full build: `openIndex({ force: true })`, its time and the process's peak RSS;
 * 2. adding one article: the whole `CorpusLibrary.addPaths([file])` (copy, scan, new segment,
 *    manifest, engine swap), then the same by hand split into `corpusChanges` (folder scan),
 *    `updateIndex` alone and the new `RetrievalEngine`; segments after each add and the merges;
 * 3. a start with nothing changed, in new processes: `openIndex` timed in a child, the same work
 *    split into its parts in another child, and the CLI (`ask --json`, `index`) from spawn to answer,
 *    and `add FILE` from spawn to exit (start + one article);
 * 4. removing one article (library, and `updateIndex` alone);
 * 5. the index's size on disk.
 *
 * Every case runs in its own child process (this file with `--job FILE`), so peak RSS is the
 * build's own. Temporary data lives under the system temp folder and is deleted afterwards.
 *
 *   npm run bench -- --only live [--quick]
 *   node --import tsx bench/live-ingest.ts [--passages 6400,10000,100000] [--dense 10000] [--runs 10] [--cold-runs 5] [--keep]
 *
 * Prints the tables (markdown) on stdout and writes the raw figures to docs/bench-raw/live-*.json.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config } from '../src/config.ts';
import { loadCorpus } from '../src/corpus/scan.ts';
import { scanCorpus } from '../src/corpus/scan.ts';
import { RetrievalEngine, indexSettings, loadResources } from '../src/engine.ts';
import { corpusChanges, openIndex } from '../src/index/build.ts';
import { chunkArticle } from '../src/index/chunk.ts';
import { MANIFEST_FILE, readManifest, sha256 } from '../src/index/manifest.ts';
import { decodePostings } from '../src/index/postings-file.ts';
import { PostingsStore } from '../src/index/postings.ts';
import { readSegment } from '../src/index/segment-files.ts';
import { assembleSnapshot, type LoadedIndex } from '../src/index/snapshot.ts';
import { updateIndex } from '../src/index/update.ts';
import { CorpusLibrary } from '../src/library/library.ts';
import { measureProcessFloor } from './cold-start.ts';
import { modelEnv, tinyModelConfig } from './model.ts';
import { fmtMs, median, percentile } from './stats.ts';
import { sentencePool, syntheticArticles, writeSyntheticCorpus } from './synthetic.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULT_PREFIX = 'LIVE-RESULT ';
const QUESTION = 'Mỹ hỗ trợ bao nhiêu cho dự án Biên Hòa?';

/** What to measure. */
export interface LiveIngestOptions {
  /** Target passage counts of the lexical-only corpora. */
  passages: number[];
  /** Target passage counts measured again with the tiny generated model (HNSW path). */
  dense: number[];
  /** Adds and removes timed per path (library, updateIndex alone). */
  runs: number;
  /** Spawns of the CLI per cold-start case. */
  coldRuns: number;
  /** Keep the temporary corpora and indexes (their folder is printed). */
  keep: boolean;
  /** Sentence sources: the seed corpus and XQuAD-vi articles (when present). */
  sourceDirs: string[];
  log: (line: string) => void;
}

/** One timed change: milliseconds, and the segments it left. */
interface ChangeRun {
  ms: number;
  segments: number;
  /** Segments that disappeared in this change (merged or rewritten). */
  mergedAway: number;
}

interface DirectRun extends ChangeRun {
  scanMs: number;
  updateMs: number;
  engineMs: number;
}

/** What the `changes` child measures. */
interface ChangesResult {
  articles: number;
  passages: number;
  resourcesMs: number;
  buildMs: number;
  buildPeakRss: number;
  sizeAfterBuild: number;
  filesAfterBuild: number;
  libraryOpenMs: number;
  adds: ChangeRun[];
  removes: ChangeRun[];
  directAdds: DirectRun[];
  directRemoves: DirectRun[];
  sizeAfterChanges: number;
  segmentsAfterChanges: number;
  /**
   * The duplicate check's map of text hashes after a change (`CorpusLibrary.sameText`), built
   * from the hashes stored with each article, timed on the last snapshot.
   */
  textHashMs: number;
  peakRss: number;
}

/** What the `open` child measures: a start with nothing changed, as the product does it. */
interface OpenResult {
  /** From process start (node, tsx, this module and its imports) to the job's first line. */
  bootMs: number;
  resourcesMs: number;
  openMs: number;
  engineMs: number;
  firstAskMs: number;
  peakRss: number;
  actions: string[];
}

/** What the `profile` child measures: the same start split into its parts. */
interface ProfileResult {
  segments: number;
  bytesJson: number;
  bytesText: number;
  bytesPostings: number;
  manifestMs: number;
  readMs: number;
  shaMs: number;
  utf8Ms: number;
  /** UTF-16 decode of the article texts (segment `.text` files). */
  textDecodeMs: number;
  jsonParseMs: number;
  postingsMs: number;
  fromSectionsMs: number;
  chunkObjectsMs: number;
  assembleMs: number;
  scanMs: number;
  corpusChangesMs: number;
  engineMs: number;
}

/** One CLI command spawned a few times. */
interface CliResult {
  command: string;
  runsMs: number[];
  firstOutputMs: number[];
  ok: boolean;
}

/** Everything measured for one corpus size and mode. */
export interface LiveCase {
  label: string;
  /** `node bin/trichdan.js --help` from spawn to exit (median): the floor under every CLI start. */
  floorMs: number;
  mode: 'lexical' | 'tiny model';
  targetPassages: number;
  changes: ChangesResult;
  open: OpenResult;
  profile: ProfileResult;
  ask: CliResult;
  index: CliResult;
  /** `trichdan add FILE` (one new article per run), spawn to exit. */
  add: CliResult;
}

type Job =
  | { kind: 'changes'; env: Record<string, string>; corpusDir: string; indexDir: string; incoming: string[]; removeIds: string[]; runs: number }
  | { kind: 'open'; env: Record<string, string>; corpusDir: string; indexDir: string }
  | { kind: 'profile'; env: Record<string, string>; corpusDir: string; indexDir: string };

// ───────────────────────────── child side ─────────────────────────────

const peakRss = () => process.resourceUsage().maxRSS * 1024;
const quiet = () => {};

function childConfig(job: Job): Config {
  return loadConfig({ ...process.env, ...job.env, TRICHDAN_CORPUS_DIR: job.corpusDir, TRICHDAN_INDEX_DIR: job.indexDir }, { dotenv: false, cwd: projectRoot });
}

async function dirSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const name of await readdir(dir)) {
    const info = await stat(path.join(dir, name));
    if (info.isFile()) (bytes += info.size), files++;
  }
  return { bytes, files };
}

const segmentNames = (index: LoadedIndex) => index.manifest.segments.map((s) => s.name);
const mergedAway = (before: string[], after: string[]) => before.filter((n) => !after.includes(n)).length;

async function changesJob(job: Extract<Job, { kind: 'changes' }>): Promise<ChangesResult> {
  const config = childConfig(job);
  let t = performance.now();
  const resources = await loadResources(config, { log: quiet, progress: false });
  const resourcesMs = performance.now() - t;
  const settings = indexSettings(resources, false);

  t = performance.now();
  const built = await openIndex({ ...settings, corpusDir: job.corpusDir, force: true });
  const buildMs = performance.now() - t;
  const buildPeakRss = peakRss();
  const afterBuild = await dirSize(job.indexDir);
  process.stderr.write(`  built: ${built.index.articles.length} articles, ${built.index.chunkCount} passages in ${(buildMs / 1000).toFixed(1)} s\n`);

  t = performance.now();
  const library = await CorpusLibrary.open(config, { log: quiet, progress: false });
  const libraryOpenMs = performance.now() - t;

  const runs = job.runs;
  const adds: ChangeRun[] = [];
  for (const file of job.incoming.slice(0, runs)) {
    const before = segmentNames(library.current);
    t = performance.now();
    const [outcome] = await library.addPaths([file]);
    const ms = performance.now() - t;
    if (outcome?.status !== 'added') throw new Error(`adding ${file}: ${outcome?.status ?? 'nothing'} instead of added`);
    adds.push({ ms, segments: library.current.manifest.segments.length, mergedAway: mergedAway(before, segmentNames(library.current)) });
  }
  const removes: ChangeRun[] = [];
  for (const id of job.removeIds.slice(0, runs)) {
    const before = segmentNames(library.current);
    t = performance.now();
    const gone = await library.remove(id);
    const ms = performance.now() - t;
    if (!gone) throw new Error(`removing ${id}: not found`);
    removes.push({ ms, segments: library.current.manifest.segments.length, mergedAway: mergedAway(before, segmentNames(library.current)) });
  }
  await library.idle();

  // The same changes by hand, from the library's last snapshot (committed, so the same as on disk).
  let current = library.current;
  const direct = async (change: () => Promise<void>): Promise<DirectRun> => {
    const before = segmentNames(current);
    const t0 = performance.now();
    await change();
    const t1 = performance.now();
    const { changes } = await corpusChanges(current, job.corpusDir, false);
    const t2 = performance.now();
    const next = await updateIndex(current, settings, changes);
    const t3 = performance.now();
    new RetrievalEngine(resources, next);
    const t4 = performance.now();
    current = next;
    return { ms: t4 - t0, scanMs: t2 - t1, updateMs: t3 - t2, engineMs: t4 - t3, segments: next.manifest.segments.length, mergedAway: mergedAway(before, segmentNames(next)) };
  };
  const directAdds: DirectRun[] = [];
  for (const file of job.incoming.slice(runs, 2 * runs)) {
    directAdds.push(await direct(() => copyFile(file, path.join(job.corpusDir, path.basename(file)))));
  }
  const directRemoves: DirectRun[] = [];
  for (const id of job.removeIds.slice(runs, 2 * runs)) {
    directRemoves.push(await direct(() => rm(path.join(job.corpusDir, `${id}.txt`))));
  }
  const afterChanges = await dirSize(job.indexDir);
  t = performance.now();
  new Map(current.articles.map((a) => [a.textSha256, a.id]));
  const textHashMs = performance.now() - t;
  return {
    articles: built.index.articles.length,
    passages: built.index.chunkCount,
    resourcesMs,
    buildMs,
    buildPeakRss,
    sizeAfterBuild: afterBuild.bytes,
    filesAfterBuild: afterBuild.files,
    libraryOpenMs,
    adds,
    removes,
    directAdds,
    directRemoves,
    sizeAfterChanges: afterChanges.bytes,
    segmentsAfterChanges: current.manifest.segments.length,
    textHashMs,
    peakRss: peakRss(),
  };
}

async function openJob(job: Extract<Job, { kind: 'open' }>): Promise<OpenResult> {
  const bootMs = performance.now();
  const config = childConfig(job);
  let t = performance.now();
  const resources = await loadResources(config, { log: quiet, progress: false });
  const resourcesMs = performance.now() - t;
  t = performance.now();
  const { index } = await openIndex({ ...indexSettings(resources, false), corpusDir: job.corpusDir });
  const openMs = performance.now() - t;
  t = performance.now();
  const engine = new RetrievalEngine(resources, index);
  const engineMs = performance.now() - t;
  t = performance.now();
  await engine.ask(QUESTION);
  const firstAskMs = performance.now() - t;
  return { bootMs, resourcesMs, openMs, engineMs, firstAskMs, peakRss: peakRss(), actions: index.actions };
}

/** The segment data file's shape (src/index/segment-files.ts), for timing its parts apart. */
interface SegmentJsonShape {
  articles: { id: string; textStart: number; textLength: number; docStart: number }[];
  chunks: ([number, number, number, number[]] | null)[];
}

/**
 * `loadIndex` + `corpusChanges` split into parts, in a fresh process: the first pass repeats
 * `readSegment`'s steps one at a time (read, sha256, UTF-8/UTF-16 decode, JSON.parse, postings decode,
 * chunk objects); then the real `readSegment`, `assembleSnapshot`, the folder scan and the engine.
 */
async function profileJob(job: Extract<Job, { kind: 'profile' }>): Promise<ProfileResult> {
  const config = childConfig(job);
  const resources = await loadResources(config, { log: quiet, progress: false });
  const r: ProfileResult = {
    segments: 0, bytesJson: 0, bytesText: 0, bytesPostings: 0, manifestMs: 0, readMs: 0, shaMs: 0, utf8Ms: 0, textDecodeMs: 0, jsonParseMs: 0, postingsMs: 0,
    fromSectionsMs: 0, chunkObjectsMs: 0, assembleMs: 0, scanMs: 0, corpusChangesMs: 0, engineMs: 0,
  };
  let t = performance.now();
  const manifest = await readManifest(path.join(job.indexDir, MANIFEST_FILE));
  r.manifestMs = performance.now() - t;
  if (!manifest) throw new Error(`no manifest in ${job.indexDir}`);
  r.segments = manifest.segments.length;
  for (const entry of manifest.segments) {
    t = performance.now();
    const data = await readFile(path.join(job.indexDir, `${entry.name}.json`));
    const textBytes = await readFile(path.join(job.indexDir, `${entry.name}.text`));
    const postings = await readFile(path.join(job.indexDir, `${entry.name}.lex`));
    r.readMs += performance.now() - t;
    r.bytesJson += data.length;
    r.bytesText += textBytes.length;
    r.bytesPostings += postings.length;
    t = performance.now();
    if (sha256(data) !== entry.dataSha256 || sha256(textBytes) !== entry.textSha256 || sha256(postings) !== entry.postingsSha256) {
      throw new Error(`${entry.name}: checksum mismatch`);
    }
    r.shaMs += performance.now() - t;
    t = performance.now();
    const dataText = data.toString('utf8');
    r.utf8Ms += performance.now() - t;
    t = performance.now();
    const allText = textBytes.toString('utf16le');
    r.textDecodeMs += performance.now() - t;
    t = performance.now();
    const json = JSON.parse(dataText) as SegmentJsonShape;
    r.jsonParseMs += performance.now() - t;
    t = performance.now();
    const { store } = decodePostings(postings);
    r.postingsMs += performance.now() - t;
    const sections = store.toSections();
    t = performance.now();
    PostingsStore.fromSections(sections);
    r.fromSectionsMs += performance.now() - t;
    t = performance.now();
    const chunks = json.chunks.map((row, i) => {
      if (!row) return undefined;
      const [a, start, end, flat] = row;
      const article = json.articles[a];
      const sentences = [];
      for (let k = 0; k < flat.length; k += 2) sentences.push({ start: flat[k], end: flat[k + 1] });
      const articleText = allText.slice(article.textStart, article.textStart + article.textLength);
      return { id: `${article.id}#${entry.base + i - article.docStart}`, articleId: article.id, start, end, text: articleText.slice(start, end), sentences };
    });
    r.chunkObjectsMs += performance.now() - t;
    if (chunks.length !== entry.count) throw new Error(`${entry.name}: ${chunks.length} chunks, manifest says ${entry.count}`);
  }
  const segments = await Promise.all(manifest.segments.map((entry) => readSegment(job.indexDir, entry)));
  t = performance.now();
  const index = assembleSnapshot(manifest, segments, null, []);
  r.assembleMs = performance.now() - t;
  t = performance.now();
  await scanCorpus(job.corpusDir);
  r.scanMs = performance.now() - t;
  t = performance.now();
  const { changes } = await corpusChanges(index, job.corpusDir, false);
  r.corpusChangesMs = performance.now() - t;
  if (changes.upsert.length || changes.remove.length) throw new Error(`profile: the folder differs from the index (${changes.upsert.length} new, ${changes.remove.length} gone)`);
  t = performance.now();
  new RetrievalEngine(resources, index);
  r.engineMs = performance.now() - t;
  return r;
}

async function runJobFile(file: string): Promise<void> {
  const job = JSON.parse(await readFile(file, 'utf8')) as Job;
  const result = job.kind === 'changes' ? await changesJob(job) : job.kind === 'open' ? await openJob(job) : await profileJob(job);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

// ───────────────────────────── parent side ─────────────────────────────

interface Spawned {
  ms: number;
  firstOutputMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnNode(args: string[], env: Record<string, string>, onStderr?: (line: string) => void): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstOutputMs = Number.NaN;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      if (Number.isNaN(firstOutputMs)) firstOutputMs = performance.now() - t0;
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (onStderr) for (const line of d.toString().split('\n')) if (line.trim()) onStderr(line.trimEnd());
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, firstOutputMs, code, stdout, stderr }));
  });
}

async function runJob<T>(workDir: string, job: Job, log: (line: string) => void): Promise<T> {
  const file = path.join(workDir, `job-${job.kind}.json`);
  await writeFile(file, JSON.stringify(job));
  const out = await spawnNode(['--max-old-space-size=16384', '--import', 'tsx', fileURLToPath(import.meta.url), '--job', file], {}, log);
  const line = out.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (out.code !== 0 || !line) throw new Error(`live-ingest ${job.kind} job failed (exit ${out.code}): ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
}

async function timeCli(args: string[], env: Record<string, string>, runs: number, shown: string, needsJson: boolean): Promise<CliResult> {
  const runsMs: number[] = [];
  const firstOutputMs: number[] = [];
  let ok = true;
  for (let r = 0; r < runs; r++) {
    const out = await spawnNode([path.join(projectRoot, 'bin', 'trichdan.js'), ...args], env);
    runsMs.push(out.ms);
    firstOutputMs.push(out.firstOutputMs);
    if (out.code !== 0) ok = false;
    if (needsJson) {
      try {
        if (typeof (JSON.parse(out.stdout.trim()) as { answered?: unknown }).answered !== 'boolean') ok = false;
      } catch {
        ok = false;
      }
    }
  }
  return { command: shown, runsMs, firstOutputMs, ok };
}

/** Writes a synthetic corpus of about `target` passages plus the articles to add, and returns what the jobs need. */
async function writeCorpus(root: string, target: number, options: LiveIngestOptions, config: Config) {
  const { runs, coldRuns } = options;
  const articles = (await Promise.all(options.sourceDirs.map(async (d) => (await loadCorpus(d)).articles))).flat();
  const pool = sentencePool(articles);
  const targetChars = Math.round(config.chunking.maxChars * 2.2);
  // Passages per article, from the first 300 (the same seed gives the same articles below).
  const sample = syntheticArticles(pool, 300, targetChars);
  const perArticle = sample.reduce((s, a) => s + chunkArticle(a.article.id, a.article.text, config.chunking).length, 0) / sample.length;
  const count = Math.round(target / perArticle);
  const all = syntheticArticles(pool, count + 2 * runs + coldRuns, targetChars);
  const corpusDir = path.join(root, 'corpus');
  const incomingDir = path.join(root, 'incoming');
  await writeSyntheticCorpus(corpusDir, all.slice(0, count));
  await writeSyntheticCorpus(incomingDir, all.slice(count));
  const incoming = all.slice(count).map((a) => path.join(incomingDir, `${a.article.id}.txt`));
  const removeIds = Array.from({ length: 2 * runs }, (_, k) => all[Math.floor(((k + 0.5) * count) / (2 * runs))].article.id);
  return { corpusDir, incoming, removeIds, count };
}

/** Measures one corpus size in one mode. */
async function measureCase(
  config: Config,
  options: LiveIngestOptions,
  target: number,
  mode: LiveCase['mode'],
): Promise<LiveCase> {
  const { log, runs } = options;
  const root = await mkdtemp(path.join(os.tmpdir(), 'trichdan-live-'));
  try {
    let env: Record<string, string> = {
      TRICHDAN_MODEL: 'trichdan/absent-model',
      TRICHDAN_MODELS_DIR: path.join(root, 'no-models'),
      TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
    };
    if (mode === 'tiny model') env = modelEnv(await tinyModelConfig(config, path.join(root, 'models')));
    log(`${target} passages, ${mode}: writing the corpus in ${root}…`);
    const { corpusDir, incoming, removeIds, count } = await writeCorpus(root, target, options, config);
    const indexDir = path.join(root, 'index');
    const prefix = (l: string) => log(`  ${l.trim()}`);
    log(`${target} passages, ${mode}: ${count} articles; full build, ${runs} adds and ${runs} removes each way…`);
    const changes = await runJob<ChangesResult>(root, { kind: 'changes', env, corpusDir, indexDir, incoming, removeIds, runs }, prefix);
    log(`${target} passages, ${mode}: start with nothing changed (new processes)…`);
    const open = await runJob<OpenResult>(root, { kind: 'open', env, corpusDir, indexDir }, prefix);
    const profile = await runJob<ProfileResult>(root, { kind: 'profile', env, corpusDir, indexDir }, prefix);
    const common = ['--corpus', corpusDir, '--index', indexDir, '-q'];
    const ask = await timeCli([...common, 'ask', '--json', QUESTION], env, options.coldRuns, `node bin/trichdan.js --corpus C --index I -q ask --json "${QUESTION}"`, true);
    const index = await timeCli([...common, 'index'], env, Math.min(3, options.coldRuns), 'node bin/trichdan.js --corpus C --index I -q index', false);
    const add: CliResult = { command: 'node bin/trichdan.js --corpus C --index I -q add NEW.txt', runsMs: [], firstOutputMs: [], ok: true };
    for (const file of incoming.slice(2 * runs)) {
      const one = await timeCli([...common, 'add', file], env, 1, add.command, false);
      add.runsMs.push(...one.runsMs);
      add.firstOutputMs.push(...one.firstOutputMs);
      add.ok &&= one.ok;
    }
    const k = (n: number) => (n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n));
    const floor = await measureProcessFloor(projectRoot, Math.min(3, options.coldRuns));
    const label = `${k(changes.passages)} passages${mode === 'tiny model' ? ', tiny model' : ''}`;
    return { label, floorMs: floor.medianMs, mode, targetPassages: target, changes, open, profile, ask, index, add };
  } finally {
    if (options.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

/** Runs every case and returns them (also printed and saved by {@link runLiveIngest}). */
export async function measureLiveIngest(config: Config, options: LiveIngestOptions): Promise<LiveCase[]> {
  const cases: LiveCase[] = [];
  for (const target of options.passages) cases.push(await measureCase(config, options, target, 'lexical'));
  for (const target of options.dense) cases.push(await measureCase(config, options, target, 'tiny model'));
  return cases;
}

// ───────────────────────────── tables ─────────────────────────────

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
const mp = (values: readonly number[]) => `${fmtMs(median(values))} / ${fmtMs(percentile(values, 95))}`;

/** Segment counts after each add, with the adds that merged marked (`4*`: four segments after a merge). */
function segmentTrail(runs: readonly ChangeRun[], startAt: number): string {
  return `${startAt} → ${runs.map((r) => `${r.segments}${r.mergedAway ? '*' : ''}`).join(' ')}`;
}

/** The results as markdown tables (one column per case). */
export function liveIngestTables(cases: readonly LiveCase[]): string {
  const head = `| | ${cases.map((c) => c.label).join(' | ')} |\n|---|${cases.map(() => '---').join('|')}|`;
  const row = (name: string, cell: (c: LiveCase) => string) => `| ${name} | ${cases.map(cell).join(' | ')} |`;
  const merges = (runs: readonly ChangeRun[]) => runs.map((r) => r.ms).filter((_, i) => runs[i].mergedAway > 0);
  const main = [
    head,
    row('articles / passages', (c) => `${c.changes.articles.toLocaleString('en')} / ${c.changes.passages.toLocaleString('en')}`),
    row('full build, `openIndex({ force: true })` (s)', (c) => s(c.changes.buildMs)),
    row('peak RSS of the build process', (c) => mb(c.changes.buildPeakRss)),
    row('index on disk after the build (files)', (c) => `${mb(c.changes.sizeAfterBuild)} (${c.changes.filesAfterBuild})`),
    row('add 1 article, `library.addPaths` (ms, median / p95)', (c) => mp(c.changes.adds.map((r) => r.ms))),
    row('  … of which adds that merged (ms)', (c) => merges(c.changes.adds).map(fmtMs).join(', ') || '–'),
    row('add 1 article by hand: scan + `updateIndex` + engine (ms)', (c) => mp(c.changes.directAdds.map((r) => r.ms))),
    row('  `corpusChanges` (folder scan) (ms)', (c) => mp(c.changes.directAdds.map((r) => r.scanMs))),
    row('  `updateIndex` alone (ms)', (c) => mp(c.changes.directAdds.map((r) => r.updateMs))),
    row('  new `RetrievalEngine` (ms)', (c) => mp(c.changes.directAdds.map((r) => r.engineMs))),
    row('map of stored text hashes (`sameText` after each change) (ms)', (c) => fmtMs(c.changes.textHashMs)),
    row('segments after each library add (* = merge)', (c) => segmentTrail(c.changes.adds, 1)),
    row('remove 1 article, `library.remove` (ms)', (c) => mp(c.changes.removes.map((r) => r.ms))),
    row('  `updateIndex` alone (ms)', (c) => mp(c.changes.directRemoves.map((r) => r.updateMs))),
    row('index on disk after the adds and removes', (c) => mb(c.changes.sizeAfterChanges)),
    row('no-change `openIndex`, new process (s)', (c) => s(c.open.openMs)),
    row('  + model/lexicon, engine, first `ask` (s)', (c) => `${s(c.open.resourcesMs)} + ${s(c.open.engineMs)} + ${s(c.open.firstAskMs)}`),
    row('  peak RSS of that process', (c) => mb(c.open.peakRss)),
    row('`--help` from spawn to exit (s): node + tsx + CLI modules', (c) => s(c.floorMs)),
    row('`ask --json` from spawn to answer (s, median (runs))', (c) => `${s(median(c.ask.firstOutputMs))} (${c.ask.firstOutputMs.map(s).join(', ')})${c.ask.ok ? '' : ' (failed)'}`),
    row('`index` with nothing changed, spawn to exit (s)', (c) => `${s(median(c.index.runsMs))}${c.index.ok ? '' : ' (failed)'}`),
    row('`add NEW.txt` (one article), spawn to exit (s)', (c) => `${s(median(c.add.runsMs))}${c.add.ok ? '' : ' (failed)'}`),
  ].join('\n');
  const p = (c: LiveCase) => c.profile;
  const profile = [
    head,
    row('segments; data JSON + texts + postings bytes', (c) => `${p(c).segments}; ${mb(p(c).bytesJson)} + ${mb(p(c).bytesText)} + ${mb(p(c).bytesPostings)}`),
    row('process start → job code (node + tsx + imports)', (c) => fmtMs(c.open.bootMs)),
    row('model + lexicon (`loadResources`)', (c) => fmtMs(c.open.resourcesMs)),
    row('read manifest', (c) => fmtMs(p(c).manifestMs)),
    row('read segment files', (c) => fmtMs(p(c).readMs)),
    row('sha256 of segment files', (c) => fmtMs(p(c).shaMs)),
    row('UTF-8 decode of the data JSON', (c) => fmtMs(p(c).utf8Ms)),
    row('UTF-16 decode of the article texts', (c) => fmtMs(p(c).textDecodeMs)),
    row('`JSON.parse` of the data JSON', (c) => fmtMs(p(c).jsonParseMs)),
    row('`decodePostings` (whole)', (c) => fmtMs(p(c).postingsMs)),
    row('  of which `PostingsStore.fromSections` (Maps)', (c) => fmtMs(p(c).fromSectionsMs)),
    row('chunk objects (text slices, sentence spans)', (c) => fmtMs(p(c).chunkObjectsMs)),
    row('`assembleSnapshot` (chunk table, BM25 norms)', (c) => fmtMs(p(c).assembleMs)),
    row('`scanCorpus` (readdir + lstat per file)', (c) => fmtMs(p(c).scanMs)),
    row('`corpusChanges` (scan + compare)', (c) => fmtMs(p(c).corpusChangesMs)),
    row('new `RetrievalEngine` (maps of articles and chunks)', (c) => fmtMs(p(c).engineMs)),
    row('whole `openIndex` (other new process)', (c) => fmtMs(c.open.openMs)),
  ].join('\n');
  return `**Live ingest (segments)**\n\n${main}\n\n**No-change start, split into parts (ms, each part timed in a new process)**\n\n${profile}\n`;
}

/** `npm run bench -- --only live`: measures, prints the tables, saves the raw figures. */
export async function runLiveIngest(config: Config, overrides: Partial<LiveIngestOptions> & { quick?: boolean } = {}): Promise<LiveCase[]> {
  const quick = overrides.quick ?? false;
  const xquad = path.resolve(projectRoot, '..', 'shared', 'datasets', 'xquad-vi', 'articles');
  const sourceDirs = [config.corpusDir, ...(await stat(xquad).then((i) => (i.isDirectory() ? [xquad] : []), () => []))];
  const options: LiveIngestOptions = {
    passages: quick ? [6400] : [6400, 10_000, 100_000],
    dense: quick ? [] : [10_000],
    runs: quick ? 5 : 10,
    coldRuns: quick ? 2 : 5,
    keep: false,
    sourceDirs,
    log: (line) => process.stderr.write(`[bench] live: ${line}\n`),
    ...overrides,
  };
  const started = Date.now();
  const loadBefore = os.loadavg();
  const cases = await measureLiveIngest(config, options);
  const loadAfter = os.loadavg();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const tables = liveIngestTables(cases);
  process.stdout.write(`${tables}\n${os.cpus().length} cores; load average (1/5/15 min) at start ${load(loadBefore)}, at end ${load(loadAfter)}\n`);
  const rawDir = path.join(projectRoot, 'docs', 'bench-raw');
  await mkdir(rawDir, { recursive: true });
  const file = path.join(rawDir, `live-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ date: new Date().toISOString(), loadBefore, loadAfter, durationMs: Date.now() - started, options: { ...options, log: undefined }, cases }, null, 2));
  options.log(`raw figures in ${path.relative(process.cwd(), file)}; ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  return cases;
}

/** A comma-separated list of passage counts. */
function counts(value: string): number[] {
  const list = value.split(',').filter(Boolean).map(Number);
  if (!list.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError('passage counts above 0, separated by commas');
  return list;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) throw new InvalidArgumentError('a whole number above 0');
  return n;
}

/** The command line of this file run on its own (`npm run bench -- --only live` runs it with the defaults). */
function liveIngestCommand(): Command {
  return new Command('live-ingest')
    .description('live ingest over the segmented index: full build, one-article adds and removes, no-change starts')
    .option('--passages <counts>', 'passage counts of the lexical-only corpora, e.g. 6400,10000,100000', counts)
    .option('--dense <counts>', 'passage counts measured again with the tiny generated model', counts)
    .option('--runs <n>', 'adds and removes timed per path', positiveInteger)
    .option('--cold-runs <n>', 'spawns of the CLI per cold-start case', positiveInteger)
    .option('--keep', 'keep the temporary corpora and indexes')
    .option('--quick', 'one small corpus, fewer runs')
    .addOption(new Option('--job <file>', 'run one case described in FILE (used by this file for its child processes)').hideHelp())
    .showHelpAfterError()
    .action(async (opts: Partial<LiveIngestOptions> & { quick?: boolean; job?: string }) => {
      const { job, ...overrides } = opts;
      if (job) await runJobFile(job);
      else await runLiveIngest(loadConfig(process.env, { cwd: projectRoot }), overrides);
    });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await liveIngestCommand().parseAsync(process.argv);
}
