/**
 * Turns benchmark results into Markdown: the tables printed at the end of `npm run bench` and
 * docs/BENCHMARKS.md (machine, date, exact commands, every table, the targets met and missed).
 */
import type { ColdStartResult } from './cold-start.ts';
import type { IngestResult } from './ingest.ts';
import type { LatencyResult } from './latency.ts';
import type { MachineInfo } from './machine.ts';
import type { QualityRow } from './quality.ts';
import type { ScaleReport } from './scale.ts';
import { RECALL_TARGET } from './scale.ts';
import { E5_SHAPED_MODEL_ID, E5_SHAPED_MODEL_LABEL, E5_SMALL_SHAPE } from './model.ts';
import { fmtMB, fmtMs } from './stats.ts';

/** Everything one run measured. Sections not run are null (with the reason in `skipped`). */
export interface BenchResults {
  quick: boolean;
  /** The command line of this run, as typed (with the model settings it used). */
  command: string;
  machine: MachineInfo;
  model: { kind: 'configured' | 'tiny'; label: string; dimension: number; loadMs: number; fallbackReason: string | null };
  settings: {
    chunking: { maxChars: number; overlapSentences: number };
    hnsw: { m: number; efConstruction: number; efSearch: number };
    batchSize: number;
    topK: number;
    lexicon: string | null;
  };
  quality: QualityRow[] | null;
  latency: LatencyResult[] | null;
  ingest: IngestResult[] | null;
  coldStart: ColdStartResult[] | null;
  scale: ScaleReport | null;
  skipped: string[];
  durationMs: number;
}

/** A Markdown table. Numbers that are not integers get 3 decimals. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(3)) : c);
  const line = (r: (string | number)[]) => `| ${r.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

const STYLE_NAMES: Record<string, string> = { vi: 'vi', 'vi-nodiac': 'vi no diacritics', en: 'en' };
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const fmtN = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${Math.round(n / 1e3)}k` : String(n));
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

function modelNote(r: BenchResults): string {
  if (r.model.kind === 'tiny') {
    return (
      `**Dense figures are for the tiny generated test model** (${r.model.label}). ` +
      'It is a bag of random word vectors with a diacritic-folding WordPiece tokenizer: it exercises the real dense path ' +
      '(transformers.js, pooling, HNSW, fusion) but knows no meaning and no English–Vietnamese correspondence. ' +
      'The same command measures the multilingual model when it is present: ' +
      '`TRICHDAN_MODELS_DIR=/path/to/models npm run bench` (the directory holding `Xenova/multilingual-e5-small/`), ' +
      'or `npm run bench -- --model-dir /path/to/models`.' +
      (r.model.fallbackReason ? ` (Configured model not used: ${r.model.fallbackReason}.)` : '')
    );
  }
  return `Dense figures are for **${r.model.label}**, loaded in ${fmtMs(r.model.loadMs)} ms.`;
}

function qualitySection(rows: readonly QualityRow[]): string {
  const out: string[] = [];
  for (const corpus of [...new Set(rows.map((r) => r.corpus))]) {
    const mine = rows.filter((r) => r.corpus === corpus);
    const styles = [...new Set(mine.map((r) => r.style))];
    const header = ['system', ...styles.flatMap((s) => {
      const n = mine.find((r) => r.style === s)?.n ?? 0;
      return [`${STYLE_NAMES[s]} R@1 (n=${n})`, 'R@5', 'MRR'];
    }), 'ms/q'];
    const systems = [...new Set(mine.map((r) => r.system))];
    const body = systems.map((system) => {
      const cells: (string | number)[] = [system];
      let ms = 0;
      let count = 0;
      for (const s of styles) {
        const row = mine.find((r) => r.system === system && r.style === s);
        cells.push(row ? f3(row.r1) : '–', row ? f3(row.r5) : '–', row ? f3(row.mrr) : '–');
        if (row) {
          ms += row.msPerQuery * row.n;
          count += row.n;
        }
      }
      cells.push(fmtMs(count ? ms / count : Number.NaN));
      return cells;
    });
    out.push(`**${corpus}**\n\n${mdTable(header, body)}`);
  }
  return out.join('\n\n');
}

function latencySection(rows: readonly LatencyResult[]): string {
  const header = ['corpus', 'passages', 'mode', 'queries', 'total p50', 'p95', 'p99', 'embed p50/p95', 'search p50/p95', 'compose p50/p95', 'other p95', 'answered'];
  const body = rows.map((r) => [
    r.corpus,
    r.chunks,
    r.mode,
    r.total.n,
    fmtMs(r.total.p50),
    fmtMs(r.total.p95),
    fmtMs(r.total.p99),
    `${fmtMs(r.embed.p50)} / ${fmtMs(r.embed.p95)}`,
    `${fmtMs(r.search.p50)} / ${fmtMs(r.search.p95)}`,
    `${fmtMs(r.compose.p50)} / ${fmtMs(r.compose.p95)}`,
    fmtMs(r.other.p95),
    pct(r.answeredShare),
  ]);
  return `All times in milliseconds, warm (after 20 unmeasured queries), one query at a time.\n\n${mdTable(header, body)}`;
}

/** Rows measured with the bench model (the tiny one or the configured one). */
function benchModelIngest(rows: readonly IngestResult[]): string {
  const header = [
    'corpus',
    'articles',
    'passages',
    'runs',
    'trichdan pipeline',
    'articles/s',
    'passages/s',
    'transformers.js tokenizer + forward',
    'passages/s',
    'ratio',
    'transformers.js pipeline (its pooling)',
    'passages/s',
    'ratio',
  ];
  const body = rows.map((r) => [
    r.corpus,
    r.articles,
    r.chunks,
    r.runs,
    secs(r.pipelineMs),
    r.articlesPerSec.toFixed(1),
    r.chunksPerSec.toFixed(1),
    secs(r.rawMs),
    r.rawChunksPerSec.toFixed(1),
    pct(r.ratio),
    r.rawPoolingMs === null ? '–' : secs(r.rawPoolingMs),
    r.rawPoolingChunksPerSec === null ? '–' : r.rawPoolingChunksPerSec.toFixed(1),
    r.ratioPooling === null ? '–' : pct(r.ratioPooling),
  ]);
  const stages = rows.map((r) => [
    r.corpus,
    fmtMs(r.stages.loadClean),
    fmtMs(r.stages.chunk),
    fmtMs(r.stages.lexical),
    fmtMs(r.stages.embed),
    fmtMs(r.stages.hnsw),
    r.overheadMsPerChunk.toFixed(2),
    Number.isFinite(r.ninetyPercentUpTo) ? r.ninetyPercentUpTo.toFixed(0) : '∞',
  ]);
  return [
    `Batch size ${rows[0]?.batchSize ?? '?'}; a fresh temporary index directory each run (no embedding-cache hits); median of the runs. ` +
      'The pipeline is `loadCorpus` (read + clean) and `openIndex` (chunk, lexical index, embed, HNSW insert, files written); ' +
      'transformers.js alone runs on the same passage texts with the same batch size, two ways: its tokenizer and ONNX forward pass ' +
      'only (the floor every pipeline pays; the ratio the target is about), and its feature-extraction pipeline as a user would call ' +
      "it (`{ pooling: 'mean', normalize: true }`), whose pooling goes through a Proxy on every element and is slower than " +
      "trichdan's own pooling loop — hence ratios above 100 % in that column.",
    mdTable(header, body),
    'Stages timed one by one (ms), and what they mean for a slower model: the non-embedding cost per passage, and the raw model ' +
      'throughput up to which the pipeline keeps ≥ 90 % of it (1 / (9 × overhead)).',
    mdTable(['corpus', 'read + clean', 'chunk', 'lexical', 'embed', 'HNSW insert', 'overhead ms/passage', '≥ 90 % for models up to (passages/s)'], stages),
  ].join('\n\n');
}

