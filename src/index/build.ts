import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Article } from '../corpus/article.ts';
import type { Chunk, ChunkingOptions } from './chunk-types.ts';
import { chunkArticle } from './chunk.ts';
import type { Embedder } from './embedder.ts';
import { EMBEDDING_CACHE_FILE, EmbeddingCache, embedWithCache } from './embedding-cache.ts';
import { LexicalIndex } from './lexical.ts';
import {
  INDEX_FORMAT_VERSION,
  MANIFEST_FILE,
  type Manifest,
  corpusFingerprint,
  readManifest,
  sha256,
  staleReason,
  writeManifest,
} from './manifest.ts';
import { writeFileAtomic } from './atomic.ts';
import { createProgress } from './progress.ts';
import { HnswVectorStore, type HnswParams, type VectorStore } from './vector-store.ts';

const CHUNKS_FILE = 'chunks.json';
const VECTORS_FILE = 'vectors.hnsw';

/** Everything retrieval needs, loaded from (or just written to) the index directory. */
export interface LoadedIndex {
  chunks: Chunk[];
  lexical: LexicalIndex;
  /** The dense side, or null when no model is loaded. */
  vectors: VectorStore | null;
  manifest: Manifest;
  /** What happened on open, for start-up lines ("index rebuilt: the corpus changed…"). */
  actions: string[];
}

export interface OpenIndexOptions {
  indexDir: string;
  articles: readonly Article[];
  chunking: ChunkingOptions;
  embedder: Embedder | null;
  /** Why there is no embedder (recorded in the manifest), when there is none. */
  embedderProblem: string | null;
  model: { quantized: boolean; prefixes: boolean };
  hnsw: HnswParams;
  /** Rebuild even when the index on disk is current. */
  force?: boolean;
  progress?: boolean;
}

/** Stored chunk row: text is not stored, it is the article text between the offsets. */
type StoredChunk = [id: string, articleId: string, start: number, end: number, sentences: number[]];

/** The text a chunk is indexed under: the article title gives every chunk its topic. */
export function indexedText(chunk: Chunk, article: Article): string {
  return `${article.title}\n${chunk.text}`;
}

/**
 * Opens the index for `articles`, rebuilding whatever no longer matches (corpus,
 * chunking, model) and saying why. The manifest is written last, so a crash
 * mid-build leaves the old manifest, which no longer matches, and the next start rebuilds.
 */
