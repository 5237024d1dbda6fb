/**
 * Content-hash cache of passage vectors, so an unchanged chunk is never embedded twice.
 *
 * Key: sha256(embedder key + '\0' + passage text). One file per index directory
 * (`vectors-cache.bin`), written to a temporary file and renamed into place. Layout:
 *
 *   "TDVCACH1" | uint32 LE header length | header JSON (space-padded to 4 bytes)
 *   | count × (32-byte sha256 | dimension × float32 LE)
 *
 * A file written for another model or dimension, or a damaged one, is not an error: the
 * cache starts empty, says why in `problem`, and the next `save()` replaces the file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.ts';
import { endianness } from 'node:os';
import path from 'node:path';
import type { Embedder } from './embedder.ts';

/** File name of the cache inside an index directory. */
export const EMBEDDING_CACHE_FILE = 'vectors-cache.bin';

const MAGIC = Buffer.from('TDVCACH1', 'latin1');
const FORMAT = 1;
const HASH_BYTES = 32;
/** On little-endian machines (all the usual ones) float bytes are copied as they are. */
const LITTLE_ENDIAN = endianness() === 'LE';

interface Header {
  format: number;
  modelKey: string;
  dimension: number;
  count: number;
}

/** Counters of one cache since it was opened. */
export interface EmbeddingCacheStats {
  /** Vectors held now. */
  size: number;
  /** Vectors read from disk at open. */
  loaded: number;
  hits: number;
  misses: number;
}

/** Passage vectors by content hash, for one embedder (model + settings) and dimension. */
export class EmbeddingCache {
  /** Where the cache is saved. */
  readonly file: string;
  /** The embedder key (`Embedder.key`) the vectors belong to. */
  readonly modelKey: string;
  readonly dimension: number;
  /** Why the file on disk was not used (other model, other dimension, damaged), or null. */
  readonly problem: string | null;
  private readonly vectors: Map<string, Float32Array>;
  private readonly loadedCount: number;
  private hits = 0;
  private misses = 0;
  private dirty = false;

  private constructor(file: string, modelKey: string, dimension: number, vectors: Map<string, Float32Array>, problem: string | null) {
    this.file = file;
    this.modelKey = modelKey;
    this.dimension = dimension;
    this.vectors = vectors;
    this.loadedCount = vectors.size;
    this.problem = problem;
  }

  /**
   * Opens the cache at `file` (absent → empty). A file for another `modelKey` or `dimension`, or
   * a damaged one, gives an empty cache with `problem` set; it never throws for file contents.
   */
  static async open(file: string, modelKey: string, dimension: number): Promise<EmbeddingCache> {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new EmbeddingCache(file, modelKey, dimension, new Map(), null);
      throw err;
    }
    const parsed = parse(buf, modelKey, dimension);
    if (typeof parsed === 'string') return new EmbeddingCache(file, modelKey, dimension, new Map(), `${path.basename(file)}: ${parsed}; starting empty`);
    return new EmbeddingCache(file, modelKey, dimension, parsed, null);
  }

  /** The cache key of a passage: sha256(modelKey + '\0' + text), hex. */
  keyOf(text: string): string {
    return createHash('sha256').update(this.modelKey).update('\0').update(text).digest('hex');
  }

  /** The cached vector of `text`, or undefined (counted as a hit or a miss). Do not mutate it. */
  get(text: string): Float32Array | undefined {
    const vec = this.vectors.get(this.keyOf(text));
    if (vec) this.hits++;
    else this.misses++;
    return vec;
  }

  /** Whether `text` is cached (not counted). */
  has(text: string): boolean {
    return this.vectors.has(this.keyOf(text));
  }

  /** Stores the vector of `text`. */
  set(text: string, vector: Float32Array): void {
    if (vector.length !== this.dimension) {
      throw new Error(`embedding cache holds ${this.dimension}-dimensional vectors, got ${vector.length}`);
    }
    this.vectors.set(this.keyOf(text), vector);
    this.dirty = true;
  }

  /** Drops every vector whose passage is not in `texts` (call after a rebuild so the file does not grow forever). */
  retainOnly(texts: Iterable<string>): number {
    const keep = new Set<string>();
    for (const t of texts) keep.add(this.keyOf(t));
    let dropped = 0;
    for (const key of this.vectors.keys()) {
      if (!keep.has(key)) {
        this.vectors.delete(key);
        dropped++;
      }
    }
    if (dropped) this.dirty = true;
    return dropped;
  }

  /** Counters since open. */
  get stats(): EmbeddingCacheStats {
    return { size: this.vectors.size, loaded: this.loadedCount, hits: this.hits, misses: this.misses };
  }

  /** Writes the cache (temp file + rename) when something changed since open or the last save. */
  async save(): Promise<void> {
    if (!this.dirty && this.problem === null) return;
    const header: Header = { format: FORMAT, modelKey: this.modelKey, dimension: this.dimension, count: this.vectors.size };
    let json = JSON.stringify(header);
    const pad = (4 - ((MAGIC.length + 4 + Buffer.byteLength(json)) % 4)) % 4;
    json += ' '.repeat(pad);
    const headerBytes = Buffer.from(json, 'utf8');
    const recordBytes = HASH_BYTES + this.dimension * 4;
    const out = Buffer.alloc(MAGIC.length + 4 + headerBytes.length + this.vectors.size * recordBytes);
    let pos = MAGIC.copy(out, 0);
    pos = out.writeUInt32LE(headerBytes.length, pos);
    pos += headerBytes.copy(out, pos);
    for (const [key, vec] of this.vectors) {
      pos += Buffer.from(key, 'hex').copy(out, pos);
      if (LITTLE_ENDIAN) pos += Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).copy(out, pos);
      else for (let i = 0; i < vec.length; i++) pos = out.writeFloatLE(vec[i], pos);
    }
    await writeFileAtomic(this.file, out);
    this.dirty = false;
    (this as { problem: string | null }).problem = null;
  }
}

