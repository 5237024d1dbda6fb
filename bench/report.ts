/**
 * Turns benchmark results into Markdown tables: what `npm run bench` prints at the end and
 * writes to docs/bench-results.md. Figures only: what they mean is written by people in
 * docs/BENCHMARKS.md.
 */
import type { ColdStartResult } from './cold-start.ts';
import type { IngestResult } from './ingest.ts';
import type { LatencyResult } from './latency.ts';
import type { MachineInfo } from './machine.ts';
import type { QualityRow } from './quality.ts';
import type { ScaleReport } from './scale.ts';
import { E5_SHAPED_MODEL_ID, E5_SHAPED_MODEL_LABEL } from './model.ts';
import { RECALL_TARGET } from './scale.ts';
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

function modelRows(r: BenchResults): (string | number)[][] {
  return [
    ['model', r.model.label],
    ['kind', r.model.kind === 'tiny' ? 'tiny generated test model (no meaning, no translation)' : 'configured model'],
    ['dimension', r.model.dimension],
    ['load (ms)', fmtMs(r.model.loadMs)],
    ['configured model not used because', r.model.fallbackReason ?? '–'],
    ['chunk size (characters)', r.settings.chunking.maxChars],
    ['chunk overlap (sentences)', r.settings.chunking.overlapSentences],
    ['HNSW M / efConstruction / efSearch', `${r.settings.hnsw.m} / ${r.settings.hnsw.efConstruction} / ${r.settings.hnsw.efSearch}`],
    ['embedding batch', r.settings.batchSize],
    ['top-k', r.settings.topK],
    ['en–vi lexicon', r.settings.lexicon ?? 'none'],
  ];
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
  const header = ['corpus', 'passages', 'mode', 'queries', 'total p50', 'p95', 'p99', 'embed p50/p95', 'search p50/p95', 'rest p50/p95', 'answered'];
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
    `${fmtMs(r.rest.p50)} / ${fmtMs(r.rest.p95)}`,
    pct(r.answeredShare),
  ]);
  return (
    'Milliseconds, warm (after 20 unmeasured queries), one query at a time; rest: query analysis, fusion, re-rank and answer composition.' +
    `\n\n${mdTable(header, body)}`
  );
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
    `Batch size ${rows[0]?.batchSize ?? '?'}; a fresh index directory each run; median of the runs. Ratio: trichdan pipeline ÷ transformers.js alone (passages/s).`,
    mdTable(header, body),
    'Stages timed one by one (ms); overhead: non-embedding ms per passage; ≥ 90 %: 1 / (9 × overhead).',
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
    `**${E5_SHAPED_MODEL_LABEL}** (\`${rows[0]?.modelId ?? E5_SHAPED_MODEL_ID}\`); ratio run by run: the pipeline and the model alone timed back to back.`,
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
    `Vectors from ${s.sentences} real sentences (half uniformly random, half real-derived); ${s.queries} real XQuAD questions as queries; ` +
      'recall@10 against exact cosine; k = 10, one query at a time.',
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
    const build = mdTable(
      ['passages', 'articles', 'lexical build', 'lexical RSS', 'HNSW build', 'HNSW RSS', 'peak RSS'],
      [
        [
          e.chunks,
          e.articles,
          secs(e.lexicalBuildMs),
          `+${fmtMB(e.lexicalRssBytes)}`,
          secs(e.hnswBuildMs),
          e.hnswRssBytes > 0 ? `+${fmtMB(e.hnswRssBytes)}` : '–',
          fmtMB(e.peakRssBytes),
        ],
      ],
    );
    out.push(`**\`ask\` at scale** (synthetic articles of real sentences):\n\n${build}\n\n${latencySection(e.latency)}`);
  }
  const rec = s.recommendation;
  out.push(
    `**HNSW settings** (recommended: ${rec ? rec.why : `no measured setting reached recall@10 ≥ ${RECALL_TARGET}`}):\n\n` +
      mdTable(
        ['settings', 'M', 'efConstruction', 'efSearch', 'recall@10', 'search p95 ms', 'build', 'at'],
        [
          ['current', settings.hnsw.m, settings.hnsw.efConstruction, settings.hnsw.efSearch, '', '', '', ''],
          ...(rec ? [['recommended', rec.m, rec.efConstruction, rec.efSearch, f3(rec.recall), fmtMs(rec.p95Ms), secs(rec.buildMs), `${fmtN(rec.n)} × ${rec.dim}`]] : []),
        ],
      ),
  );
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
  return `Wall time from spawning the process to its exit.\n\n${mdTable(header, body)}\n\nCommands:\n\n${commands}`;
}

/** The run's tables as Markdown: machine, command, settings, then one section per benchmark. */
export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const loaded = Math.max(...m.loadStart, ...m.loadEnd) > m.cpus * 0.75;
  const parts: string[] = [];
  parts.push(`# Benchmark figures${r.quick ? ' (quick smoke run: small samples)' : ''}`);
  parts.push(
    `Written by \`${r.command}\` on ${m.date} (${(r.durationMs / 60_000).toFixed(1)} min), commit ${m.commit}; ` +
      'raw figures in docs/bench-raw/. What they mean: docs/BENCHMARKS.md.',
  );
  parts.push(
    `## Machine\n\n${mdTable(
      ['os', 'cpus', 'RAM (GiB)', 'node', 'load at start (1/5/15 min)', 'load at end', 'shared with other work'],
      [
        [
          m.os,
          `${m.cpus} × ${m.cpu}`,
          (m.memoryBytes / 2 ** 30).toFixed(1),
          m.node,
          m.loadStart.map((x) => x.toFixed(2)).join(' / '),
          m.loadEnd.map((x) => x.toFixed(2)).join(' / '),
          loaded ? '**yes** (load above 0.75 per core)' : 'no',
        ],
      ],
    )}`,
  );
  parts.push(`## Settings and model\n\n${mdTable(['setting', 'value'], modelRows(r))}`);
  parts.push(
    r.quality
      ? `## 1. Retrieval quality\n\nAnswer recall@1/@5 and MRR (top 10) over the same passages for every system; ms/q: ranking time per question.\n\n${qualitySection(r.quality)}`
      : '## 1. Retrieval quality\n\nNot run.',
  );
  parts.push(r.latency ? `## 2. Query latency (\`ask\`, end to end)\n\n${latencySection(r.latency)}` : '## 2. Query latency\n\nNot run.');
  parts.push(r.ingest ? `## 3. Ingest throughput\n\n${ingestSection(r.ingest)}` : '## 3. Ingest throughput\n\nNot run.');
  parts.push(r.scale ? `## 4. Scale\n\n${scaleSection(r.scale, r.settings)}` : '## 4. Scale\n\nNot run.');
  parts.push(r.coldStart ? `## 5. Cold start\n\n${coldSection(r.coldStart)}` : '## 5. Cold start\n\nNot run.');
  if (r.skipped.length) parts.push(`## Not run\n\n${r.skipped.map((s) => `- ${s}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
