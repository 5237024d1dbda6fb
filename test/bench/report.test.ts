import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../bench/ingest.ts';
import { renderReport, type BenchResults } from '../../bench/report.ts';

function ingestRow(over: Partial<IngestResult>): IngestResult {
  return {
    corpus: 'XQuAD-vi (48 articles)',
    articles: 48,
    chunks: 160,
    chars: 200_000,
    batchSize: 16,
    runs: 3,
    pipelineMs: 1000,
    articlesPerSec: 48,
    chunksPerSec: 160,
    rawMs: 400,
    rawChunksPerSec: 400,
    ratio: 0.4,
    rawPoolingMs: 2000,
    rawPoolingChunksPerSec: 80,
    ratioPooling: 2,
    stages: { loadClean: 50, chunk: 10, lexical: 400, embed: 400, hnsw: 10 },
    overheadMsPerChunk: 3.75,
    ninetyPercentUpTo: 29.6,
    ...over,
  };
}

/** An e5-shaped row: the forward pass dominates, the pipeline keeps 95 % of the model's throughput. */
const shapedRow = ingestRow({
  corpus: 'XQuAD-vi (48 articles)',
  modelId: 'trichdan/tiny-bow-384-compute12',
  e5Shaped: true,
  tokensPerPassage: 410,
  pipelineMs: 63_000,
  chunksPerSec: 2.54,
  rawMs: 60_000,
  rawChunksPerSec: 2.67,
  ratio: 0.95,
  runRatios: [0.94, 0.95, 0.97],
  rawPoolingMs: null,
  rawPoolingChunksPerSec: null,
  ratioPooling: null,
  overheadMsPerChunk: 18.75,
});

function results(ingest: IngestResult[]): BenchResults {
  return {
    quick: false,
    command: 'npm run bench',
    machine: { os: 'linux', cpu: 'cpu', cpus: 2, memoryBytes: 2 ** 33, node: 'v20', loadStart: [0, 0, 0], loadEnd: [0, 0, 0], date: '2025-01-01T00:00:00Z', commit: 'abc' },
    model: { kind: 'tiny', label: 'tiny', dimension: 128, loadMs: 10, fallbackReason: null },
    settings: { chunking: { maxChars: 1200, overlapSentences: 1 }, hnsw: { m: 16, efConstruction: 200, efSearch: 64 }, batchSize: 16, topK: 10, lexicon: null },
    quality: null,
    latency: null,
    ingest,
    coldStart: null,
    scale: null,
    skipped: [],
    durationMs: 60_000,
  };
}

/** The rows of the Markdown table under the line that starts with `caption` (header and rule left out). */
function tableAfter(report: string, caption: string): string[][] {
  const lines = report.split('\n');
  let i = lines.findIndex((l) => l.startsWith(caption));
  expect(i, `no line starting with ${caption}`).toBeGreaterThanOrEqual(0);
  while (!lines[i].startsWith('|')) i++;
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i].slice(2, -2).split(' | '));
  return rows;
}

describe('bench report', () => {
  it('prints the ingest figures of both models in their own tables', () => {
    const report = renderReport(results([ingestRow({}), shapedRow]));
    const tiny = tableAfter(report, 'Batch size 16');
    expect(tiny).toHaveLength(1);
    // corpus, articles, passages, runs, pipeline, articles/s, passages/s, raw, passages/s, ratio, pooling, passages/s, ratio
    expect(tiny[0]).toEqual(['XQuAD-vi (48 articles)', '48', '160', '3', '1.00 s', '48.0', '160.0', '0.40 s', '400.0', '40 %', '2.00 s', '80.0', '200 %']);
    const stages = tableAfter(report, 'Stages timed one by one');
    expect(stages[0].slice(-2)).toEqual(['3.75', '30']);
    const shaped = tableAfter(report, '**generated model');
    expect(shaped).toHaveLength(1);
    expect(shaped[0].slice(0, 5)).toEqual(['XQuAD-vi (48 articles)', '48', '160', '410', '3']);
    expect(shaped[0]).toContain('95 %');
    expect(shaped[0]).toContain('94 %, 95 %, 97 %');
  });

  it('is figures only: sections for what ran, "Not run" for the rest, no findings or verdicts', () => {
    const report = renderReport({ ...results([ingestRow({})]), skipped: ['scale: not selected (--only)'] });
    expect(report.match(/^## .*/gm)).toEqual([
      '## Machine',
      '## Settings and model',
      '## 1. Retrieval quality',
      '## 2. Query latency',
      '## 3. Ingest throughput',
      '## 4. Scale',
      '## 5. Cold start',
      '## Not run',
    ]);
    expect(report).toContain('## 4. Scale\n\nNot run.');
    expect(report).toContain('- scale: not selected (--only)');
    expect(report).not.toMatch(/Findings|Targets|\bmet\b|missed/);
  });

  it('names the command, the commit and the model of the run', () => {
    const report = renderReport(results([ingestRow({})]));
    expect(report).toContain('Written by `npm run bench` on 2025-01-01T00:00:00Z (1.0 min), commit abc');
    expect(tableAfter(report, '## Settings and model')).toContainEqual(['HNSW M / efConstruction / efSearch', '16 / 200 / 64']);
  });
});
