/**
 * A few hand-written articles, indexed in memory: the material of the retriever and answer
 * tests, which check ranking and quoting directly on passages small enough to read.
 */
import type { Article } from '../../src/corpus/article.ts';
import { articleFromBytes } from '../../src/corpus/load.ts';
import type { Chunk } from '../../src/index/chunk-types.ts';
import { chunkArticle } from '../../src/index/chunk.ts';
import type { Embedder } from '../../src/index/embedder.ts';
import { LexicalIndex } from '../../src/index/lexical.ts';
import { indexedText } from '../../src/index/segment-files.ts';
import type { VectorHit, VectorStore } from '../../src/index/vector-store.ts';
import { analyzeQuestion } from '../../src/search/analyze.ts';
import type { AnalyzedQuery } from '../../src/search/query-types.ts';

/** An article as a test writes it: an id, a title and the body (paragraphs separated by blank lines). */
export interface TestArticle {
  id: string;
  title: string;
  body: string;
}

/** The article the corpus loader makes of a file holding the title and the body. */
export function makeArticle({ id, title, body }: TestArticle): Article {
  const result = articleFromBytes(`/corpus/${id}.txt`, id, Buffer.from(`${title}\n\n${body}\n`, 'utf8'));
  if ('reason' in result) throw new Error(result.reason);
  return result;
}

/** Hand-written articles, cut into passages and indexed as the product indexes them (BM25 over title + passage). */
export interface PassageLibrary {
  articles: Article[];
  chunks: Chunk[];
  lexical: LexicalIndex;
  article(id: string): Article | undefined;
  /** The first passage of an article (the articles here are one passage each unless long). */
  chunkOf(articleId: string): Chunk;
  /** A question analysed against this library's vocabulary (no English lexicon). */
  analyze(question: string): AnalyzedQuery;
}

export function passageLibrary(written: readonly TestArticle[], maxChars = 1600): PassageLibrary {
  const articles = written.map(makeArticle);
  const chunks = articles.flatMap((a) => chunkArticle(a.id, a.text, { maxChars, overlapSentences: 0 }));
  const byId = new Map(articles.map((a) => [a.id, a]));
  const lexical = LexicalIndex.build(chunks.map((c) => indexedText(c, byId.get(c.articleId)!)));
  return {
    articles,
    chunks,
    lexical,
    article: (id) => byId.get(id),
    chunkOf: (articleId) => chunks.find((c) => c.articleId === articleId)!,
    analyze: (question) => analyzeQuestion(question, null, { vocabulary: lexical }),
  };
}

/**
 * A deterministic embedder whose vectors a test writes down: each text is looked up in
 * `vectors` by the first key it contains (passages by a word of theirs, the question by its
 * text), anything else gets `fallback`. The tiny generated model gives every word a random
 * vector, so which passage is near a question cannot be set by hand with it; here it can.
 */
export function tableEmbedder(vectors: ReadonlyMap<string, readonly number[]>, fallback: readonly number[]): Embedder {
  const dimension = fallback.length;
  const vectorOf = (text: string) => {
    for (const [key, v] of vectors) if (text.includes(key)) return Float32Array.from(v);
    return Float32Array.from(fallback);
  };
  return {
    modelId: 'test/table',
    key: 'test/table',
    dimension,
    embedPassages: async (texts) => texts.map(vectorOf),
    embedQuery: async (text) => vectorOf(text),
  };
}

/** Brute-force cosine search over a few vectors (labels are document numbers). */
export function memoryVectorStore(vectors: readonly Float32Array[]): VectorStore {
  const unit = (v: Float32Array) => {
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  };
  const rows = vectors.map(unit);
  return {
    dimension: rows[0]?.length ?? 0,
    size: rows.length,
    add: () => {
      throw new Error('read-only in tests');
    },
    remove: () => {
      throw new Error('read-only in tests');
    },
    search(query: Float32Array, k: number, filter?: (label: number) => boolean): VectorHit[] {
      const q = unit(query);
      return rows
        .map((row, label) => ({ label, score: row.reduce((s, x, i) => s + x * q[i], 0) }))
        .filter((h) => !filter || filter(h.label))
        .sort((a, b) => b.score - a.score || a.label - b.label)
        .slice(0, k);
    },
    save: async () => {},
  };
}