/** Rows measured with the e5-shaped generated model. */
function e5ShapedIngest(rows: readonly IngestResult[]): string {
  const header = [
    'corpus',
    'articles',
    'passages',
    'tokens/passage',
    'runs',
    'trichdan pipeline',
    'passages/s',
    'transformers.js tokenizer + forward',
    'passages/s',
    'forward ms/passage',
    'ratio',
    'ratio run by run',
    'embed stage',
    'non-embedding ms/passage',
  ];
  const body = rows.map((r) => [
    r.corpus,
    r.articles,
    r.chunks,
    r.tokensPerPassage === undefined ? '–' : r.tokensPerPassage.toFixed(0),
    r.runs,
    secs(r.pipelineMs),
    r.chunksPerSec.toFixed(2),
    secs(r.rawMs),
    r.rawChunksPerSec.toFixed(2),
    fmtMs(r.rawMs / Math.max(1, r.chunks)),
    pct(r.ratio),
    r.runRatios?.map(pct).join(', ') ?? '–',
    secs(r.stages.embed),
    r.overheadMsPerChunk.toFixed(2),
  ]);
  return [
    `**${E5_SHAPED_MODEL_LABEL}** (\`${rows[0]?.modelId ?? E5_SHAPED_MODEL_ID}\`). The tiny model's bag of random word vectors followed by ` +
      `${E5_SMALL_SHAPE.computeLayers} residual blocks, each with the per-token matrix multiplies of a BERT layer of multilingual-e5-small's width ` +
      `(Q/K/V projection ${E5_SMALL_SHAPE.dimension}×${3 * E5_SMALL_SHAPE.dimension}, output projection ${E5_SMALL_SHAPE.dimension}×${E5_SMALL_SHAPE.dimension}, ` +
      `feed-forward ${E5_SMALL_SHAPE.dimension}×${E5_SMALL_SHAPE.ffnDimension} → Relu → ${E5_SMALL_SHAPE.ffnDimension}×${E5_SMALL_SHAPE.dimension}); ` +
      'the residual branches are scaled to about 1 % so the vectors stay close to the bag-of-words ones. It is run exactly like the bench model: ' +
      'the same pipeline, the same batch size, transformers.js tokenizer + forward on the same passage texts. ' +
      'What it leaves out of e5-small\'s forward pass: the attention scores and their weighted sum (about 10 % of its cost at 256 tokens), ' +
      'softmax, LayerNorm, GELU and biases; and its tokenizer is the tiny WordPiece, not e5\'s SentencePiece, so e5-small may cut the same ' +
      'passages into a different number of tokens (tokens/passage column). The real model is therefore somewhat slower per passage than this one. ' +
      'transformers.js\'s own pooling pipeline is not timed here (it would repeat the same forward pass). The 1st, 3rd, … runs time the ' +
      'pipeline first, the 2nd, 4th, … the model alone first; "ratio run by run" compares the two timed back to back, and its spread is the noise of the machine. ' +
      '"Non-embedding ms/passage" is ' +
      '(pipeline − tokenizer + forward) ÷ passages, floored at 0: with a forward pass this slow it is within the noise of the runs.',
    mdTable(header, body),
  ].join('\n\n');
}