export async function openIndex(options: OpenIndexOptions): Promise<LoadedIndex> {
  const { indexDir, articles, chunking, embedder } = options;
  const manifestPath = path.join(indexDir, MANIFEST_FILE);
  const fingerprint = corpusFingerprint(articles);
  const previous = options.force ? null : await readManifest(manifestPath);
  const actions: string[] = [];
  const byId = new Map(articles.map((a) => [a.id, a]));

  // Chunking is cheap and deterministic, so it is redone on every start and compared with
  // the stored table: a change in cleaning or sentence splitting is caught like a corpus change.
  const chunks = articles.flatMap((a) => chunkArticle(a.id, a.text, chunking));
  const rows: StoredChunk[] = chunks.map((c) => [c.id, c.articleId, c.start, c.end, c.sentences.flatMap((s) => [s.start, s.end])]);
  const chunksJson = JSON.stringify(rows);
  const chunksSha = sha256(chunksJson);

  let reason = options.force ? 'a rebuild was asked for' : staleReason(previous, fingerprint, chunking);
  if (!reason && previous && previous.chunksSha256 !== chunksSha) reason = 'the text processing (cleaning or sentence splitting) changed';
  if (!reason && previous && !(await fileHasSha(path.join(indexDir, previous.chunksFile), chunksSha)))
    reason = 'the chunk table is missing or damaged';
  if (reason || !previous) {
    actions.push(previous || options.force ? `index rebuilt: ${reason}` : 'index built');
    await writeFileAtomic(path.join(indexDir, CHUNKS_FILE), chunksJson);
  }

  const texts = chunks.map((c) => indexedText(c, byId.get(c.articleId)!));
  const lexical = LexicalIndex.build(texts);

  let vectors: VectorStore | null = null;
  let dense: Manifest['dense'] = null;
  if (embedder) {
    const reusable =
      !reason &&
      previous?.dense &&
      previous.dense.modelId === embedder.modelId &&
      previous.dense.quantized === options.model.quantized &&
      previous.dense.prefixes === options.model.prefixes &&
      previous.dense.hnsw.m === options.hnsw.m &&
      previous.dense.hnsw.efConstruction === options.hnsw.efConstruction;
    if (reusable && previous.dense) {
      vectors = await loadVectors(path.join(indexDir, previous.dense.vectorsFile), previous.dense, options.hnsw);
      if (vectors) dense = previous.dense;
      else actions.push('vectors rebuilt: the vector file is missing or damaged');
    } else if (!reason && previous) {
      actions.push(
        previous.dense
          ? `vectors rebuilt: the model or its settings changed (${previous.dense.modelId} → ${embedder.modelId})`
          : `dense vectors added with ${embedder.modelId} (the index was lexical-only)`,
      );
    }
    if (!vectors) {
      const built = await buildVectors(indexDir, texts, embedder, options);
      vectors = built.store;
      dense = {
        modelId: embedder.modelId,
        dimension: embedder.dimension,
        quantized: options.model.quantized,
        prefixes: options.model.prefixes,
        hnsw: { m: options.hnsw.m, efConstruction: options.hnsw.efConstruction },
        vectorsFile: VECTORS_FILE,
        vectorsSha256: built.sha,
      };
    }
  } else if (previous?.dense && !reason) {
    // Keep the vectors on disk for when the model is back; this run is lexical-only.
    dense = previous.dense;
  }

  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    createdAt: previous && !reason && sameDense(previous.dense, dense) ? previous.createdAt : new Date().toISOString(),
    corpusFingerprint: fingerprint,
    articleCount: articles.length,
    chunkCount: chunks.length,
    chunking: { maxChars: chunking.maxChars, overlapSentences: chunking.overlapSentences },
    dense,
    denseProblem: embedder ? null : options.embedderProblem,
    chunksFile: CHUNKS_FILE,
    chunksSha256: chunksSha,
  };
  if (JSON.stringify(manifest) !== JSON.stringify(previous)) await writeManifest(manifestPath, manifest);
  return { chunks, lexical, vectors, manifest, actions };
}

function sameDense(a: Manifest['dense'], b: Manifest['dense']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function fileHasSha(file: string, expected: string): Promise<boolean> {
  try {
    return sha256(await readFile(file)) === expected;
  } catch {
    return false;
  }
}

async function loadVectors(
  file: string,
  dense: NonNullable<Manifest['dense']>,
  params: HnswParams,
): Promise<VectorStore | null> {
  try {
    if (!existsSync(file)) return null;
    if (sha256(await readFile(file)) !== dense.vectorsSha256) return null;
    return await HnswVectorStore.load(file, dense.dimension, params);
  } catch {
    return null;
  }
}

async function buildVectors(
  indexDir: string,
  texts: string[],
  embedder: Embedder,
  options: OpenIndexOptions,
): Promise<{ store: VectorStore; sha: string }> {
  const cache = await EmbeddingCache.open(path.join(indexDir, EMBEDDING_CACHE_FILE), embedder.key, embedder.dimension);
  const bar = options.progress === false ? null : createProgress('Embedding passages', texts.length);
  try {
    const vecs = await embedWithCache(embedder, cache, texts, (done) => bar?.update(done));
    await cache.save();
    const store = new HnswVectorStore(embedder.dimension, options.hnsw, Math.max(texts.length, 1));
    if (vecs.length) store.add(vecs, vecs.map((_, i) => i));
    const file = path.join(indexDir, VECTORS_FILE);
    await store.save(file);
    return { store, sha: sha256(await readFile(file)) };
  } finally {
    bar?.stop();
  }
}
