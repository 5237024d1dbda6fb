/**
 * Opening the index for a corpus folder: read what is on disk (manifest, segments, vectors; no
 * article is re-read or re-tokenised), then bring it in step with the folder: files that are new
 * or whose size or time changed are read and indexed, files that are gone are removed. So a start
 * with nothing changed reads the index in one pass, and after a crash mid-ingest it finishes
 * (the file is there, its passages are not: they are added) or rolls back (passages of a file
 * that is gone are removed). A rebuild happens only when the format, the chunking or a file of
 * the index itself is wrong, and says why.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SkippedFile } from '../corpus/article.ts';
import { CorpusError } from '../corpus/load.ts';
import { type CorpusFile, articleIdOf, readCorpusFile, scanCorpus } from '../corpus/scan.ts';
import { TEMPORARY_FILE } from './atomic.ts';
import { withIndexLock } from './lock.ts';
import { MANIFEST_FILE, type Manifest, readManifest, sha256, staleReason } from './manifest.ts';
import { createProgress } from './progress.ts';
import { type Segment, SegmentError, readSegment } from './segment-files.ts';
import { type IndexSettings, type LoadedIndex, assembleSnapshot } from './snapshot.ts';
import { type ArticleUpsert, type IndexChanges, denseSettings, emptyIndex, sameDense, updateIndex } from './update.ts';
import { readVectorLog } from './vector-log.ts';
import { HnswVectorStore, type VectorStore } from './vector-store.ts';

export type { IndexSettings, LoadedIndex } from './snapshot.ts';
export { liveChunks } from './snapshot.ts';
export { indexedText } from './segment-files.ts';

/** Options of {@link openIndex}. */
export interface OpenIndexOptions extends IndexSettings {
  corpusDir: string;
  /** Rebuild even when the index on disk is current. */
  force?: boolean;
}

/** An opened index and the corpus files that could not be articles (shown as warnings). */
export interface OpenedIndex {
  index: LoadedIndex;
  skipped: SkippedFile[];
}

/** Files read at once while indexing. */
const READ_CONCURRENCY = 16;

/**
 * Reads the index in `settings.indexDir` as it is on disk, or says why it cannot be used as it is.
 * Vectors are loaded only when the model in `settings` made them.
 */
export async function loadIndex(settings: IndexSettings): Promise<{ index: LoadedIndex } | { reason: string }> {
  const manifest = await readManifest(path.join(settings.indexDir, MANIFEST_FILE));
  const reason = staleReason(manifest, settings.chunking);
  if (reason || !manifest) return { reason: reason ?? 'no index yet' };
  let segments: Segment[];
  try {
    segments = await Promise.all(manifest.segments.map((entry) => readSegment(settings.indexDir, entry)));
  } catch (error) {
    if (error instanceof SegmentError) return { reason: `a file of the index is missing or damaged (${error.message})` };
    return { reason: `the index cannot be read (${(error as Error).message})` };
  }
  const index = assembleSnapshot(manifest, segments, null, []);
  if (settings.embedder) index.vectors = await loadVectors(settings, manifest, (doc) => index.chunks[doc] !== undefined);
  return { index };
}

/**
 * Opens the index for the corpus folder, updating or rebuilding it as needed (under the index
 * lock). Throws {@link CorpusError} when the folder is missing or holds no article file.
 */
export async function openIndex(options: OpenIndexOptions): Promise<OpenedIndex> {
  return withIndexLock(options.indexDir, async () => {
    const loaded = options.force ? { reason: 'a rebuild was asked for' } : await loadIndex(options);
    let current: LoadedIndex;
    let rebuilt: string | null = null;
    if ('reason' in loaded) {
      current = emptyIndex(options);
      current.manifest.nextSegment = await firstFreeFileNumber(options.indexDir);
      rebuilt = loaded.reason === 'no index yet' ? 'index built' : `index rebuilt: ${loaded.reason}`;
    } else current = loaded.index;

    // Under the lock no write is in progress: temporary files left are from a process that died.
    await removeTemporaries(options.corpusDir);
    await removeTemporaries(options.indexDir);
    const { changes, skipped, files } = await corpusChanges(current, options.corpusDir, options.progress);
    if (rebuilt) {
      // A rebuild keeps when each article was first added, from the old segments where they can be read.
      const addedAt = await previousAddedAt(options.indexDir);
      changes.upsert = changes.upsert.map((u) => ({ ...u, addedAt: addedAt.get(u.article.id) }));
    }
    if (files === 0) throw new CorpusError(`Corpus directory ${options.corpusDir} has no .txt or .md articles.`);
    const needsVectors = Boolean(options.embedder && !current.vectors);
    if (!hasChanges(changes) && !needsVectors && !rebuilt) return { index: current, skipped };
    const index = await updateIndex(current, options, changes);
    if (rebuilt) {
      // A whole build: one line saying why and how much, not the per-change lines.
      index.actions.splice(0, index.actions.length, `${rebuilt} (${index.articles.length} articles, ${index.chunkCount} passages)`);
    }
    return { index, skipped };
  });
}