function ingestSection(rows: readonly IngestResult[]): string {
  const benchRows = rows.filter((r) => !r.e5Shaped);
  const shapedRows = rows.filter((r) => r.e5Shaped);
  return [benchRows.length ? benchModelIngest(benchRows) : '', shapedRows.length ? e5ShapedIngest(shapedRows) : ''].filter(Boolean).join('\n\n');
}

function scaleSection(s: ScaleReport, settings: BenchResults['settings']): string {
  const out: string[] = [];
  out.push(
    `Vectors: the ${s.sentences} real sentences of the seed corpus and XQuAD-vi embedded by the model, then up to n: ` +
      'half uniformly random unit vectors, half "real-derived" (a randomly weighted sum of 1–8 consecutive real sentence vectors — a ' +
      `synthetic passage — plus 30 % Gaussian noise). Queries: ${s.queries} real XQuAD questions (vi and en) embedded by the model. ` +
      'Recall@10 is against exact brute-force cosine over the same vectors. Search is one query at a time, k = 10. ' +
      'Memory is the RSS growth over the build (the JS copy of the vectors excluded); "peak" is the whole process.',
  );
  const header = ['n', 'dim', 'M', 'efC', 'build', 'inserts/s', 'index RSS', 'peak RSS', 'exact ms/q', 'efSearch', 'p50 ms', 'p95 ms', 'recall@10', 'min'];
  const body: (string | number)[][] = [];
  for (const r of s.hnsw) {
    const def = r.ef.find((e) => e.efSearch === settings.hnsw.efSearch) ?? r.ef[r.ef.length - 1];
    body.push([
      fmtN(r.n),
      r.dim,
      r.m,
      r.efConstruction,
      secs(r.buildMs),
      Math.round((r.n * 1000) / r.buildMs),
      fmtMB(r.indexRssBytes),
      fmtMB(r.peakRssBytes),
      fmtMs(r.exactMsPerQuery),
      def.efSearch,
      fmtMs(def.p50Ms),
      fmtMs(def.p95Ms),
      f3(def.recall),
      f3(def.minRecall),
    ]);
  }
  out.push(`At the configured efSearch (${settings.hnsw.efSearch}):\n\n${mdTable(header, body)}`);
  const sweepHeader = ['n', 'dim', 'M', 'efC', ...s.hnsw[0].ef.map((e) => `ef ${e.efSearch}`)];
  const sweepBody = s.hnsw.map((r) => [fmtN(r.n), r.dim, r.m, r.efConstruction, ...r.ef.map((e) => `${f3(e.recall)} / ${fmtMs(e.p95Ms)}`)]);
  out.push(`efSearch sweep (recall@10 / search p95 ms):\n\n${mdTable(sweepHeader, sweepBody)}`);
  if (s.endToEnd) {
    const e = s.endToEnd;
    out.push(
      `**\`ask\` at scale**: ${e.chunks.toLocaleString('en')} synthetic passages in ${e.articles.toLocaleString('en')} synthetic articles ` +
        '(runs of real sentences; passage vectors approximated from the sentence embeddings — the length-weighted sum, exact for the ' +
        `bag-of-words model — instead of re-embedding 100k passages). Lexical index built in ${secs(e.lexicalBuildMs)} (+${fmtMB(e.lexicalRssBytes)} RSS), ` +
        `HNSW in ${secs(e.hnswBuildMs)} (${e.hnswRssBytes > 0 ? `+${fmtMB(e.hnswRssBytes)}` : 'its RSS growth is hidden by memory the collector released meanwhile; see the table above'}), peak RSS ${fmtMB(e.peakRssBytes)}.\n\n${latencySection(e.latency)}`,
    );
  }
  if (s.recommendation) {
    const r = s.recommendation;
    out.push(
      `**Recommended HNSW settings** (${r.why}): M=${r.m}, efConstruction=${r.efConstruction}, efSearch=${r.efSearch} ` +
        `→ recall@10 ${f3(r.recall)}, search p95 ${fmtMs(r.p95Ms)} ms, build ${secs(r.buildMs)} at ${fmtN(r.n)} × ${r.dim}. ` +
        `Current settings: M=${settings.hnsw.m}, efConstruction=${settings.hnsw.efConstruction}, efSearch=${settings.hnsw.efSearch}.`,
    );
  } else {
    out.push(`**No measured setting reached recall@10 ≥ ${RECALL_TARGET}** at the largest size of the sweep.`);
  }
  if (s.notes.length) out.push(s.notes.map((n) => `- ${n}`).join('\n'));
  return out.join('\n\n');
}

function coldSection(rows: readonly ColdStartResult[]): string {
  const header = ['case', 'median (s)', 'answer printed at (s)', 'runs (s)', 'answered'];
  const body = rows.map((r) => [
    r.label,
    (r.medianMs / 1000).toFixed(2),
    Number.isFinite(r.medianFirstOutputMs) ? (r.medianFirstOutputMs / 1000).toFixed(2) : '–',
    r.runsMs.map((ms) => (ms / 1000).toFixed(2)).join(', '),
    r.ok ? 'yes' : 'NO',
  ]);
  const commands = rows.map((r) => `- ${r.label}: \`${r.command}\``).join('\n');
  return `Wall time from spawning the process to its exit (the answer is printed just before).\n\n${mdTable(header, body)}\n\nCommands:\n\n${commands}`;
}

/** One target of the issue: what was measured and whether it is met. */
export interface TargetCheck {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measurable here' | 'not run';
  note: string;
}