/** Reads a cache file; a string is the reason it cannot be used. */
function parse(buf: Buffer, modelKey: string, dimension: number): Map<string, Float32Array> | string {
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return 'not an embedding cache file';
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + headerLength;
  if (start > buf.length) return 'truncated header';
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, start)) as Header;
  } catch {
    return 'damaged header';
  }
  if (header.format !== FORMAT) return `format ${header.format}, expected ${FORMAT}`;
  if (header.modelKey !== modelKey) return `vectors of ${header.modelKey}, not ${modelKey}`;
  if (header.dimension !== dimension) return `${header.dimension}-dimensional vectors, expected ${dimension}`;
  const recordBytes = HASH_BYTES + dimension * 4;
  if (buf.length !== start + header.count * recordBytes) {
    return `size ${buf.length} bytes does not match ${header.count} vectors (truncated?)`;
  }
  // One aligned copy of the vector data; each entry is a view into it.
  const floats = new Float32Array(header.count * dimension);
  const bytes = new Uint8Array(floats.buffer);
  const vectors = new Map<string, Float32Array>();
  for (let r = 0; r < header.count; r++) {
    const at = start + r * recordBytes;
    const key = buf.toString('hex', at, at + HASH_BYTES);
    const base = r * dimension;
    if (LITTLE_ENDIAN) bytes.set(buf.subarray(at + HASH_BYTES, at + recordBytes), base * 4);
    else for (let i = 0; i < dimension; i++) floats[base + i] = buf.readFloatLE(at + HASH_BYTES + i * 4);
    vectors.set(key, floats.subarray(base, base + dimension));
  }
  return vectors;
}

/**
 * Embeds `texts` as passages, taking what it can from `cache` and embedding only the misses
 * (each distinct text once); new vectors go into the cache (call `cache.save()` afterwards).
 * `onProgress(done, total)` counts texts, cached ones included. Returns vectors in `texts` order.
 */
export async function embedWithCache(
  embedder: Embedder,
  cache: EmbeddingCache,
  texts: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array[]> {
  if (cache.modelKey !== embedder.key) {
    throw new Error(`embedding cache is for ${cache.modelKey}, but the embedder is ${embedder.key}`);
  }
  const out: (Float32Array | undefined)[] = texts.map((t) => cache.get(t));
  const missing: string[] = [];
  const seen = new Set<string>();
  out.forEach((vec, i) => {
    if (!vec && !seen.has(texts[i])) {
      seen.add(texts[i]);
      missing.push(texts[i]);
    }
  });
  const cached = texts.length - out.filter((v) => !v).length;
  onProgress?.(cached, texts.length);
  if (missing.length) {
    const fresh = await embedder.embedPassages(missing, (done) => onProgress?.(cached + done, texts.length));
    const byText = new Map<string, Float32Array>();
    missing.forEach((t, i) => {
      cache.set(t, fresh[i]);
      byText.set(t, fresh[i]);
    });
    texts.forEach((t, i) => {
      if (!out[i]) out[i] = byText.get(t);
    });
  }
  onProgress?.(texts.length, texts.length);
  return out as Float32Array[];
}