/**
 * What differs between the index and the folder: files that are new, or whose size or time
 * changed and whose bytes really differ, and articles whose file is gone or no longer an article.
 */
export async function corpusChanges(
  current: LoadedIndex,
  corpusDir: string,
  progress?: boolean,
  /** Only these file names (a change the caller made itself): no scan of the whole folder. */
  only?: readonly string[],
): Promise<{ changes: IndexChanges; skipped: SkippedFile[]; files: number }> {
  const listing = await scanCorpus(corpusDir, only);
  const indexed = new Map(current.articles.map((a) => [a.id, a]));
  const toRead: CorpusFile[] = [];
  for (const file of listing.files) {
    const known = indexed.get(file.id);
    // Compared by file name, not full path: a corpus folder moved with its index is not re-read.
    if (known && sameName(known.path, file.path) && known.fileSize === file.size && known.mtimeMs === file.mtimeMs) continue;
    toRead.push(file);
  }
  const upsert: ArticleUpsert[] = [];
  const touched: { id: string; size: number; mtimeMs: number }[] = [];
  const skipped = [...listing.skipped];
  const unusable = new Set<string>();
  const bar = progress === false || toRead.length < 200 ? null : createProgress('Reading articles', toRead.length);
  for (let i = 0; i < toRead.length; i += READ_CONCURRENCY) {
    const batch = toRead.slice(i, i + READ_CONCURRENCY);
    const results = await Promise.all(batch.map((f) => readCorpusFile(f)));
    results.forEach((result, k) => {
      const file = batch[k];
      if ('reason' in result) {
        skipped.push(result);
        unusable.add(file.id);
        return;
      }
      const known = indexed.get(file.id);
      // Touched but identical (a checkout, a copy): only its new size and time are recorded.
      if (known && known.contentHash === result.contentHash && sameName(known.path, file.path)) {
        touched.push({ id: file.id, size: file.size, mtimeMs: file.mtimeMs });
        return;
      }
      upsert.push({ article: result, file: { size: file.size, mtimeMs: file.mtimeMs } });
    });
    bar?.update(Math.min(i + READ_CONCURRENCY, toRead.length));
  }
  bar?.stop();
  const present = new Set(listing.files.map((f) => f.id));
  const looked = only ? new Set(only.map(articleIdOf)) : null;
  const remove = current.articles
    .filter((a) => (!looked || looked.has(a.id)) && (!present.has(a.id) || unusable.has(a.id)))
    .map((a) => a.id);
  return { changes: { upsert, remove, touched }, skipped, files: listing.files.length };
}

const sameName = (a: string, b: string) => path.basename(a) === path.basename(b);

/** Whether applying `changes` would change anything on disk. */
export function hasChanges(changes: IndexChanges): boolean {
  return changes.upsert.length > 0 || changes.remove.length > 0 || (changes.touched?.length ?? 0) > 0;
}

/** Article id → first added, from whatever segment files of an old index are still readable. */
async function previousAddedAt(dir: string): Promise<Map<string, string>> {
  const addedAt = new Map<string, string>();
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^seg-\d+\.json$/u.test(n));
  for (const name of names) {
    try {
      const { articles } = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { articles: { id: string; addedAt: string }[] };
      for (const a of articles) if (!addedAt.has(a.id) || a.addedAt < addedAt.get(a.id)!) addedAt.set(a.id, a.addedAt);
    } catch {
      // unreadable: those articles count as new
    }
  }
  return addedAt;
}

/** Deletes `.name.pid.hex.tmp` files (see atomic.ts) left in `dir` by a write that died. */
async function removeTemporaries(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => TEMPORARY_FILE.test(n)).map((n) => rm(path.join(dir, n), { force: true })));
}

/** The first segment/vector file number no file in the folder uses (a rebuild never overwrites a listed file). */
async function firstFreeFileNumber(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let next = 0;
  for (const name of names) {
    const m = /^(?:seg|vectors|vectors-log)-(\d+)\./u.exec(name);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return next;
}

/** The vectors on disk, when they were made by this model with these settings and their file is intact. */
async function loadVectors(settings: IndexSettings, manifest: Manifest, live: (doc: number) => boolean): Promise<VectorStore | null> {
  const { dense } = manifest;
  const wanted = denseSettings(settings);
  if (!dense || !wanted || !sameDense(dense, wanted)) return null;
  const file = path.join(settings.indexDir, dense.vectorsFile);
  try {
    if (!existsSync(file) || sha256(await readFile(file)) !== dense.vectorsSha256) return null;
    const store = await HnswVectorStore.load(file, dense.dimension, settings.hnsw);
    // The graph as last written, then what was logged since; passages removed since are dropped.
    for (const entry of dense.log) {
      const { labels, vectors } = await readVectorLog(settings.indexDir, entry, dense.dimension);
      const keep = labels.map((label, i) => [label, i] as const).filter(([label]) => live(label));
      store.add(keep.map(([, i]) => vectors[i]), keep.map(([label]) => label));
    }
    store.remove(store.labels().filter((label) => !live(label)));
    return store;
  } catch {
    return null; // damaged: the caller rebuilds the vectors (from the embedding cache)
  }
}
