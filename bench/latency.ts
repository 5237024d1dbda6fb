/**
 * Warm query latency of `ask` end to end (query analysis, embedding, search, fusion, re-rank,
 * answer composition), split into the query embedding, the searches (BM25 and HNSW) and the
 * rest. The split is measured from outside the engine: for the run, the embedder's
 * `embedQuery` and the index's `search` methods are wrapped with a stopwatch.
 */
import { RetrievalEngine } from '../src/engine.ts';
import { latencySummary, type LatencySummary } from './stats.ts';

/** Both sides (when the engine has a model), or BM25 alone. */
export type LatencyMode = 'hybrid' | 'lexical';

/** Latency of one (corpus, mode) run. */
export interface LatencyResult {
  corpus: string;
  mode: LatencyMode;
  chunks: number;
  /** Whole `ask` calls. */
  total: LatencySummary;
  /** The query embedding (`embedQuery`). */
  embed: LatencySummary;
  /** BM25 and HNSW searches. */
  search: LatencySummary;
  /** What is left: query analysis, fusion, re-rank and answer composition (total − embed − search), per query. */
  rest: LatencySummary;
  /** Share of questions answered (not abstained). */
  answeredShare: number;
}

type Method<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/**
 * Times every call of `object[name]` into `stopwatch.ms` until the returned function restores
 * the method (the wrapper is an own property shadowing the class's method).
 */
function timeCalls<T extends object>(object: T, name: Method<T>, stopwatch: { ms: number }): () => void {
  const original = object[name] as (...args: unknown[]) => unknown;
  const timed = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const result = original.apply(object, args);
    if (result instanceof Promise) return result.finally(() => (stopwatch.ms += performance.now() - t0));
    stopwatch.ms += performance.now() - t0;
    return result;
  };
  Object.defineProperty(object, name, { value: timed, configurable: true, writable: true });
  return () => delete (object as Record<PropertyKey, unknown>)[name as PropertyKey];
}

/**
 * Asks `count` questions (cycling through `questions`) after `warmup` unmeasured ones, and
 * summarises the per-query durations. `lexical` asks an engine over the same index without
 * the model, which is what the engine does when it has none.
 */
export async function measureLatency(
  engine: RetrievalEngine,
  corpus: string,
  questions: readonly string[],
  options: { count: number; warmup: number; mode: LatencyMode },
): Promise<LatencyResult> {
  if (questions.length === 0) throw new Error('latency needs at least one question');
  const asked = options.mode === 'lexical' ? new RetrievalEngine({ ...engine.resources, embedder: null }, engine.index) : engine;
  for (let i = 0; i < options.warmup; i++) await asked.ask(questions[i % questions.length]);
  const embedTime = { ms: 0 };
  const searchTime = { ms: 0 };
  const { embedder } = asked.resources;
  const { lexical, vectors } = asked.index;
  const restore = [
    ...(embedder ? [timeCalls(embedder, 'embedQuery', embedTime)] : []),
    timeCalls(lexical, 'search', searchTime),
    ...(vectors ? [timeCalls(vectors, 'search', searchTime)] : []),
  ];
  const total: number[] = [];
  const embed: number[] = [];
  const search: number[] = [];
  const rest: number[] = [];
  let answered = 0;
  try {
    for (let i = 0; i < options.count; i++) {
      embedTime.ms = 0;
      searchTime.ms = 0;
      const t0 = performance.now();
      const answer = await asked.ask(questions[i % questions.length]);
      const ms = performance.now() - t0;
      total.push(ms);
      embed.push(embedTime.ms);
      search.push(searchTime.ms);
      rest.push(Math.max(0, ms - embedTime.ms - searchTime.ms));
      if (answer.answered) answered++;
    }
  } finally {
    for (const undo of restore) undo();
  }
  return {
    corpus,
    mode: options.mode,
    chunks: engine.index.chunks.length,
    total: latencySummary(total),
    embed: latencySummary(embed),
    search: latencySummary(search),
    rest: latencySummary(rest),
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
