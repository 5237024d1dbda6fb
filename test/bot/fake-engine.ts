/**
 * A tiny in-memory engine for fast unit tests of rendering and handlers. The e2e tests use the
 * real engine on the real corpus; this one only has to honour the Engine contract's shapes.
 */
import type { Answer, AskOptions } from '../../src/answer/types.ts';
import type { Article } from '../../src/corpus/article.ts';
import type { Engine, EngineStatus } from '../../src/engine-types.ts';
import type { Chunk } from '../../src/index/chunk-types.ts';

/** Builds an article with sensible defaults. */
export function fakeArticle(id: string, title: string, text: string, extra: Partial<Article> = {}): Article {
  return { id, path: `/corpus/${id}.txt`, title, date: '2025-11-02', source: 'Tiền Phong', url: `https://example.org/${id}`, text, contentHash: id, ...extra };
}

/** One chunk per paragraph of each article. */
function chunksOf(article: Article): Chunk[] {
  const chunks: Chunk[] = [];
  let at = 0;
  article.text.split('\n\n').forEach((para, i) => {
    const start = article.text.indexOf(para, at);
    at = start + para.length;
    chunks.push({ id: `${article.id}#${i}`, articleId: article.id, start, end: at, text: para, sentences: [{ start, end: at }] });
  });
  return chunks;
}

/** An engine that answers with every chunk containing one of the question's words (case-insensitive). */
export function fakeEngine(articles: Article[]): Engine & { asked: { question: string; options?: AskOptions }[] } {
  const chunks = articles.flatMap(chunksOf);
  const asked: { question: string; options?: AskOptions }[] = [];
  return {
    asked,
    async ask(question, options) {
      asked.push({ question, options });
      const language = /\b(the|what|who|how)\b/i.test(question) ? 'en' : 'vi';
      const base: Answer = { question, answered: false, language, results: [], matchedTerms: [], retrieval: 'lexical' };
      if (!question.trim()) return { ...base, inputProblem: 'empty' };
      if (question.length > 1000) return { ...base, inputProblem: 'too_long' };
      const words = question.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2);
      const hits = chunks.filter((c) => words.some((w) => c.text.toLowerCase().includes(w)));
      const offset = options?.offset ?? 0;
      const results = hits.slice(offset, offset + (options?.topK ?? 3)).map((c, i) => {
        const a = articles.find((x) => x.id === c.articleId)!;
        return {
          article: { id: a.id, title: a.title, date: a.date, source: a.source, url: a.url },
          quote: c.text,
          passage: c.text,
          score: 1 / (i + 1),
          chunkId: c.id,
          quoteStart: c.start,
          quoteEnd: c.end,
        };
      });
      return { ...base, answered: hits.length > 0, results, matchedTerms: language === 'en' ? ['dioxin'] : [] };
    },
    articles: () => articles,
    article: (id) => articles.find((a) => a.id === id),
    chunk: (id) => chunks.find((c) => c.id === id),
    status: (): EngineStatus => ({
      retrieval: 'lexical',
      modelId: 'none',
      modelProblem: 'fake',
      articleCount: articles.length,
      chunkCount: chunks.length,
      indexDir: '',
      corpusDir: '',
      lexiconLoaded: false,
      lexiconProblem: null,
    }),
    async close() {},
  };
}
