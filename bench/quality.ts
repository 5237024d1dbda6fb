/**
 * Retrieval quality side by side: answer recall@1/@5 and MRR for each query style
 * (Vietnamese, Vietnamese without diacritics, English) and each system, all over the same
 * passages of the same corpus.
 */
import type { Chunk } from '../src/index/chunk-types.ts';
import type { Embedder } from '../src/index/embedder.ts';
import { indexedText, liveChunks } from '../src/index/build.ts';
import type { RetrievalEngine } from '../src/engine.ts';
import type { DevQuestion, QueryStyle, XquadQuestion } from '../src/evaluation/datasets.ts';
import { xquadByStyle } from '../src/evaluation/datasets.ts';
import { summarize, type RecallRow } from '../src/evaluation/metrics.ts';
import type { RetrievalMode } from '../src/search/retriever.ts';
import { exactRanker, miniSearchRanker, oramaRanker, vectorStoreRanker, type Ranker } from './peers.ts';

/** A question with the rule that says whether a passage answers it. */
export interface JudgedQuestion {
  style: QueryStyle;
  q: string;
  relevant: (chunk: Chunk) => boolean;
}

/** One line of the quality table. */
export interface QualityRow extends RecallRow {
  corpus: string;
  system: string;
  style: QueryStyle;
  /** Mean milliseconds per question (ranking only). */
  msPerQuery: number;
}

/** How many passages are looked at for MRR (R@1 and R@5 need only 5). */
const DEPTH = 10;

const STYLES: readonly QueryStyle[] = ['vi', 'vi-nodiac', 'en'];

/** XQuAD-vi questions judged by answer recall: a passage answers when it contains one of the answers (NFC). */
export function judgeXquad(questions: readonly XquadQuestion[]): JudgedQuestion[] {
  return STYLES.flatMap((style) =>
    xquadByStyle(questions, style).map((q) => {
      const answers = q.answers.map((a) => a.normalize('NFC'));
      return { style, q: q.q, relevant: (c: Chunk) => answers.some((a) => c.text.normalize('NFC').includes(a)) };
    }),
  );
}

/**
 * Seed dev questions judged like `npm run eval`: the passage is from one of the question's
 * articles and contains its answer. "none" questions (abstention) are left out: recall does
 * not apply to them.
 */
export function judgeDev(questions: readonly DevQuestion[]): JudgedQuestion[] {
  return questions
    .filter((q) => q.doc !== 'none' && (STYLES as readonly string[]).includes(q.lang))
    .map((q) => {
      const docs = q.doc.split('|');
      const answer = q.answer.normalize('NFC');
      return {
        style: q.lang as QueryStyle,
        q: q.q,
        relevant: (c: Chunk) => docs.some((d) => c.articleId.startsWith(d)) && c.text.normalize('NFC').includes(answer),
      };
    });
}

/** Our retriever in one mode, as a `Ranker`. */
export function engineRanker(engine: RetrievalEngine, mode: RetrievalMode, name: string): Ranker {
  return {
    name,
    async rank(question, k) {
      return (await engine.rank(question, k, mode)).map((r) => r.doc);
    },
  };
}

/** Every system of the comparison over the engine's passages (dense ones only when it has vectors). */
export async function systemsFor(engine: RetrievalEngine, embedder: Embedder | null): Promise<Ranker[]> {
  const chunks = liveChunks(engine.index);
  const texts = chunks.map((c) => indexedText(c, engine.article(c.articleId)!));
  const dense = engine.status().retrieval === 'hybrid';
  const systems: Ranker[] = [];
  if (dense) systems.push(engineRanker(engine, 'hybrid', 'trichdan hybrid (retriever defaults)'));
  systems.push(engineRanker(engine, 'lexical', 'trichdan lexical only'));
  if (dense) systems.push(engineRanker(engine, 'dense', 'trichdan dense mode (HNSW + sentence re-rank)'));
  if (dense && embedder && engine.index.vectors) systems.push(vectorStoreRanker('HNSW cosine only (the index\'s vectors)', engine.index.vectors, embedder));
  if (dense && embedder) systems.push(await exactRanker(texts, embedder));
  systems.push(miniSearchRanker(texts));
  systems.push(await oramaRanker(texts));
  return systems;
}

/** Rank (1-based) of the first relevant passage among `docs`, or null. */
function firstRelevant(docs: readonly number[], chunks: readonly Chunk[], question: JudgedQuestion): number | null {
  for (let i = 0; i < docs.length; i++) if (question.relevant(chunks[docs[i]])) return i + 1;
  return null;
}

/** Measures every system on every question of `corpus`, one row per (system, style). */
export async function measureQuality(
  corpus: string,
  chunks: readonly Chunk[],
  systems: readonly Ranker[],
  questions: readonly JudgedQuestion[],
): Promise<QualityRow[]> {
  const rows: QualityRow[] = [];
  for (const system of systems) {
    for (const style of STYLES) {
      const qs = questions.filter((q) => q.style === style);
      if (qs.length === 0) continue;
      const ranks: (number | null)[] = [];
      const t0 = performance.now();
      for (const q of qs) ranks.push(firstRelevant(await system.rank(q.q, DEPTH), chunks, q));
      const ms = performance.now() - t0;
      rows.push({ corpus, system: system.name, style, ...summarize(ranks), msPerQuery: ms / qs.length });
    }
  }
  return rows;
}
