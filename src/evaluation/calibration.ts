import type { DevQuestion } from './datasets.ts';
import { table } from './metrics.ts';

/** The part of an answer result that is checked against a question's gold article and answer. */
export interface CheckedResult {
  article: { id: string };
  quote: string;
  passage: string;
  score: number;
}

/** True when the result comes from one of the question's articles and its quote or passage holds the answer. */
export function isCorrectResult(question: DevQuestion, result: CheckedResult | undefined): boolean {
  if (!result || question.doc === 'none') return false;
  const want = question.answer.normalize('NFC');
  const fromGoldArticle = question.doc.split('|').some((doc) => result.article.id.startsWith(doc));
  return fromGoldArticle && (result.quote.includes(want) || result.passage.includes(want));
}

/** One calibration question asked twice: with no confidence bar, and with the configured bars. */
export interface CalibrationOutcome {
  question: DevQuestion;
  /** Top-ranked result with the bar at 0 (its score is the top confidence), or undefined when nothing was retrieved. */
  top: CheckedResult | undefined;
  /** Highest confidence of any retrieved passage with the bar at 0 (what decides abstention), or null. */
  maxConfidence: number | null;
  /** First result with the configured bars, or undefined when the engine abstained. */
  answered: CheckedResult | undefined;
}

/** The two groups that have their own threshold. */
export type LanguageGroup = 'Vietnamese' | 'English';

/** English questions have their own bar; Vietnamese ones share one, typed with or without diacritics. */
export const languageGroup = (lang: string): LanguageGroup => (lang === 'en' ? 'English' : 'Vietnamese');

/** How one language group's confidences fall, and what the configured bars make of them. */
export interface GroupSummary {
  group: LanguageGroup;
  answerable: number;
  /** Min and max top confidence over answerable questions whose top result is correct; null when there is none. */
  correctRange: [number, number] | null;
  correctTop: number;
  wrongTop: number;
  outOfCorpus: number;
  /** Highest confidence of any passage retrieved for an out-of-corpus question; null when none retrieved anything. */
  outOfCorpusMax: number | null;
  /** With the configured bars: answerable questions answered with a correct top result. */
  answeredCorrectly: number;
  /** With the configured bars: out-of-corpus questions that were answered anyway. */
  outOfCorpusAnswered: number;
}

function range(values: readonly number[]): [number, number] | null {
  return values.length ? [Math.min(...values), Math.max(...values)] : null;
}

function summarizeGroup(group: LanguageGroup, outcomes: readonly CalibrationOutcome[]): GroupSummary {
  const answerable = outcomes.filter((o) => o.question.doc !== 'none');
  const outOfCorpus = outcomes.filter((o) => o.question.doc === 'none');
  const correctTop = answerable.filter((o) => isCorrectResult(o.question, o.top));
  const outScores = outOfCorpus.flatMap((o) => (o.maxConfidence === null ? [] : [o.maxConfidence]));
  return {
    group,
    answerable: answerable.length,
    correctRange: range(correctTop.map((o) => o.top?.score ?? 0)),
    correctTop: correctTop.length,
    wrongTop: answerable.length - correctTop.length,
    outOfCorpus: outOfCorpus.length,
    outOfCorpusMax: outScores.length ? Math.max(...outScores) : null,
    answeredCorrectly: answerable.filter((o) => isCorrectResult(o.question, o.answered)).length,
    outOfCorpusAnswered: outOfCorpus.filter((o) => o.answered !== undefined).length,
  };
}

/** Summaries per language group (Vietnamese first), for the groups that have questions. */
export function summarizeCalibration(outcomes: readonly CalibrationOutcome[]): GroupSummary[] {
  return (['Vietnamese', 'English'] as const)
    .map((group) => summarizeGroup(group, outcomes.filter((o) => languageGroup(o.question.lang) === group)))
    .filter((s) => s.answerable + s.outOfCorpus > 0);
}

const fixed = (x: number | null, digits = 3) => (x === null ? '-' : x.toFixed(digits));

/** The calibration table: one row per language group, with the bar each group is held to. */
export function calibrationTable(summaries: readonly GroupSummary[], bars: Record<LanguageGroup, number>): string {
  const rows = summaries.map((s) => [
    s.group,
    `${s.answerable} / ${s.outOfCorpus}`,
    s.correctRange ? `${fixed(s.correctRange[0])} – ${fixed(s.correctRange[1])} (${s.correctTop})` : '-',
    s.wrongTop,
    fixed(s.outOfCorpusMax),
    fixed(bars[s.group]),
    `${s.answeredCorrectly}/${s.answerable}`,
    `${s.outOfCorpusAnswered}/${s.outOfCorpus}`,
  ]);
  const header = ['group', 'answerable / out', 'correct top: conf', 'wrong top', 'out: max conf', 'bar', 'answered right', 'out answered'];
  return table(header, rows);
}

const described = (q: DevQuestion, r: CheckedResult | undefined) =>
  r ? `${r.article.id.slice(0, 3)} ${fixed(r.score, 4)}${isCorrectResult(q, r) ? ' (correct)' : ''}` : 'none';

/** One line per question the configured bars get wrong: an answerable one refused or answered wrongly, an out-of-corpus one answered. */
export function calibrationMisses(outcomes: readonly CalibrationOutcome[]): string[] {
  const line = (o: CalibrationOutcome, what: string) =>
    `  ${o.question.id} [${o.question.lang}] ${what}; top at bar 0: ${described(o.question, o.top)}, max ${fixed(o.maxConfidence, 4)}`;
  return outcomes.flatMap((o) => {
    if (o.question.doc === 'none') return o.answered ? [line(o, `out of corpus, answered ${described(o.question, o.answered)}`)] : [];
    if (isCorrectResult(o.question, o.answered)) return [];
    return [line(o, o.answered ? `answered wrongly ${described(o.question, o.answered)}` : 'refused')];
  });
}
