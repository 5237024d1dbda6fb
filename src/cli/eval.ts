import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { createEngine, type RetrievalEngine } from '../engine.ts';
import {
  type QueryStyle,
  readDevQuestions,
  readXquadQuestions,
  sharedPaths,
  xquadByStyle,
} from '../evaluation/datasets.ts';
import {
  type CalibrationOutcome,
  calibrationMisses,
  calibrationTable,
  isCorrectResult,
  summarizeCalibration,
} from '../evaluation/calibration.ts';
import { firstHit, summarize, table } from '../evaluation/metrics.ts';
import { FOLDS, type JudgedQuestion, foldOf, foldTable, judge, parseTuningFolds } from '../evaluation/folds.ts';

/** Our own answerable and out-of-corpus questions for the confidence bars, committed with the code. */
const CALIBRATION_QUESTIONS = fileURLToPath(new URL('../../eval/calibration-questions.jsonl', import.meta.url));
/** Results asked for with the bar at 0: more than the engine ever looks at for one answer. */
const ALL_PASSAGES = 50;

/** A seed or calibration question's fold: by its (first) article, or by its id when it is out of corpus. */
const devFold = (q: { id: string; doc: string }) => foldOf(q.doc === 'none' ? q.id.replace(/^\D+/, '') || q.id : q.doc.split('|')[0]);

/** Checks each dev question: right article first and the answer quoted, or abstention for "none". */
async function evalDev(engine: RetrievalEngine, file: string, tuning: readonly number[]): Promise<string> {
  const questions = await readDevQuestions(file);
  const byLang = new Map<string, { pass: number; n: number }>();
  const failures: string[] = [];
  for (const q of questions) {
    const answer = await engine.ask(q.q);
    let ok: boolean;
    if (q.doc === 'none') ok = !answer.answered;
    else ok = isCorrectResult(q, answer.results[0]);
    const key = `${q.doc === 'none' ? 'none' : q.lang} (${tuning.includes(devFold(q)) ? 'tuning' : 'held-out'})`;
    const row = byLang.get(key) ?? { pass: 0, n: 0 };
    row.n++;
    if (ok) row.pass++;
    byLang.set(key, row);
    if (!ok) failures.push(`  ${q.id} [${q.lang}] ${answer.answered ? `top: ${answer.results[0].article.id} score ${answer.results[0].score}` : 'not answered'}`);
  }
  const rows = [...byLang].sort(([a], [b]) => a.localeCompare(b)).map(([lang, r]) => [lang, `${r.pass}/${r.n}`]);
  return [`Dev questions (${file})`, table(['style', 'pass'], rows), ...(failures.length ? ['failures:', ...failures] : [])].join('\n');
}

/** Answer recall@1/@5 and MRR on XQuAD-vi for the three query styles, and the fold table of what `ask` shows. */
async function evalXquad(config: Config, paths: NonNullable<ReturnType<typeof sharedPaths>>, quick: boolean, tuning: readonly number[]) {
  const engine = await createEngine(
    { ...config, corpusDir: paths.xquadArticles, indexDir: path.join(config.indexDir, 'xquad-vi') },
    { log: (l) => process.stderr.write(`[xquad] ${l}\n`) },
  );
  const all = await readXquadQuestions(paths.xquadQuestions);
  const rows: (string | number)[][] = [];
  const judged: JudgedQuestion[] = [];
  const styles: QueryStyle[] = ['vi', 'vi-nodiac', 'en'];
  for (const style of styles) {
    let qs = xquadByStyle(all, style);
    if (quick) qs = qs.filter((_, i) => i % 5 === 0);
    const ranks: (number | null)[] = [];
    const t0 = performance.now();
    for (const q of qs) {
      const ranked = await engine.rank(q.q, 10);
      ranks.push(firstHit(ranked.map((r) => r.chunk.text), q.answers));
    }
    const rankMs = (performance.now() - t0) / Math.max(1, qs.length);
    // What a user sees: the answer `ask` composes, confidence bars included.
    const t1 = performance.now();
    for (const q of qs) {
      const verdict = judge((await engine.ask(q.q)).results[0], q.answers);
      judged.push({ style, fold: foldOf(q.article), ...verdict });
    }
    const askMs = (performance.now() - t1) / Math.max(1, qs.length);
    const s = summarize(ranks);
    rows.push([style, s.n, s.r1, s.r5, s.mrr, rankMs.toFixed(1), askMs.toFixed(1)]);
  }
  const { retrieval, chunkCount } = engine.status();
  await engine.close();
  return [
    `XQuAD-vi dev (${retrieval}, ${chunkCount} passages): ranking alone, all folds`,
    table(['style', 'n', 'R@1', 'R@5', 'MRR', 'rank ms/q', 'ask ms/q'], rows),
    '',
    `XQuAD-vi dev, top answer of ask: right/wrong/refused and rate (a refusal is a miss); ${FOLDS} folds by article, tuning folds ${tuning.join(',')}`,
    foldTable(judged, styles, tuning),
  ].join('\n');
}

