import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { foldDiacritics } from '../text/normalize.ts';

/** A question of `eval/dev-questions.jsonl` (seed corpus). */
const devQuestion = z.object({
  id: z.string(),
  lang: z.string(),
  q: z.string(),
  doc: z.string(),
  answer: z.string(),
});
export type DevQuestion = z.infer<typeof devQuestion>;

/** A question of `datasets/xquad-vi/dev-questions.jsonl`. */
const xquadQuestion = z.object({
  id: z.string(),
  lang: z.string(),
  q: z.string(),
  article: z.string(),
  paragraph: z.number(),
  answers: z.array(z.string()),
});
export type XquadQuestion = z.infer<typeof xquadQuestion>;

/** Paths of the evaluation sets inside a `shared` directory, or null when it is absent. */
export function sharedPaths(sharedDir: string) {
  const p = {
    devQuestions: path.join(sharedDir, 'eval', 'dev-questions.jsonl'),
    xquadArticles: path.join(sharedDir, 'datasets', 'xquad-vi', 'articles'),
    xquadQuestions: path.join(sharedDir, 'datasets', 'xquad-vi', 'dev-questions.jsonl'),
  };
  return existsSync(p.devQuestions) || existsSync(p.xquadQuestions) ? p : null;
}

async function readJsonl<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const parsed = schema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: not a question line`);
      return parsed.data;
    });
}

export const readDevQuestions = (file: string) => readJsonl(file, devQuestion);
export const readXquadQuestions = (file: string) => readJsonl(file, xquadQuestion);

/** The query styles measured: Vietnamese, Vietnamese with diacritics stripped by code, English. */
export type QueryStyle = 'vi' | 'vi-nodiac' | 'en';

/** XQuAD questions of one style (no-diacritics ones are the Vietnamese questions, folded). */
export function xquadByStyle(questions: readonly XquadQuestion[], style: QueryStyle): XquadQuestion[] {
  if (style === 'en') return questions.filter((q) => q.lang === 'en');
  const vi = questions.filter((q) => q.lang === 'vi');
  return style === 'vi' ? vi : vi.map((q) => ({ ...q, q: foldDiacritics(q.q) }));
}
