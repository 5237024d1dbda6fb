import { describe, expect, it } from 'vitest';
import { parseBenchFlags } from '../../bench/cli.ts';
import { recommend } from '../../bench/scale.ts';
import type { HnswResult } from '../../bench/scale-jobs.ts';
import { latencySummary, median, percentile, rate, recallAtK, seededRandom } from '../../bench/stats.ts';
import { exactTopK, normalizeInPlace, syntheticVectors } from '../../bench/synthetic.ts';
import { ExactVectorStore } from '../helpers/exact-vector-store.ts';

describe('percentile (nearest rank)', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

  it('gives the smallest value with at least p % of values at or below it', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it('handles tiny and empty lists', () => {
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2], 50)).toBe(1);
    expect(percentile([1, 2], 51)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });

  it('rejects p outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
  });

  it('does not reorder its input', () => {
    const input = [3, 1, 2];
    percentile(input, 50);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('median, rate, latencySummary', () => {
  it('median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('rate is items per second and 0 for no time', () => {
    expect(rate(50, 500)).toBe(100);
    expect(rate(50, 0)).toBe(0);
  });

  it('latencySummary has n, p50, p95, p99 and mean', () => {
    const s = latencySummary([1, 2, 3, 4]);
    expect(s).toEqual({ n: 4, p50: 2, p95: 4, p99: 4, mean: 2.5 });
  });
});

describe('recallAtK', () => {
  it('counts the true top-k labels found among the first k', () => {
    expect(recallAtK([1, 2, 3], [3, 2, 1], 3)).toBe(1);
    expect(recallAtK([1, 9, 8], [1, 2, 3], 3)).toBeCloseTo(1 / 3);
    expect(recallAtK([9, 1], [1, 2], 1)).toBe(0);
  });
});

describe('exact top-k over synthetic vectors', () => {
  it('agrees with ExactVectorStore', () => {
    const dim = 16;
    const random = seededRandom(3);
    const real = new Float32Array(20 * dim).map(() => random() - 0.5);
    for (let i = 0; i < 20; i++) normalizeInPlace(real.subarray(i * dim, (i + 1) * dim));
    const data = syntheticVectors(real, dim, 500);
    const queries = syntheticVectors(real, dim, 5, { randomShare: 0.5, noise: 0.1, seed: 99 });
    const store = new ExactVectorStore(dim, 500);
    store.add(
      Array.from({ length: 500 }, (_, i) => data.subarray(i * dim, (i + 1) * dim)),
      Array.from({ length: 500 }, (_, i) => i),
    );
    const fast = exactTopK(data, dim, queries, 10);
    for (let q = 0; q < 5; q++) {
      const expected = store.search(queries.subarray(q * dim, (q + 1) * dim), 10).map((h) => h.label);
      expect(fast[q]).toEqual(expected);
    }
  });

  it('makes unit vectors, deterministically, starting with the real ones', () => {
    const dim = 8;
    const real = normalizeInPlace(new Float32Array(dim).fill(1));
    const a = syntheticVectors(real, dim, 50);
    const b = syntheticVectors(real, dim, 50);
    expect(a).toEqual(b);
    expect(Array.from(a.subarray(0, dim))).toEqual(Array.from(real));
    for (let i = 0; i < 50; i++) {
      const row = a.subarray(i * dim, (i + 1) * dim);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
  });
});

describe('recommend', () => {
  const result = (m: number, efConstruction: number, buildMs: number, ef: [number, number, number][]): HnswResult => ({
    kind: 'hnsw',
    n: 100_000,
    dim: 384,
    m,
    efConstruction,
    queries: 200,
    buildMs,
    indexRssBytes: 0,
    peakRssBytes: 0,
    generateMs: 0,
    exactMsPerQuery: 0,
    cosTop1: 0,
    cosTop10: 0,
    truthCached: false,
    ef: ef.map(([efSearch, recall, p95Ms]) => ({ efSearch, recall, p95Ms, p50Ms: p95Ms, p99Ms: p95Ms, minRecall: recall })),
  });

  it('picks the fastest search reaching the recall target, cheaper build among near ties', () => {
    const rec = recommend(
      [
        result(16, 200, 100_000, [[64, 0.985, 0.5], [100, 0.993, 0.7], [200, 0.998, 1.2]]),
        result(16, 100, 60_000, [[64, 0.98, 0.5], [100, 0.991, 0.72], [200, 0.997, 1.1]]),
        result(32, 200, 150_000, [[64, 0.995, 0.9]]),
      ],
      384,
      100_000,
    );
    expect(rec).toMatchObject({ m: 16, efConstruction: 100, efSearch: 100 });
  });

  it('returns null when nothing reaches the target', () => {
    expect(recommend([result(16, 200, 1, [[100, 0.9, 1]])], 384, 100_000)).toBeNull();
  });
});

describe('parseBenchFlags', () => {
  it('reads both --flag value and --flag=value, with the defaults for the rest', async () => {
    const f = await parseBenchFlags(['--model-dir', '/m', '--only=quality,scale', '--budget', '10', '--tiny']);
    expect(f).toMatchObject({ modelDir: '/m', only: ['quality', 'scale'], budgetMinutes: 10, tiny: true, quick: false, shared: '../shared' });
    expect(await parseBenchFlags(['--quick'])).toMatchObject({ quick: true, only: ['quality', 'latency', 'ingest', 'cold', 'scale'], budgetMinutes: 24 });
    expect(await parseBenchFlags(['--only', 'live', '--quick'])).toMatchObject({ only: ['live'], quick: true });
  });

  it('rejects unknown flags, sections and budgets with a message naming them', async () => {
    await expect(parseBenchFlags(['--fast'])).rejects.toThrow(/unknown option '--fast'/);
    await expect(parseBenchFlags(['--only', 'speed'])).rejects.toThrow(/unknown section speed/);
    await expect(parseBenchFlags(['--budget', '0'])).rejects.toThrow(/minutes above 0/);
    await expect(parseBenchFlags(['extra'])).rejects.toThrow(/too many arguments/);
  });
});
