import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../src/bench/ingest.ts';
import { checkTargets, findings, renderReport, type BenchResults } from '../../src/bench/report.ts';

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

const ingestChecks = (r: BenchResults) => checkTargets(r).filter((c) => c.target.startsWith('Pipeline ingest'));

describe('ingest targets and findings', () => {
  it('judges the target on the tiny-model rows when there is nothing else (runs saved before the e5-shaped rows)', () => {
    const checks = ingestChecks(results([ingestRow({})]));
    expect(checks).toHaveLength(1);
    expect(checks[0].status).toBe('missed');
  });

  it('judges the target on the e5-shaped rows, with the tiny-model overhead in the note', () => {
    const checks = ingestChecks(results([ingestRow({}), shapedRow]));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: 'met' });
    expect(checks[0].target).toContain('e5-shaped');
    expect(checks[0].note).toContain('3.75 ms/passage');
  });

  it('renders both tables and names the generated model where the e5-shaped figures are printed', () => {
    const r = results([ingestRow({}), shapedRow]);
    const report = renderReport(r);
    expect(report).toContain("generated model with multilingual-e5-small's per-token matmul cost (random weights)");
    expect(report).toContain('| XQuAD-vi (48 articles) | 48 | 160 | 410 | 3 |');
    expect(report).toContain('| 94 %, 95 %, 97 % |');
    const ingestFinding = findings(r).find((f) => f.startsWith('**Ingest.**'));
    expect(ingestFinding).toContain('95 %');
    expect(ingestFinding).toContain('no attention scores');
  });
});