/** The ingest corpus family a row belongs to, for pairing e5-shaped rows with the bench model's. */
const corpusFamily = (corpus: string) => corpus.split(/[\s(]/)[0];

/**
 * The ingest target, judged on the e5-shaped model's rows when there are any (a forward pass of
 * realistic cost); the bench model's rows then supply the pipeline-overhead figure in the note.
 */
function ingestTargets(r: BenchResults): TargetCheck[] {
  const rows = r.ingest ?? [];
  const shaped = rows.filter((i) => i.e5Shaped);
  const benchRows = rows.filter((i) => !i.e5Shaped);
  if (shaped.length) {
    return shaped.map((i) => {
      const tiny = benchRows.find((b) => corpusFamily(b.corpus) === corpusFamily(i.corpus));
      const overhead = tiny
        ? `pipeline overhead measured with the ${r.model.kind === 'tiny' ? 'tiny' : 'bench'} model on ${tiny.corpus}: ${tiny.overheadMsPerChunk.toFixed(2)} ms/passage (ratio ${pct(tiny.ratio)} there)`
        : '';
      return {
        target: `Pipeline ingest ≥ 90 % of raw model throughput (${i.corpus}, e5-shaped generated model)`,
        measured:
          `${pct(i.ratio)} (${i.chunksPerSec.toFixed(2)} vs ${i.rawChunksPerSec.toFixed(2)} passages/s)` +
          (i.runRatios && i.runRatios.length > 1 ? `; run by run ${i.runRatios.map(pct).join(', ')}` : ''),
        status: i.ratio >= 0.9 ? 'met' : 'missed',
        note: [
          `${E5_SHAPED_MODEL_LABEL}: forward ${fmtMs(i.rawMs / Math.max(1, i.chunks))} ms/passage`,
          overhead,
          r.quick ? 'quick run: few passages' : '',
        ]
          .filter(Boolean)
          .join('; '),
      };
    });
  }
  return benchRows.map((i) => ({
    target: `Pipeline ingest ≥ 90 % of raw model throughput (${i.corpus})`,
    measured: `${pct(i.ratio)} (${i.chunksPerSec.toFixed(1)} vs ${i.rawChunksPerSec.toFixed(1)} passages/s)`,
    status: i.ratio >= 0.9 ? 'met' : 'missed',
    note:
      i.ratio >= 0.9
        ? ''
        : `non-embedding work is ${i.overheadMsPerChunk.toFixed(2)} ms per passage; ${r.model.kind === 'tiny' ? 'the tiny model embeds almost for free, so that overhead dominates; ' : ''}` +
          `the ratio reaches 90 % for any model embedding ≤ ${i.ninetyPercentUpTo.toFixed(0)} passages/s`,
  }));
}

/** Checks the issue's targets against the results. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const q = r.quality ?? [];
  const get = (corpus: string, system: string, style: string) => q.find((x) => x.corpus.startsWith(corpus) && x.system.startsWith(system) && x.style === style);
  if (q.length) {
    const corpora = [...new Set(q.map((x) => x.corpus))];
    for (const corpus of corpora) {
      const lines: string[] = [];
      let beats = true;
      for (const style of ['vi', 'vi-nodiac', 'en']) {
        const ours = get(corpus, 'trichdan lexical', style);
        const mini = get(corpus, 'MiniSearch', style);
        const orama = get(corpus, 'Orama', style);
        if (!ours || !mini || !orama) continue;
        const best = Math.max(mini.r1, orama.r1);
        if (!(ours.r1 > best || (ours.r1 === best && ours.mrr > Math.max(mini.mrr, orama.mrr)))) beats = false;
        lines.push(`${STYLE_NAMES[style]}: ${f3(ours.r1)} vs MiniSearch ${f3(mini.r1)}, Orama ${f3(orama.r1)}`);
      }
      checks.push({
        target: `Ours (no model) beats MiniSearch and Orama on every query style — ${corpus}`,
        measured: `R@1 ${lines.join('; ')}`,
        status: beats ? 'met' : 'missed',
        note: corpus.startsWith('seed') ? 'few questions per style: indicative only' : '',
      });
    }
    const en = get('XQuAD', 'trichdan hybrid', 'en') ?? get('XQuAD', 'trichdan lexical', 'en');
    const enLex = get('XQuAD', 'trichdan lexical', 'en');
    if (en) {
      checks.push({
        target: 'English-question R@1 ≥ 0.80 with the multilingual model (XQuAD-vi)',
        measured: `${en.system}: ${f3(en.r1)}${enLex && enLex !== en ? `; lexical only: ${f3(enLex.r1)}` : ''}`,
        status: r.model.kind === 'tiny' ? 'not measurable here' : en.r1 >= 0.8 ? 'met' : 'missed',
        note:
          r.model.kind === 'tiny'
            ? `no multilingual model on this machine; lexical only (with the en–vi lexicon) ${enLex && enLex.r1 >= 0.8 ? 'already reaches' : 'is below'} 0.80`
            : en.r1 >= 0.8
              ? ''
              : `short by ${f3(0.8 - en.r1)}`,
      });
    }
  } else checks.push({ target: 'Retrieval quality targets', measured: '–', status: 'not run', note: r.skipped.find((s) => s.startsWith('quality')) ?? '' });

  const seedLatency = r.latency?.filter((l) => l.corpus.startsWith('seed')) ?? [];
  if (seedLatency.length) {
    const worst = seedLatency.reduce((a, b) => (a.total.p95 >= b.total.p95 ? a : b));
    checks.push({
      target: 'Query p95 ≤ 50 ms warm, five-article corpus',
      measured: seedLatency.map((l) => `${l.mode} ${fmtMs(l.total.p95)} ms`).join(', '),
      status: worst.total.p95 <= 50 ? 'met' : 'missed',
      note: worst.total.p95 <= 50 ? (r.model.kind === 'tiny' ? 'the multilingual model adds its query embedding time (not measurable here)' : '') : `over by ${fmtMs(worst.total.p95 - 50)} ms`,
    });
  }
  const e2e = r.scale?.endToEnd;
  if (e2e) {
    const worst = e2e.latency.reduce((a, b) => (a.total.p95 >= b.total.p95 ? a : b));
    const search = worst.search.p95;
    checks.push({
      target: 'Query p95 ≤ 100 ms at 100k passages',
      measured: `${e2e.chunks.toLocaleString('en')} passages: ${e2e.latency.map((l) => `${l.mode} ${fmtMs(l.total.p95)} ms`).join(', ')}`,
      status: r.quick ? 'not run' : worst.total.p95 <= 100 ? 'met' : 'missed',
      note: r.quick
        ? 'quick run: smaller corpus'
        : worst.total.p95 <= 100
          ? ''
          : `over by ${fmtMs(worst.total.p95 - 100)} ms; search is ${fmtMs(search)} ms of it at p95 (${worst.mode}), almost all lexical (BM25 over long postings lists)`,
    });
  }
  const at100k = r.scale?.hnsw.filter((h) => h.n === 100_000 && h.m === r.settings.hnsw.m && h.efConstruction === r.settings.hnsw.efConstruction) ?? [];
  for (const h of at100k) {
    const e = h.ef.find((x) => x.efSearch === r.settings.hnsw.efSearch);
    if (!e) continue;
    checks.push({
      target: `HNSW recall@10 ≥ ${RECALL_TARGET} at 100k (dim ${h.dim}, current settings)`,
      measured: `${f3(e.recall)} (p95 ${fmtMs(e.p95Ms)} ms)`,
      status: e.recall >= RECALL_TARGET ? 'met' : 'missed',
      note: e.recall >= RECALL_TARGET ? '' : `short by ${f3(RECALL_TARGET - e.recall)}`,
    });
  }
  const rec = r.scale?.recommendation;
  if (rec && rec.n === 100_000) {
    checks.push({
      target: `HNSW recall@10 ≥ ${RECALL_TARGET} at 100k (dim ${rec.dim}, recommended settings M=${rec.m}, efC=${rec.efConstruction}, efSearch=${rec.efSearch})`,
      measured: `${f3(rec.recall)} (p95 ${fmtMs(rec.p95Ms)} ms)`,
      status: 'met',
      note:
        r.settings.hnsw.m === rec.m && r.settings.hnsw.efConstruction === rec.efConstruction && r.settings.hnsw.efSearch === rec.efSearch
          ? 'these are the current settings'
          : 'the settings are not yet the defaults',
    });
  }
  checks.push(...ingestTargets(r));
  const existing = r.coldStart?.filter((c) => c.label.includes('existing index')) ?? [];
  for (const c of existing) {
    checks.push({
      target: `Cold start ≤ 3 s with an existing index (${c.label.replace(/, existing index$/, '')})`,
      measured: `${(c.medianMs / 1000).toFixed(2)} s`,
      status: c.medianMs <= 3000 ? 'met' : 'missed',
      note: c.medianMs <= 3000 ? '' : `over by ${((c.medianMs - 3000) / 1000).toFixed(2)} s`,
    });
  }
  return checks;
}

/** The reading of the ingest section: the e5-shaped measurement first, the tiny model's overhead figure with it. */
function ingestFinding(r: BenchResults): string | null {
  const rows = r.ingest ?? [];
  const overheadRow = rows.find((i) => !i.e5Shaped && i.corpus.startsWith('synthetic')) ?? rows.find((i) => !i.e5Shaped);
  const shaped = rows.filter((i) => i.e5Shaped);
  const pooling =
    overheadRow && overheadRow.ratioPooling !== null
      ? `transformers.js's own pooling (its pipeline called as documented) is slower than trichdan's, so with the ${r.model.kind === 'tiny' ? 'tiny' : 'bench'} model the pipeline beats that figure (${pct(overheadRow.ratioPooling)}). `
      : '';
  const overhead = overheadRow
    ? `With ${r.model.kind === 'tiny' ? 'the tiny model, whose forward pass is one table lookup,' : 'the bench model'} the pipeline ingests ${overheadRow.chunksPerSec.toFixed(0)} passages/s ` +
      `against ${overheadRow.rawChunksPerSec.toFixed(0)} for transformers.js's tokenizer + forward pass alone (${pct(overheadRow.ratio)}, ${overheadRow.corpus}): that row measures the pipeline's own work, ` +
      `${overheadRow.overheadMsPerChunk.toFixed(1)} ms per passage (reading and cleaning, lexical indexing, cache hashing, HNSW insert, writing files), ` +
      `which keeps the ratio ≥ 90 % for any model that embeds at most ${overheadRow.ninetyPercentUpTo.toFixed(0)} passages/s. `
    : '';
  if (!shaped.length) {
    if (!overheadRow) return null;
    const estimate =
      r.model.kind === 'tiny'
        ? 'multilingual-e5-small is a 12-layer, 384-wide transformer; a ~1,300-character Vietnamese passage is a few hundred tokens, roughly 15 GFLOP per passage, ' +
          'so on 2 cores it should embed on the order of 10 passages/s or fewer — an estimate, not a measurement. '
        : '';
    return `**Ingest.** ${overhead}${estimate}${pooling}`;
  }
  const measured = shaped
    .map(
      (i) =>
        `${i.corpus}: ${i.chunksPerSec.toFixed(2)} vs ${i.rawChunksPerSec.toFixed(2)} passages/s, ${pct(i.ratio)}` +
        `${i.runRatios && i.runRatios.length > 1 ? ` (run by run ${i.runRatios.map(pct).join(', ')})` : ''}` +
        `, forward ${fmtMs(i.rawMs / Math.max(1, i.chunks))} ms per passage of ~${(i.tokensPerPassage ?? Number.NaN).toFixed(0)} tokens`,
    )
    .join('; ');
  const allMet = shaped.every((i) => i.ratio >= 0.9);
  const runRatios = shaped.flatMap((i) => i.runRatios ?? []);
  const forwardMs = Math.min(...shaped.map((i) => i.rawMs / Math.max(1, i.chunks)));
  const share = overheadRow ? ` The pipeline's own work (measured with the ${r.model.kind === 'tiny' ? 'tiny' : 'bench'} model, next) is about ${pct(overheadRow.overheadMsPerChunk / forwardMs)} of that forward pass, ` +
      'far below what a shared machine adds or takes away from one run to the next.'
    : '';
  return (
    `**Ingest.** Measured with the ${E5_SHAPED_MODEL_LABEL} — whole pipeline against transformers.js's tokenizer + forward pass alone on the same passages: ${measured}. ` +
    (allMet
      ? 'By the median of the runs the pipeline keeps ≥ 90 % of the raw model throughput on every corpus measured'
      : 'By the median of the runs the pipeline falls below 90 % of the raw model throughput on at least one corpus') +
    (runRatios.length > 1 ? `; single runs range from ${pct(Math.min(...runRatios))} to ${pct(Math.max(...runRatios))}.` : '.') +
    share +
    ' ' +
    overhead +
    'Caveats: the generated blocks have e5-small\'s per-token matrix multiplies but no attention scores (about 10 % of its cost at 256 tokens), softmax, LayerNorm or GELU, ' +
    'and the tokenizer is not e5\'s, so the real model is somewhat slower per passage (which moves the ratio towards 100 %, not away); ' +
    `${r.quick ? 'this quick run used a few articles per corpus; ' : ''}` +
    'with a forward pass this slow the ratio is mostly the noise of the machine (other work shares its cores; ratios above 100 % are that noise, not a pipeline faster than its model). ' +
    pooling
  );
}

/** What the numbers say: the reading of each section, with the numbers it rests on. */
export function findings(r: BenchResults): string[] {
  const out: string[] = [];
  const q = r.quality ?? [];
  const row = (corpus: string, system: string, style: string) => q.find((x) => x.corpus.startsWith(corpus) && x.system.startsWith(system) && x.style === style);
  const lex = (s: string) => row('XQuAD', 'trichdan lexical', s);
  const mini = (s: string) => row('XQuAD', 'MiniSearch', s);
  const orama = (s: string) => row('XQuAD', 'Orama', s);
  const hybrid = (s: string) => row('XQuAD', 'trichdan hybrid', s);
  if (lex('vi') && mini('vi') && orama('vi')) {
    out.push(
      `**Quality, lexical.** On XQuAD-vi our BM25 (no model) ${['vi', 'vi-nodiac', 'en'].every((st) => (lex(st)?.r1 ?? 0) > Math.max(mini(st)?.r1 ?? 0, orama(st)?.r1 ?? 0)) ? 'leads on every style' : 'does not lead on every style'}: R@1 vi ${f3(lex('vi')!.r1)} / no diacritics ${f3(lex('vi-nodiac')?.r1 ?? NaN)} / en ${f3(lex('en')?.r1 ?? NaN)}, ` +
        `against MiniSearch ${f3(mini('vi')!.r1)} / ${f3(mini('vi-nodiac')?.r1 ?? NaN)} / ${f3(mini('en')?.r1 ?? NaN)} and Orama ${f3(orama('vi')!.r1)} / ${f3(orama('vi-nodiac')?.r1 ?? NaN)} / ${f3(orama('en')?.r1 ?? NaN)}. ` +
        'MiniSearch is close on Vietnamese with diacritics (both are BM25 over syllables) but has no diacritic folding, so questions typed without ' +
        'diacritics lose most matches; English questions only match names and numbers without the en–vi lexicon. Orama\'s default English tokenizer ' +
        'splits words at every letter outside A–Z and à è é ì ò ó ù ("Việt" → "vi", "t"; "trưởng" → "tr", "ng"), which wrecks Vietnamese with ' +
        'diacritics, the style it should find easiest. On the seed dev questions (2–6 per style) the differences are one question either way.',
    );
  }
  if (hybrid('vi') && lex('vi')) {
    const styles = ['vi', 'vi-nodiac', 'en'];
    const gains = styles.map((st) => (hybrid(st)?.r1 ?? NaN) - (lex(st)?.r1 ?? NaN));
    const verdict = `${gains.every((g) => g >= -0.005) ? 'at least level with' : gains.every((g) => g <= 0.005) ? 'at most level with' : 'mixed against'} lexical alone (R@1 hybrid − lexical: ${gains.map((g, i) => `${STYLE_NAMES[styles[i]]} ${g >= 0 ? '+' : '−'}${Math.abs(g).toFixed(3)}`).join(', ')})`;
    const pure = (st: string) => row('XQuAD', 'HNSW cosine only', st);
    const exact = (st: string) => row('XQuAD', 'exact cosine', st);
    out.push(
      `**Quality, dense and hybrid${r.model.kind === 'tiny' ? ' (tiny model)' : ''}.** Cosine alone over the ${r.model.kind === 'tiny' ? "tiny model's " : ''}vectors reaches R@1 ` +
        `vi ${f3(pure('vi')?.r1 ?? NaN)}, en ${f3(pure('en')?.r1 ?? NaN)}` +
        (r.model.kind === 'tiny' ? ' (a bag of random word vectors knows no meaning and no translation)' : '') +
        `; the retriever's dense mode re-ranks those candidates by their best sentence's lexical coverage (vi ${f3(row('XQuAD', 'trichdan dense mode', 'vi')?.r1 ?? NaN)}), ` +
        `and the hybrid (R@1 vi ${f3(hybrid('vi')!.r1)}, en ${f3(hybrid('en')?.r1 ?? NaN)}) is ${verdict}. ` +
        (r.model.kind === 'tiny'
          ? 'This says nothing about multilingual-e5-small, which these machines cannot load; the dense weight of the fusion should be measured again once it is present. '
          : '') +
        (pure('vi') && exact('vi') && Math.abs(pure('vi')!.r1 - exact('vi')!.r1) < 0.005 && Math.abs((pure('en')?.r1 ?? 0) - (exact('en')?.r1 ?? 0)) < 0.005
          ? 'HNSW and exact cosine give the same recall at this size, as they should.'
          : 'HNSW and exact cosine differ here: see the scale section for recall against exact search.'),
    );
  }
  const seedLat = r.latency?.find((l) => l.corpus.startsWith('seed') && l.mode === 'hybrid');
  if (seedLat) {
    out.push(
      `**Latency, small corpora.** Warm \`ask\` is a few milliseconds (seed corpus p95 ${fmtMs(seedLat.total.p95)} ms hybrid); answer composition ` +
        `(sentence selection and quote checks) is most of it, search and the query embedding are well under a millisecond here` +
        (r.model.kind === 'tiny' ? ' — the multilingual model\'s query embedding (one forward pass) will add to this and could not be measured.' : '.') +
        ' Figures are per query, one at a time, on a machine other jobs were also using: p99 is noisy.',
    );
  }
  const e2e = r.scale?.endToEnd;
  if (e2e && !r.quick) {
    const lexMode = e2e.latency.find((l) => l.mode === 'lexical');
    const hyb = e2e.latency.find((l) => l.mode === 'hybrid');
    out.push(
      `**Latency at ${e2e.chunks.toLocaleString('en')} passages.** p95 ${hyb ? fmtMs(hyb.total.p95) : '–'} ms hybrid, ${lexMode ? fmtMs(lexMode.total.p95) : '–'} ms lexical-only, ` +
        `and the search step is ${lexMode ? fmtMs(lexMode.search.p50) : '–'} ms at p50 even without the dense side: the BM25 scorer walks the full postings ` +
        'of every query term (common syllables such as "của", "là", "năm" occur in most passages; English questions expand into many weighted translations) and ' +
        'accumulates scores over every matching passage before picking the best. HNSW search at this size costs about a millisecond. ' +
        `The lexical index also holds ${fmtMB(e2e.lexicalRssBytes)} for these passages (syllables, folded syllables and both kinds of pairs, as JS strings ` +
        'and arrays, while it is built). Pruning postings work (MaxScore/WAND) would cut the search step further.',
    );
  }
  const ingest = ingestFinding(r);
  if (ingest) out.push(ingest);
  const s = r.scale;
  if (s && s.hnsw.length) {
    const current = s.hnsw.filter((h) => h.m === r.settings.hnsw.m && h.efConstruction === r.settings.hnsw.efConstruction);
    const sizes = [...new Set(current.map((h) => h.n))].sort((a, b) => a - b);
    const shown = sizes.filter((n) => n >= 100_000);
    const base = current.filter((h) => (shown.length ? shown : sizes.slice(-1)).includes(h.n));
    const rec = s.recommendation;
    out.push(
      '**HNSW.** With the current settings, ' +
        base
          .map((h) => {
            const e = h.ef.find((x) => x.efSearch === r.settings.hnsw.efSearch);
            const most = h.ef[h.ef.length - 1];
            return `at ${fmtN(h.n)} × ${h.dim} recall@10 is ${e ? f3(e.recall) : '–'} in ${e ? fmtMs(e.p95Ms) : '–'} ms p95 (${f3(most.recall)} at efSearch ${most.efSearch}; build ${secs(h.buildMs)})`;
          })
          .join('; ') +
        '. These vectors are likely harder than real multilingual-e5 embeddings: half are uniformly random in the full dimension, and the tiny model\'s ' +
        'bag-of-words vectors have a high intrinsic dimension, where graph search needs larger candidate lists; queries sit far from every passage ' +
        `(mean cosine to the 1st / 10th exact neighbour: ${base.map((h) => `${f3(h.cosTop1)} / ${f3(h.cosTop10)} at ${fmtN(h.n)} × ${h.dim}`).join(', ')}). ` +
        'Read the recall figures as pessimistic, and measure again with the real model. ' +
        (rec
          ? `Search time is small in absolute terms (p95 ${fmtMs(rec.p95Ms)} ms at efSearch ${rec.efSearch}), far below the lexical side, so a larger efSearch is ` +
            `the cheap way to recall; the sweep's choice is M=${rec.m}, efConstruction=${rec.efConstruction}, efSearch=${rec.efSearch} ` +
            `(recall@10 ${f3(rec.recall)}, build ${secs(rec.buildMs)} at ${fmtN(rec.n)} × ${rec.dim}). A slower build matters little: with a real model, ` +
            'embedding the passages takes far longer than inserting them (see Ingest), and changing M or efConstruction rebuilds only the HNSW file ' +
            '(vectors come from the embedding cache). At 1M the same data needs a larger efSearch again: recall keeps falling with n at a fixed efSearch.'
          : 'No setting of the sweep reached the target.') +
        ' hnswlib-node is compiled here without -march=native (no AVX), and inserts run on one thread: builds are slower than hnswlib\'s published figures.',
    );
  }
  const cold = r.coldStart?.find((c) => c.label.includes('existing index'));
  const floor = r.coldStart?.find((c) => c.label.startsWith('process'));
  if (cold && floor) {
    out.push(
      `**Cold start.** ${(cold.medianMs / 1000).toFixed(2)} s with an existing index (seed corpus), of which ${(floor.medianMs / 1000).toFixed(2)} s is starting Node, ` +
        'tsx compiling the TypeScript sources and loading the CLI modules (`--help`). A rebuild of a small corpus adds little because chunking, BM25 and the ' +
        (r.model.kind === 'tiny' ? 'tiny model are fast; with the multilingual model a rebuild is dominated by embedding (see Ingest).' : 'model are measured together here.'),
    );
  }
  return out;
}

/** The whole report as Markdown. */
export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const parts: string[] = [];
  parts.push(`# Benchmarks${r.quick ? ' (quick smoke run — small samples, not the reference figures)' : ''}`);
  parts.push(
    `Generated by \`${r.command}\` on ${m.date} (${(r.durationMs / 60_000).toFixed(1)} min), commit ${m.commit}. ` +
      'Regenerate with the commands below; this file is overwritten by a full run.',
  );
  parts.push(
    [
      '## Machine',
      '',
      `- ${m.os}, ${m.cpus} × ${m.cpu}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, no GPU`,
      `- Node ${m.node}`,
      `- load average (1/5/15 min) at start ${m.loadStart.map((x) => x.toFixed(2)).join(' / ')}, at end ${m.loadEnd.map((x) => x.toFixed(2)).join(' / ')}` +
        (Math.max(...m.loadStart, ...m.loadEnd) > m.cpus * 0.75
          ? ' — **the machine was shared with other work during the run; timings are pessimistic and noisy**'
          : ''),
    ].join('\n'),
  );
  parts.push(
    [
      '## Commands',
      '',
      '- full run (writes this file): `npm run bench` (= `node bin/trichdan.js bench`)',
      '- smoke run, two minutes or so (writes docs/bench-raw/quick.md): `npm run bench -- --quick`',
      '- with the multilingual model: `TRICHDAN_MODELS_DIR=/path/to/models npm run bench` or `npm run bench -- --model-dir /path/to/models` (the directory that holds `Xenova/multilingual-e5-small/`); `--tiny` forces the generated test model',
      '- other flags: `--shared DIR` (evaluation sets, default ../shared), `--only quality,latency,ingest,cold,scale`, `--budget MINUTES` (full run: 1M vectors only if they fit, default 24), `--out FILE`, `--render docs/bench-raw/RUN.json` (re-render a saved run without measuring)',
      `- this run: \`${r.command}\``,
      '- raw results (JSON): docs/bench-raw/ (not committed)',
    ].join('\n'),
  );
  parts.push(
    [
      '## Settings and model',
      '',
      modelNote(r),
      '',
      `Chunks of at most ${r.settings.chunking.maxChars} characters with ${r.settings.chunking.overlapSentences} sentence(s) of overlap; ` +
        `HNSW M=${r.settings.hnsw.m}, efConstruction=${r.settings.hnsw.efConstruction}, efSearch=${r.settings.hnsw.efSearch}; ` +
        `embedding batch ${r.settings.batchSize}; top-k ${r.settings.topK}; en–vi lexicon: ${r.settings.lexicon ?? 'none'}.`,
    ].join('\n'),
  );
  const checks = checkTargets(r);
  parts.push(
    `## Targets\n\n${mdTable(
      ['target', 'measured', 'status', 'note'],
      checks.map((c) => [c.target, c.measured, c.status === 'met' ? 'met' : `**${c.status}**`, c.note]),
    )}`,
  );
  const found = findings(r);
  if (found.length) parts.push(`## Findings\n\n${found.join('\n\n')}`);
  parts.push(
    r.quality
      ? `## 1. Retrieval quality\n\nAnswer recall@1/@5 and MRR (top 10): a question counts at rank k when the k-th passage contains one of its answers (seed dev questions: and comes from one of its articles; "none" questions are left out). Every system ranks the same passages (title + chunk text, as trichdan indexes them). "vi no diacritics" is the Vietnamese questions with diacritics stripped by code. ms/q is ranking time per question.\n\n${qualitySection(r.quality)}`
      : '## 1. Retrieval quality\n\nNot run.',
  );
  parts.push(r.latency ? `## 2. Query latency (\`ask\`, end to end)\n\n${latencySection(r.latency)}` : '## 2. Query latency\n\nNot run.');
  parts.push(r.ingest ? `## 3. Ingest throughput\n\n${ingestSection(r.ingest)}` : '## 3. Ingest throughput\n\nNot run.');
  parts.push(r.scale ? `## 4. Scale\n\n${scaleSection(r.scale, r.settings)}` : '## 4. Scale\n\nNot run.');
  parts.push(r.coldStart ? `## 5. Cold start\n\n${coldSection(r.coldStart)}` : '## 5. Cold start\n\nNot run.');
  if (r.skipped.length) parts.push(`## Not run\n\n${r.skipped.map((s) => `- ${s}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
