/**
 * Changing an index without rebuilding it: new and changed articles become a new segment (only
 * their passages are tokenised and embedded), removed and replaced ones become tombstones, the
 * HNSW graph takes `addPoint` / `markDelete` (the new vectors are logged in a small file, the graph
 * written whole only now and then: vector-log.ts). Small segments are merged as they pile up (the
 * newest two while the older is no larger: each passage is re-tokenised O(log n) times over its
 * life), and a segment whose articles are mostly gone is rewritten without them.
 *
 * Crash safety: every file is written under a new name, the manifest is written last (atomic
 * rename), and files the new manifest no longer lists are deleted after it. A crash at any point
 * leaves the previous manifest and every file it lists intact.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Article } from '../corpus/article.ts';
import type { Chunk } from './chunk-types.ts';
import { TEMPORARY_FILE } from './atomic.ts';
import { chunkArticle } from './chunk.ts';
import type { Embedder } from './embedder.ts';
import { EMBEDDING_CACHE_FILE, EmbeddingCache, embedWithCache } from './embedding-cache.ts';
import { INDEX_FORMAT_VERSION, MANIFEST_FILE, type Manifest, sha256, writeManifest } from './manifest.ts';
import { createProgress } from './progress.ts';
import { type IndexedArticle, type Segment, indexedText, segmentFileNames, writeSegment } from './segment-files.ts';
import { type IndexSettings, type LoadedIndex, assembleSnapshot, liveArticles } from './snapshot.ts';
import { HnswVectorStore, type VectorStore } from './vector-store.ts';
import { VECTOR_LOG_LIMIT, writeVectorLog } from './vector-log.ts';

/** One article to add or replace, with its file's size and time (so an unchanged file is not re-read). */
export interface ArticleUpsert {
  article: Article;
  file: { size: number; mtimeMs: number };
  /** When it was first added, if known from before (a rebuild keeps it). */
  addedAt?: string;
}

/** What to change. An upsert whose id is indexed replaces that article. */
export interface IndexChanges {
  upsert: readonly ArticleUpsert[];
  remove: readonly string[];
  /** Files whose size or time changed but not their bytes: only their stat is recorded. */
  touched?: readonly { id: string; size: number; mtimeMs: number }[];
}

/** Largest segment (live passages) that merging makes; about 4 s of tokenising on these machines. */
const MAX_MERGED_PASSAGES = 10_000;
/** A segment is rewritten without its removed articles once this share of its passages is gone. */
const MAX_DEAD_SHARE = 0.5;

/** An index with nothing in it, to build a new one from. */
export function emptyIndex(settings: IndexSettings, now = new Date()): LoadedIndex {
  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    chunking: { maxChars: settings.chunking.maxChars, overlapSentences: settings.chunking.overlapSentences },
    segments: [],
    removed: {},
    touched: {},
    nextDoc: 0,
    nextSegment: 0,
    articleCount: 0,
    chunkCount: 0,
    dense: null,
    denseProblem: settings.embedderProblem,
  };
  return assembleSnapshot(manifest, [], null, []);
}

const segmentName = (n: number) => `seg-${String(n).padStart(6, '0')}`;
const vectorsName = (n: number) => `vectors-${String(n).padStart(6, '0')}.hnsw`;
const vectorLogName = (n: number) => `vectors-log-${String(n).padStart(6, '0')}.bin`;

/**
 * Applies `changes` to `current` and commits them to disk; returns the new snapshot (the old
 * one stays usable for questions in flight). Also adds or rebuilds the dense side when the
 * model is there and the index has none, or one from another model.
 */
