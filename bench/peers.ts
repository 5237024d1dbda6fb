/**
 * What a user would otherwise pick, run over the SAME passages as trichdan (the exact text
 * trichdan indexes: title + chunk, see `indexedText`), each with its default settings:
 *
 * - MiniSearch 7 (`new MiniSearch({ fields: ['text'] })`: BM25+, OR, no prefix or fuzzy);
 * - Orama 3 (`create({ schema: { text: 'string' } })`: BM25, its default English tokenizer);
 * - exact brute-force cosine (`ExactVectorStore`) over the same embeddings as our dense side.
 *
 * Each answers "the top-k passage numbers for this question".
 */
import { create, insertMultiple, search } from '@orama/orama';
import MiniSearch from 'minisearch';
import type { Embedder } from '../src/index/embedder.ts';
import type { VectorStore } from '../src/index/vector-store.ts';
import { ExactVectorStore } from '../test/helpers/exact-vector-store.ts';

/** A retrieval system under test: passage numbers (positions in the passage list), best first. */
export interface Ranker {
  readonly name: string;
  rank(question: string, k: number): Promise<number[]>;
}

/** MiniSearch with default options over `texts` (document i is `texts[i]`). */
export function miniSearchRanker(texts: readonly string[]): Ranker {
  const index = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
  index.addAll(texts.map((text, id) => ({ id, text })));
  return {
    name: 'MiniSearch (defaults, BM25+)',
    async rank(question, k) {
      return index
        .search(question)
        .slice(0, k)
        .map((hit) => hit.id as number);
    },
  };
}

/** Orama with default options over `texts`. */
export async function oramaRanker(texts: readonly string[]): Promise<Ranker> {
  const db = create({ schema: { text: 'string' } as const });
  await insertMultiple(
    db,
    texts.map((text, i) => ({ id: String(i), text })),
  );
  return {
    name: 'Orama (defaults, BM25)',
    async rank(question, k) {
      const result = await search(db, { term: question, limit: k });
      return result.hits.map((hit) => Number(hit.id));
    },
  };
}

/**
 * Exact cosine over `embedder`'s passage vectors of `texts` (the same vectors our HNSW holds),
 * with the query embedded the way the retriever embeds it.
 */
export async function exactRanker(texts: readonly string[], embedder: Embedder): Promise<Ranker> {
  const store = new ExactVectorStore(embedder.dimension, Math.max(1, texts.length));
  const vectors = await embedder.embedPassages([...texts]);
  store.add(vectors, vectors.map((_, i) => i));
  return {
    name: 'exact cosine (same embeddings)',
    async rank(question, k) {
      const q = await embedder.embedQuery(question.trim());
      return store.search(q, k).map((hit) => hit.label);
    },
  };
}

/**
 * The index's own HNSW store searched with the query vector alone: the dense side with no
 * fusion and no re-ranking (labels are passage numbers, as the index builds them).
 */
export function vectorStoreRanker(name: string, store: VectorStore, embedder: Embedder): Ranker {
  return {
    name,
    async rank(question, k) {
      const q = await embedder.embedQuery(question.trim());
      return store.search(q, Math.min(k, store.size)).map((hit) => hit.label);
    },
  };
}
