import path from 'node:path';
import type { Config } from '../config.ts';
import { createEngine, type RetrievalEngine } from '../engine.ts';
import {
  type QueryStyle,
  readDevQuestions,
  readXquadQuestions,
  sharedPaths,
  xquadByStyle,
} from '../evaluation/datasets.ts';
import { firstHit, summarize, table } from '../evaluation/metrics.ts';

/** Checks each dev question: right article first and the answer quoted, or abstention for "none". */
async function evalDev(engine: RetrievalEngine, file: string): Promise<string> {
  const questions = await readDevQuestions(file);
  const byLang = new Map<string, { pass: number; n: number }>();
  const failures: string[] = [];
  for (const q of questions) {
    const answer = await engine.ask(q.q);
    let ok: boolean;
    if (q.doc === 'none') ok = !answer.answered;
    else {
      const top = answer.results[0];
      const docs = q.doc.split('|');
      const want = q.answer.normalize('NFC');
      ok = Boolean(top && docs.some((d) => top.article.id.startsWith(d)) && (top.quote.includes(want) || top.passage.includes(want)));
    }
    const key = q.doc === 'none' ? 'none' : q.lang;
    const row = byLang.get(key) ?? { pass: 0, n: 0 };
    row.n++;
    if (ok) row.pass++;
    byLang.set(key, row);
    if (!ok) failures.push(`  ${q.id} [${q.lang}] ${answer.answered ? `top: ${answer.results[0].article.id} score ${answer.results[0].score}` : 'not answered'}`);
  }
  const rows = [...byLang].map(([lang, r]) => [lang, `${r.pass}/${r.n}`]);
  return [`Dev questions (${file})`, table(['style', 'pass'], rows), ...(failures.length ? ['failures:', ...failures] : [])].join('\n');
}

/** Answer recall@1/@5 and MRR on XQuAD-vi for the three query styles. */
async function evalXquad(config: Config, paths: NonNullable<ReturnType<typeof sharedPaths>>, quick: boolean) {
  const engine = await createEngine(
    { ...config, corpusDir: paths.xquadArticles, indexDir: path.join(config.indexDir, 'xquad-vi') },
    { log: (l) => process.stderr.write(`[xquad] ${l}\n`) },
  );
  const all = await readXquadQuestions(paths.xquadQuestions);
  const rows: (string | number)[][] = [];
  for (const style of ['vi', 'vi-nodiac', 'en'] as QueryStyle[]) {
    let qs = xquadByStyle(all, style);
    if (quick) qs = qs.filter((_, i) => i % 5 === 0);
    const ranks: (number | null)[] = [];
    const t0 = performance.now();
    for (const q of qs) {
      const ranked = await engine.rank(q.q, 10);
      ranks.push(firstHit(ranked.map((r) => r.chunk.text), q.answers));
    }
    const ms = (performance.now() - t0) / Math.max(1, qs.length);
    const s = summarize(ranks);
    rows.push([style, s.n, s.r1, s.r5, s.mrr, ms.toFixed(1)]);
  }
  return [`XQuAD-vi dev (${engine.status().retrieval}, ${engine.status().chunkCount} passages)`, table(['style', 'n', 'R@1', 'R@5', 'MRR', 'ms/q'], rows)].join('\n');
}

/** `npm run eval`: the dev-question checks and the XQuAD-vi recall table. */
export async function runEval(config: Config, opts: { quick?: boolean; shared: string }): Promise<void> {
  const paths = sharedPaths(path.resolve(opts.shared));
  if (!paths) {
    process.stdout.write(`No evaluation sets in ${opts.shared} (expected eval/ and datasets/xquad-vi/ there): nothing to measure.\n`);
    return;
  }
  const engine = await createEngine(config, { log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`retrieval: ${engine.status().retrieval}${engine.status().modelProblem ? ` (${engine.status().modelProblem})` : ''}\n\n`);
  process.stdout.write(`${await evalDev(engine, paths.devQuestions)}\n\n`);
  process.stdout.write(`${await evalXquad(config, paths, Boolean(opts.quick))}\n`);
}