export async function updateIndex(current: LoadedIndex, settings: IndexSettings, changes: IndexChanges, now = new Date()): Promise<LoadedIndex> {
  const actions: string[] = [];
  const manifest: Manifest = structuredClone(current.manifest);
  let segments = [...current.segments];
  const live = new Map(liveArticles(segments, manifest.removed).map((l) => [l.article.id, l]));

  // Tombstones for removed and replaced articles; their vectors are dropped from the graph.
  const goneDocs: number[] = [];
  const replacedAddedAt = new Map<string, string>();
  const tombstone = (id: string) => {
    const entry = live.get(id);
    if (!entry) return false;
    (manifest.removed[entry.segment.entry.name] ??= []).push(entry.position);
    for (let d = entry.article.docStart; d < entry.article.docEnd; d++) goneDocs.push(d);
    live.delete(id);
    delete manifest.touched[id];
    replacedAddedAt.set(id, entry.article.addedAt);
    return true;
  };
  const removed = changes.remove.filter(tombstone);
  const upserts = dedupeById(changes.upsert);
  for (const t of changes.touched ?? []) if (live.has(t.id)) manifest.touched[t.id] = [t.size, t.mtimeMs];
  const updated = upserts.filter((u) => tombstone(u.article.id)).map((u) => u.article.id);

  // New passages, numbered after every number ever used.
  const fresh: { article: IndexedArticle; chunks: Chunk[] }[] = [];
  let nextDoc = manifest.nextDoc;
  for (const { article, file, addedAt } of upserts) {
    const chunks = chunkArticle(article.id, article.text, settings.chunking);
    const indexed: IndexedArticle = {
      ...article,
      fileSize: file.size,
      mtimeMs: file.mtimeMs,
      textSha256: sha256(article.text),
      addedAt: replacedAddedAt.get(article.id) ?? addedAt ?? now.toISOString(),
      docStart: nextDoc,
      docEnd: nextDoc + chunks.length,
    };
    nextDoc += chunks.length;
    fresh.push({ article: indexed, chunks });
  }
  if (fresh.length) {
    const name = segmentName(manifest.nextSegment++);
    const segment = await writeSegment(settings.indexDir, name, manifest.nextDoc, nextDoc - manifest.nextDoc, fresh);
    segments.push(segment);
    manifest.nextDoc = nextDoc;
  }

  segments = await mergeSegments(segments, manifest, settings, fresh.length > 0 || removed.length > 0 || updated.length > 0);

  // The dense side: kept in step, built when missing, rebuilt when the model changed, dropped without a model.
  let vectors = current.vectors;
  const dense = denseSettings(settings);
  const denseMatches = dense && manifest.dense && sameDense(manifest.dense, dense) && vectors;
  let vectorsChanged = false;
  if (settings.embedder && dense) {
    if (denseMatches && vectors && manifest.dense) {
      // Removals need no file: a start drops every label that is not a live passage.
      if (goneDocs.length) vectors.remove(goneDocs);
      const texts = fresh.flatMap(({ article, chunks }) => chunks.map((c) => indexedText(c, article)));
      if (texts.length) {
        const labels = fresh.flatMap(({ article }) => range(article.docStart, article.docEnd));
        const added = await embedPassages(settings, texts);
        vectors.add(added, labels);
        const logged = manifest.dense.log.reduce((n, e) => n + e.count, 0) + added.length;
        if (logged > VECTOR_LOG_LIMIT) vectorsChanged = true; // a checkpoint: the whole graph, log emptied
        else manifest.dense.log = [...manifest.dense.log, await writeVectorLog(settings.indexDir, vectorLogName(manifest.nextSegment++), labels, added)];
      }
    } else {
      if (manifest.dense) actions.push(`vectors rebuilt: the model, its settings or the vector file changed (${manifest.dense.modelId} → ${settings.embedder.modelId})`);
      else if (current.articles.length) actions.push(`dense vectors added with ${settings.embedder.modelId} (the index was lexical-only)`);
      vectors = await buildVectors(settings.embedder, settings, segments, manifest);
      vectorsChanged = true;
    }
  } else if (manifest.dense && (fresh.length || goneDocs.length)) {
    // Lexical-only run that changed the corpus: the vectors on disk no longer match it.
    manifest.dense = null;
  }
  if (vectorsChanged && vectors && dense) {
    const file = vectorsName(manifest.nextSegment++);
    await vectors.save(path.join(settings.indexDir, file));
    manifest.dense = { ...dense, vectorsFile: file, vectorsSha256: sha256(await readFile(path.join(settings.indexDir, file))), log: [] };
  }
  manifest.denseProblem = settings.embedder ? null : settings.embedderProblem;

  manifest.segments = segments.map((s) => s.entry);
  const snapshot = assembleSnapshot(manifest, segments, settings.embedder ? vectors : null, []);
  manifest.articleCount = snapshot.articles.length;
  manifest.chunkCount = snapshot.chunkCount;
  const changed = fresh.length > 0 || removed.length > 0;
  if (changed) manifest.updatedAt = now.toISOString();
  if (JSON.stringify(manifest) !== JSON.stringify(current.manifest)) {
    await writeManifest(path.join(settings.indexDir, MANIFEST_FILE), manifest);
  }
  await removeUnlisted(settings.indexDir, manifest);

  const added = fresh.length - updated.length;
  const parts = [
    added && `${added} article${added === 1 ? '' : 's'} added`,
    updated.length && `${updated.length} changed`,
    removed.length && `${removed.length} removed`,
  ].filter(Boolean);
  if (parts.length) actions.push(`index updated: ${parts.join(', ')}`);
  snapshot.actions.push(...actions);
  return snapshot;
}

