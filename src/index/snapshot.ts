/**
 * An index as retrieval sees it at one moment: immutable, so a question that started on it
 * finishes on it while a newer one is built beside it. Built from the manifest's segments minus
 * its tombstones; the segments themselves are shared between snapshots, never copied.
 */
import type { Chunk, ChunkingOptions } from './chunk-types.ts';
import type { Embedder } from './embedder.ts';
import { LexicalIndex } from './lexical.ts';
import type { Manifest } from './manifest.ts';
import type { IndexedArticle, Segment } from './segment-files.ts';
import type { HnswParams, VectorStore } from './vector-store.ts';

/** Everything retrieval needs, loaded from (or just written to) the index directory. */
export interface LoadedIndex {
  /** Passages by document number; undefined where an article was removed. */
  chunks: readonly (Chunk | undefined)[];
  /** Passages of the live articles. */
  chunkCount: number;
  lexical: LexicalIndex;
  /** The dense side, or null when no model is loaded. Shared with later snapshots (it only grows, and removed labels are filtered). */
  vectors: VectorStore | null;
  manifest: Manifest;
  segments: readonly Segment[];
  /** Live articles, in id order. */
  articles: readonly IndexedArticle[];
  /** What happened on open or update, for start-up lines ("index rebuilt: …", "added 1 article"). */
  actions: string[];
}

/** How the index is built: where, chunking, the model (when there is one), HNSW. */
export interface IndexSettings {
  indexDir: string;
  chunking: ChunkingOptions;
  embedder: Embedder | null;
  /** Why there is no embedder (recorded in the manifest), when there is none. */
  embedderProblem: string | null;
  model: { quantized: boolean; prefixes: boolean };
  hnsw: HnswParams;
  /** Show progress bars on long work (terminals only). */
  progress?: boolean;
}

/** The positions, within each segment, of its articles that are still live. */
export function liveArticles(segments: readonly Segment[], removed: Manifest['removed']): { segment: Segment; position: number; article: IndexedArticle }[] {
  const live = [];
  for (const segment of segments) {
    const gone = new Set(removed[segment.entry.name] ?? []);
    for (let position = 0; position < segment.articles.length; position++) {
      if (!gone.has(position)) live.push({ segment, position, article: segment.articles[position] });
    }
  }
  return live;
}

/** Puts segments, tombstones and vectors together into a snapshot. */
export function assembleSnapshot(
  manifest: Manifest,
  segments: readonly Segment[],
  vectors: VectorStore | null,
  actions: string[],
): LoadedIndex {
  const chunks: (Chunk | undefined)[] = new Array(manifest.nextDoc).fill(undefined);
  const live = liveArticles(segments, manifest.removed);
  let chunkCount = 0;
  for (const { segment, article } of live) {
    for (let doc = article.docStart; doc < article.docEnd; doc++) {
      chunks[doc] = segment.chunks[doc - segment.entry.base];
      chunkCount++;
    }
  }
  const articles = live
    .map(({ article }) => {
      const touched = manifest.touched[article.id];
      return touched ? { ...article, fileSize: touched[0], mtimeMs: touched[1] } : article;
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lexical = LexicalIndex.fromSegments(segments.map((s) => s.lexical));
  return { chunks, chunkCount, lexical, vectors, manifest, segments, articles, actions };
}

/** The passages of the live articles, in document order. */
export function liveChunks(index: Pick<LoadedIndex, 'chunks'>): Chunk[] {
  return index.chunks.filter((c): c is Chunk => c !== undefined);
}
