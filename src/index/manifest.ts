import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ChunkingOptions } from './chunk-types.ts';
import { writeFileAtomic } from './atomic.ts';

/**
 * Bumped whenever cleaning, chunking or the on-disk layout changes in a way that
 * makes an old index wrong; a different version triggers a rebuild.
 * 2: segments (articles and postings stored, read at start instead of rebuilt), tombstones.
 * 3: article texts in a UTF-16 file beside each segment's JSON.
 * 4: bidirectional controls (and every other invisible character) removed from article texts.
 * 5: a one-letter word with marks ("châu Á.", "nước Ý.") ends a sentence; it is not an initial.
 * 6: the sentences of a short quotation stay one sentence.
 */
export const INDEX_FORMAT_VERSION = 6;

const segmentSchema = z.object({
  name: z.string(),
  base: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  dataSha256: z.string(),
  textSha256: z.string(),
  postingsSha256: z.string(),
});

const manifestSchema = z.object({
  formatVersion: z.number().int(),
  createdAt: z.string(),
  /** Last change (add, remove, refresh): "last ingest" in /stats. */
  updatedAt: z.string(),
  chunking: z.object({ maxChars: z.number().int(), overlapSentences: z.number().int() }),
  /** The segments, oldest first; together they cover documents 0 … nextDoc - 1. */
  segments: z.array(segmentSchema),
  /** Tombstones: per segment name, the positions of its articles that were removed or replaced. */
  removed: z.record(z.string(), z.array(z.number().int().nonnegative())),
  /**
   * Size and modification time of files touched (copied, checked out) but not changed since their
   * article was indexed, by article id: so a start does not read them again.
   */
  touched: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
  /** The next document number (numbers are never reused, so vector labels stay valid). */
  nextDoc: z.number().int().nonnegative(),
  /** The next segment file number. */
  nextSegment: z.number().int().nonnegative(),
  articleCount: z.number().int(),
  chunkCount: z.number().int(),
  /** The dense side, or null when the index is lexical-only (no model could be loaded). */
  dense: z
    .object({
      modelId: z.string(),
      dimension: z.number().int().positive(),
      quantized: z.boolean(),
      prefixes: z.boolean(),
      hnsw: z.object({ m: z.number().int(), efConstruction: z.number().int() }),
      vectorsFile: z.string(),
      vectorsSha256: z.string(),
      /** Vectors added since the file was written (see vector-log.ts). */
      log: z.array(z.object({ file: z.string(), sha256: z.string(), count: z.number().int().nonnegative() })).default([]),
    })
    .nullable(),
  /** Why there is no dense side (shown by `doctor`). */
  denseProblem: z.string().nullable(),
});

/** What `embeddings/manifest.json` records about the index next to it. */
export type Manifest = z.infer<typeof manifestSchema>;

export const MANIFEST_FILE = 'manifest.json';

/** sha256 (hex) of a buffer or string. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads the manifest; null when absent, unreadable or not a manifest (the caller rebuilds). */
export async function readManifest(file: string): Promise<Manifest | null> {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes the manifest atomically (temp file + rename). */
export async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Why an index on disk cannot be updated in place for these settings (a rebuild is needed), or null. */
export function staleReason(manifest: Manifest | null, chunking: ChunkingOptions): string | null {
  if (!manifest) return 'no index yet';
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) return `index format ${manifest.formatVersion} is not ${INDEX_FORMAT_VERSION}`;
  if (manifest.chunking.maxChars !== chunking.maxChars || manifest.chunking.overlapSentences !== chunking.overlapSentences)
    return 'the chunking settings changed';
  return null;
}
