import { table } from './metrics.ts';

/**
 * Folds by article: every question about one article falls in the same fold, so a change
 * tuned on some folds is judged on articles (and questions) it has never seen.
 */
export const FOLDS = 4;

/** Folds a change may be tuned on; the others are held out and judge it (`npm run eval -- --tune-folds`). */
export const DEFAULT_TUNING_FOLDS: readonly number[] = [0, 1];

/** The fold of an article key: its leading number ("07-…", "003_…") modulo the fold count, else a hash of the key. */
export function foldOf(articleKey: string, folds = FOLDS): number {
  const lead = /^\d+/.exec(articleKey);
  if (lead) return Number(lead[0]) % folds;
  let h = 0;
  for (const c of articleKey) h = (h * 31 + c.codePointAt(0)!) >>> 0;
  return h % folds;
}

/** What a user saw for one question: its top result holds the answer, holds something else, or nothing was answered. */
export type Verdict = 'right' | 'wrong' | 'refused';

/** The top result of an answer as the evaluation checks it. */
export interface TopResult {
  quote: string;
  passage: string;
}

/** Verdicts at passage level (the top passage holds an answer) and quote level (the top quote does). */
export function judge(top: TopResult | undefined, answers: readonly string[]): { passage: Verdict; quote: Verdict } {
  if (!top) return { passage: 'refused', quote: 'refused' };
  const wanted = answers.map((a) => a.normalize('NFC'));
  const holds = (text: string) => wanted.some((a) => text.normalize('NFC').includes(a));
  return { passage: holds(top.passage) ? 'right' : 'wrong', quote: holds(top.quote) ? 'right' : 'wrong' };
}

/** Right / wrong / refused counts; the rate counts a refusal as a miss. */
export interface Tally {
  right: number;
  wrong: number;
  refused: number;
}

export const emptyTally = (): Tally => ({ right: 0, wrong: 0, refused: 0 });

export const tallyRate = (t: Tally) => t.right / Math.max(1, t.right + t.wrong + t.refused);

/** One judged question: its style, fold and both verdicts. */
export interface JudgedQuestion {
  style: string;
  fold: number;
  passage: Verdict;
  quote: Verdict;
}

/** Tally of one level over the questions of the given style and folds. */
export function tallyOf(judged: readonly JudgedQuestion[], style: string, folds: readonly number[], level: 'passage' | 'quote'): Tally {
  const t = emptyTally();
  for (const j of judged) if (j.style === style && folds.includes(j.fold)) t[j[level]]++;
  return t;
}

const cell = (t: Tally) => `${t.right}/${t.wrong}/${t.refused} ${tallyRate(t).toFixed(3)}`;

/**
 * The fold table: per style and level, right/wrong/refused and the rate on each fold, on the
 * tuning folds together and on the held-out folds together (the figure a change is judged by).
 */
export function foldTable(judged: readonly JudgedQuestion[], styles: readonly string[], tuning: readonly number[], folds = FOLDS): string {
  const all = [...Array(folds).keys()];
  const heldOut = all.filter((f) => !tuning.includes(f));
  const header = ['style', 'level', ...all.map((f) => `fold ${f}${tuning.includes(f) ? ' (tune)' : ''}`), 'tuning', 'HELD-OUT'];
  const rows: string[][] = [];
  for (const style of styles) {
    for (const level of ['passage', 'quote'] as const) {
      rows.push([
        style,
        level,
        ...all.map((f) => cell(tallyOf(judged, style, [f], level))),
        cell(tallyOf(judged, style, tuning, level)),
        cell(tallyOf(judged, style, heldOut, level)),
      ]);
    }
  }
  return table(header, rows);
}

/** Parses `--tune-folds 0,1` into fold numbers (each below the fold count, at least one left held out). */
export function parseTuningFolds(value: string | undefined, folds = FOLDS): number[] {
  if (value === undefined) return [...DEFAULT_TUNING_FOLDS];
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((f) => !Number.isInteger(f) || f < 0 || f >= folds) || list.length >= folds) {
    throw new Error(`--tune-folds: give fold numbers from 0 to ${folds - 1}, comma-separated, leaving at least one held out (got "${value}")`);
  }
  return list;
}
