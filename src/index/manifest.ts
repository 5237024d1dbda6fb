import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Article } from '../corpus/article.ts';
import type { ChunkingOptions } from './chunk-types.ts';
import { writeFileAtomic } from './atomic.ts';

/**
 * Bumped whenever cleaning, chunking or the on-disk layout changes in a way that
 * makes an old index wrong; a different version triggers a rebuild.
 */
export const INDEX_FORMAT_VERSION = 1;

const manifestSchema = z.object({
  formatVersion: z.number().int(),
  createdAt: z.string(),
  corpusFingerprint: z.string(),
  articleCount: z.number().int(),
  chunkCount: z.number().int(),
  chunking: z.object({ maxChars: z.number().int(), overlapSentences: z.number().int() }),
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
    })
    .nullable(),
  /** Why there is no dense side (shown by `doctor`). */
  denseProblem: z.string().nullable(),
  chunksFile: z.string(),
  chunksSha256: z.string(),
});

/** What `embeddings/manifest.json` records about the index next to it. */
export type Manifest = z.infer<typeof manifestSchema>;

export const MANIFEST_FILE = 'manifest.json';

/** A fingerprint of the corpus as the index sees it: ids, file hashes and cleaned texts, in id order. */
export function corpusFingerprint(articles: readonly Article[]): string {
  const h = createHash('sha256');
  h.update(`format ${INDEX_FORMAT_VERSION}\n`);
  for (const a of [...articles].sort((x, y) => x.id.localeCompare(y.id))) {
    h.update(`${a.id}\t${a.contentHash}\t${sha256(`${a.title}\n${a.text}`)}\n`);
  }
  return h.digest('hex');
}

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

/** Why an index on disk cannot serve this corpus and these settings, or null when it can. */
export function staleReason(
  manifest: Manifest | null,
  fingerprint: string,
  chunking: ChunkingOptions,
): string | null {
  if (!manifest) return 'no index yet';
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) return `index format ${manifest.formatVersion} is not ${INDEX_FORMAT_VERSION}`;
  if (manifest.corpusFingerprint !== fingerprint) return 'the corpus changed since the index was built';
  if (manifest.chunking.maxChars !== chunking.maxChars || manifest.chunking.overlapSentences !== chunking.overlapSentences)
    return 'the chunking settings changed';
  return null;
}
