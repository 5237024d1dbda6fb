/**
 * Vectors added since the HNSW file was last written, one small file per change, so that adding
 * an article writes its few vectors instead of the whole graph (about 180 MB at 100k passages of
 * 384 dimensions). A start loads the graph, adds the logged vectors and drops the labels of
 * passages that are no longer live; once the log passes {@link VECTOR_LOG_LIMIT} vectors the
 * graph is written whole again (a checkpoint) and the log starts over. The limit keeps the
 * replay at start short: each logged vector is one HNSW insertion.
 *
 * Layout: "TDVLOG01" | uint32 LE dimension | uint32 LE count | count × uint32 LE label |
 * count × dimension × float32 LE.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { sha256 } from './manifest.ts';

/** Logged vectors before the next change writes the whole graph instead. */
export const VECTOR_LOG_LIMIT = 500;

const MAGIC = Buffer.from('TDVLOG01', 'latin1');
const LITTLE_ENDIAN = endianness() === 'LE';

/** What the manifest records of one log file. */
export interface VectorLogEntry {
  file: string;
  sha256: string;
  count: number;
}

/** A log file that is missing, damaged or of another dimension: the graph is rebuilt. */
export class VectorLogError extends Error {
  override name = 'VectorLogError';
}

/** Writes `vectors` under `labels` to `dir/name`. */
export async function writeVectorLog(dir: string, name: string, labels: readonly number[], vectors: readonly Float32Array[]): Promise<VectorLogEntry> {
  const dimension = vectors[0]?.length ?? 0;
  const out = Buffer.alloc(16 + labels.length * 4 + vectors.length * dimension * 4);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(dimension, 8);
  out.writeUInt32LE(labels.length, 12);
  let at = 16;
  for (const label of labels) at = out.writeUInt32LE(label, at);
  for (const v of vectors) {
    if (LITTLE_ENDIAN) Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(out, at);
    else v.forEach((x, i) => out.writeFloatLE(x, at + i * 4));
    at += v.byteLength;
  }
  await writeFileAtomic(path.join(dir, name), out);
  return { file: name, sha256: sha256(out), count: labels.length };
}

/** Reads a log file the manifest lists, checking its checksum and dimension. */
export async function readVectorLog(dir: string, entry: VectorLogEntry, dimension: number): Promise<{ labels: number[]; vectors: Float32Array[] }> {
  let buf: Buffer;
  try {
    buf = await readFile(path.join(dir, entry.file));
  } catch (error) {
    throw new VectorLogError(`${entry.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (sha256(buf) !== entry.sha256 || buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) throw new VectorLogError(`${entry.file} is damaged`);
  const count = buf.readUInt32LE(12);
  if (buf.readUInt32LE(8) !== dimension && count > 0) throw new VectorLogError(`${entry.file} holds vectors of another dimension`);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) labels.push(buf.readUInt32LE(16 + i * 4));
  const vectors: Float32Array[] = [];
  const start = 16 + count * 4;
  for (let i = 0; i < count; i++) {
    const v = new Float32Array(dimension);
    for (let j = 0; j < dimension; j++) v[j] = buf.readFloatLE(start + (i * dimension + j) * 4);
    vectors.push(v);
  }
  return { labels, vectors };
}
