/**
 * A small in-memory Engine for unit tests of composition and scheduling: `ask` quotes the
 * first sentence containing the question as a whole word (case-insensitive) among the allowed articles.
 * End-to-end tests use the real engine instead.
 */
import type { Article } from '../../../src/corpus/article.ts';
import type { Answer, AskOptions } from '../../../src/answer/types.ts';
import type { Engine, EngineStatus } from '../../../src/engine-types.ts';

let counter = 0;

/** An article with sensible defaults; `text` should hold sentences ending in full stops. */
export function makeArticle(partial: Partial<Article> & { id: string }): Article {
  counter++;
  return {
    path: `/corpus/${partial.id}.txt`,
    title: `Bài ${partial.id}`,
    date: '2026-11-01',
    source: 'Tiền Phong',
    url: `https://example.vn/${partial.id}`,
    text: `Đây là câu mở đầu của bài ${partial.id}, đủ dài để làm tóm tắt. Câu thứ hai của bài.`,
    contentHash: `hash-${partial.id}-${counter}`,
    ...partial,
  };
}

/** An Engine over a mutable list of articles (newest first by date, then id). */
export class FakeEngine implements Engine {
  private list: Article[] = [];
  asks: { question: string; options?: AskOptions }[] = [];

  constructor(articles: Article[] = []) {
    this.setArticles(articles);
  }

  /** Replaces the corpus (a new array, as a re-index would give). */
  setArticles(articles: Article[]): void {
    this.list = [...articles].sort((a, b) =>
      a.date === b.date ? (a.id < b.id ? -1 : 1) : (a.date ?? '') < (b.date ?? '') ? 1 : -1,
    );
  }

  add(article: Article): void {
    this.setArticles([...this.list, article]);
  }

  async ask(question: string, options?: AskOptions): Promise<Answer> {
    this.asks.push({ question, options });
    const escaped = question.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const needle = new RegExp(`(^|[^\\p{L}])${escaped}($|[^\\p{L}])`, 'u');
    for (const a of this.list) {
      if (options?.articleIds && !options.articleIds.includes(a.id)) continue;
      const sentences = a.text.match(/[^.!?]+[.!?]/g) ?? [];
      const hit = sentences.find((s) => needle.test(s.toLowerCase()));
      if (hit) {
        const quote = hit.trim();
        const start = a.text.indexOf(quote);
        return {
          question,
          answered: true,
          language: 'vi',
          results: [
            {
              article: { id: a.id, title: a.title, date: a.date, source: a.source, url: a.url },
              quote,
              passage: quote,
              score: 1,
              chunkId: `${a.id}#0`,
              quoteStart: start,
              quoteEnd: start + quote.length,
            },
          ],
          matchedTerms: [],
          retrieval: 'lexical',
        };
      }
    }
    return { question, answered: false, language: 'vi', results: [], matchedTerms: [], retrieval: 'lexical' };
  }

  articles(): readonly Article[] {
    return this.list;
  }

  article(id: string): Article | undefined {
    return this.list.find((a) => a.id === id);
  }

  chunk(): undefined {
    return undefined;
  }

  status(): EngineStatus {
    return {
      retrieval: 'lexical',
      modelId: 'fake',
      modelProblem: null,
      articleCount: this.list.length,
      chunkCount: 0,
      indexDir: '',
      corpusDir: '',
      lexiconLoaded: false,
      lexiconProblem: null,
    };
  }

  async close(): Promise<void> {}
}