/**
 * Top confidences of our own calibration questions (bar at 0) per language group, and what the
 * configured bars make of them: answerable questions answered correctly, out-of-corpus ones answered.
 */
async function evalCalibration(config: Config, engine: RetrievalEngine, file: string, tuning: readonly number[]): Promise<string> {
  const unbarredConfig = { ...config, retrieval: { ...config.retrieval, minConfidence: 0, minConfidenceEnglish: 0 } };
  const unbarred = await createEngine(unbarredConfig, { log: () => {} });
  const outcomes: CalibrationOutcome[] = [];
  for (const question of await readDevQuestions(file)) {
    // Every retrieved passage, so the highest confidence among them is seen, not only the top-ranked one's.
    const open = await unbarred.ask(question.q, { topK: ALL_PASSAGES });
    const scores = open.results.map((r) => r.score);
    const answered = (await engine.ask(question.q)).results[0];
    outcomes.push({ question, top: open.results[0], maxConfidence: scores.length ? Math.max(...scores) : null, answered });
  }
  await unbarred.close();
  const bars = { Vietnamese: config.retrieval.minConfidence, English: config.retrieval.minConfidenceEnglish };
  const misses = calibrationMisses(outcomes);
  return [
    `Abstention calibration (${path.relative(process.cwd(), file)})`,
    'confidences with the bar at 0 (correct top: its range and count); last two columns with the configured bars',
    ...(['tuning', 'held-out', 'all'] as const).flatMap((part) => {
      const some = outcomes.filter((o) => part === 'all' || tuning.includes(devFold(o.question)) === (part === 'tuning'));
      return [`${part} folds:`, calibrationTable(summarizeCalibration(some), bars)];
    }),
    ...(misses.length ? ['misses at the configured bars:', ...misses] : []),
  ].join('\n');
}

/** `npm run eval`: the dev-question checks and the XQuAD-vi recall table (from ../shared), and the abstention calibration. */
export async function runEval(config: Config, opts: { quick?: boolean; shared: string; tuneFolds?: string }): Promise<void> {
  const tuning = parseTuningFolds(opts.tuneFolds);
  const engine = await createEngine(config, { log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`retrieval: ${engine.status().retrieval}${engine.status().modelProblem ? ` (${engine.status().modelProblem})` : ''}\n\n`);
  const paths = sharedPaths(path.resolve(opts.shared));
  if (!paths) process.stdout.write(`No evaluation sets in ${opts.shared} (expected eval/ and datasets/xquad-vi/ there): dev questions and XQuAD-vi skipped.\n\n`);
  else process.stdout.write(`${await evalDev(engine, paths.devQuestions, tuning)}\n\n`);
  process.stdout.write(`${await evalCalibration(config, engine, CALIBRATION_QUESTIONS, tuning)}\n`);
  if (paths) process.stdout.write(`\n${await evalXquad(config, paths, Boolean(opts.quick), tuning)}\n`);
}
