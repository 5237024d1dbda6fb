/**
 * Warm query latency of `ask` end to end (query analysis, embedding, search, fusion, answer
 * composition), split by the engine's own timings into embedding / search / composition.
 */
import type { RetrievalEngine } from '../src/engine.ts';
import type { RetrievalMode } from '../src/search/retriever.ts';
import { latencySummary, type LatencySummary } from './stats.ts';

/** Latency of one (corpus, mode) run. */
export interface LatencyResult {
  corpus: string;
  mode: RetrievalMode;
  chunks: number;
  /** Whole `ask` calls. */
  total: LatencySummary;
  embed: LatencySummary;
  search: LatencySummary;
  compose: LatencySummary;
  /** What is left: query analysis, fusion, sorting (total − the three parts), per query. */
  other: LatencySummary;
  /** Share of questions answered (not abstained). */
  answeredShare: number;
}

/**
 * Asks `count` questions (cycling through `questions`) after `warmup` unmeasured ones, and
 * summarises the per-query durations.
 */
export async function measureLatency(
  engine: RetrievalEngine,
  corpus: string,
  questions: readonly string[],
  options: { count: number; warmup: number; mode: RetrievalMode },
): Promise<LatencyResult> {
  if (questions.length === 0) throw new Error('latency needs at least one question');
  for (let i = 0; i < options.warmup; i++) await engine.ask(questions[i % questions.length], {}, { mode: options.mode });
  const total: number[] = [];
  const embed: number[] = [];
  const search: number[] = [];
  const compose: number[] = [];
  const other: number[] = [];
  let answered = 0;
  for (let i = 0; i < options.count; i++) {
    const timings = { embedMs: 0, searchMs: 0, composeMs: 0 };
    const t0 = performance.now();
    const answer = await engine.ask(questions[i % questions.length], {}, { mode: options.mode, timings });
    const ms = performance.now() - t0;
    total.push(ms);
    embed.push(timings.embedMs);
    search.push(timings.searchMs);
    compose.push(timings.composeMs);
    other.push(Math.max(0, ms - timings.embedMs - timings.searchMs - timings.composeMs));
    if (answer.answered) answered++;
  }
  return {
    corpus,
    mode: options.mode,
    chunks: engine.index.chunks.length,
    total: latencySummary(total),
    embed: latencySummary(embed),
    search: latencySummary(search),
    compose: latencySummary(compose),
    other: latencySummary(other),
    answeredShare: answered / options.count,
  };
}

/**
 * The latency question mix: dev questions and XQuAD questions of every style, interleaved
 * (one of each in turn) so any prefix of the list has all styles.
 */
export function interleave(...lists: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i]);
  return out;
}