/** The last upsert of each id wins (a file listed twice is indexed once). */
function dedupeById(upserts: readonly ArticleUpsert[]): ArticleUpsert[] {
  return [...new Map(upserts.map((u) => [u.article.id, u])).values()];
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** The manifest's description of the dense side these settings make (without its file). */
export function denseSettings(settings: IndexSettings) {
  const { embedder } = settings;
  if (!embedder) return null;
  return {
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    quantized: settings.model.quantized,
    prefixes: settings.model.prefixes,
    hnsw: { m: settings.hnsw.m, efConstruction: settings.hnsw.efConstruction },
  };
}

export function sameDense(stored: NonNullable<Manifest['dense']>, wanted: NonNullable<ReturnType<typeof denseSettings>>): boolean {
  return (
    stored.modelId === wanted.modelId &&
    stored.dimension === wanted.dimension &&
    stored.quantized === wanted.quantized &&
    stored.prefixes === wanted.prefixes &&
    stored.hnsw.m === wanted.hnsw.m &&
    stored.hnsw.efConstruction === wanted.hnsw.efConstruction
  );
}

/** Embeds a few new passages directly (the cache pays off only for whole builds). */
async function embedPassages(settings: IndexSettings, texts: string[]): Promise<Float32Array[]> {
  return settings.embedder!.embedPassages(texts);
}

/** Embeds every live passage (through the content-hash cache) into a new HNSW graph. */
async function buildVectors(embedder: Embedder, settings: IndexSettings, segments: readonly Segment[], manifest: Manifest): Promise<VectorStore> {
  const texts: string[] = [];
  const labels: number[] = [];
  for (const { segment, article } of liveArticles(segments, manifest.removed)) {
    for (let doc = article.docStart; doc < article.docEnd; doc++) {
      texts.push(indexedText(segment.chunks[doc - segment.entry.base]!, article));
      labels.push(doc);
    }
  }
  const cache = await EmbeddingCache.open(path.join(settings.indexDir, EMBEDDING_CACHE_FILE), embedder.key, embedder.dimension);
  const bar = settings.progress === false ? null : createProgress('Embedding passages', texts.length);
  try {
    const vecs = await embedWithCache(embedder, cache, texts, (done) => bar?.update(done));
    await cache.save();
    const store = new HnswVectorStore(embedder.dimension, settings.hnsw, Math.max(texts.length, 1));
    if (vecs.length) store.add(vecs, labels);
    return store;
  } finally {
    bar?.stop();
  }
}

/**
 * Merges the newest segments (see below), and rewrites segments that are mostly tombstones.
 * Document numbers are kept, so vectors stay valid.
 */
async function mergeSegments(segments: Segment[], manifest: Manifest, settings: IndexSettings, changed: boolean): Promise<Segment[]> {
  if (!changed) return segments;
  const liveDocs = (s: Segment) => {
    const gone = new Set(manifest.removed[s.entry.name] ?? []);
    return s.articles.reduce((sum, a, i) => sum + (gone.has(i) ? 0 : a.docEnd - a.docStart), 0);
  };
  /** Passages the segment holds, tombstoned ones included (not `count`: that also spans holes of earlier rewrites). */
  const heldDocs = (s: Segment) => s.articles.reduce((sum, a) => sum + a.docEnd - a.docStart, 0);
  const rewrite = async (group: Segment[]): Promise<Segment> => {
    const members = liveArticles(group, manifest.removed).map(({ segment, article }) => ({
      article,
      chunks: segment.chunks.slice(article.docStart - segment.entry.base, article.docEnd - segment.entry.base) as Chunk[],
    }));
    const base = group[0].entry.base;
    const last = group[group.length - 1].entry;
    const merged = await writeSegment(settings.indexDir, segmentName(manifest.nextSegment++), base, last.base + last.count - base, members);
    for (const s of group) delete manifest.removed[s.entry.name];
    return merged;
  };

  let result: Segment[] = [];
  for (const s of segments) {
    const dead = (manifest.removed[s.entry.name]?.length ?? 0) > 0;
    const left = liveDocs(s);
    if (dead && left === 0 && liveArticles([s], manifest.removed).length === 0) delete manifest.removed[s.entry.name]; // nothing left: dropped
    else if (dead && left <= (1 - MAX_DEAD_SHARE) * heldDocs(s)) result.push(await rewrite([s]));
    else result.push(s);
  }
  // Like a binary counter: the newest two merge while the older is no larger than the newer, so
  // there are about log2(passages) segments and each passage is re-tokenised about as often.
  // Merges stop at MAX_MERGED_PASSAGES: a bigger one would hold up answers for seconds, and a
  // few large segments cost searches little (`index --force` makes one again).
  while (result.length >= 2) {
    const [older, newer] = result.slice(-2);
    const olderDocs = liveDocs(older);
    const newerDocs = liveDocs(newer);
    if (olderDocs > newerDocs || olderDocs + newerDocs > MAX_MERGED_PASSAGES) break;
    result = [...result.slice(0, -2), await rewrite([older, newer])];
  }
  return result;
}

/**
 * Deletes what the manifest does not list: segments merged away, the previous vector file, and
 * temporary files of writes that died. Runs after the manifest is committed, under the index lock.
 */
export async function removeUnlisted(dir: string, manifest: Manifest): Promise<void> {
  const keep = new Set<string>([MANIFEST_FILE, EMBEDDING_CACHE_FILE, ...manifest.segments.flatMap((s) => segmentFileNames(s.name))]);
  // A lexical-only run keeps `dense` (and its file) for when the model is back, unless it changed the corpus.
  if (manifest.dense) for (const f of [manifest.dense.vectorsFile, ...manifest.dense.log.map((e) => e.file)]) keep.add(f);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const ours = /^(seg-\d+\.(json|text|lex)|vectors(-\d+)?\.hnsw|vectors-log-\d+\.bin|chunks\.json)$/u;
  const stale = (n: string) => (ours.test(n) && !keep.has(n)) || TEMPORARY_FILE.test(n);
  await Promise.all(names.filter(stale).map((n) => rm(path.join(dir, n), { force: true })));
}
