/**
 * Small, pure helpers for benchmark numbers: percentiles, medians, rates, and a
 * seeded random source so synthetic data is the same on every run.
 */

/**
 * The `p`-th percentile (0..100) of `values` by the nearest-rank method: the smallest
 * value such that at least p % of the values are less than or equal to it. NaN when empty.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median (mean of the two middle values for an even count). NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Arithmetic mean. NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** p50 / p95 / p99 / mean of a list of durations (milliseconds). */
export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Summarises durations into p50 / p95 / p99 / mean. */
export function latencySummary(values: readonly number[]): LatencySummary {
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), mean: mean(values) };
}

/** Items per second; 0 when no time passed. */
export function rate(items: number, ms: number): number {
  return ms > 0 ? (items * 1000) / ms : 0;
}

/** Formats milliseconds for a table: 3 significant digits below 100, whole numbers above. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** Formats a byte count as MB (10^6 bytes). */
export function fmtMB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(0)} MB` : '–';
}

/** The seeded PRNG shared with the generated test model. */
export { seededRandom } from '../test/helpers/tiny-model.ts';

/** A standard normal sample from a uniform source (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Recall@k of `found` against `truth` (both label lists; only the first k of each count). */
export function recallAtK(found: readonly number[], truth: readonly number[], k: number): number {
  const want = new Set(truth.slice(0, k));
  if (want.size === 0) return 1;
  let hit = 0;
  for (const label of found.slice(0, k)) if (want.has(label)) hit++;
  return hit / want.size;
}
