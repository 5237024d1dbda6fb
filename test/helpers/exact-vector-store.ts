/**
 * Brute-force cosine similarity over every vector: the exact reference the HNSW store is
 * checked against (tests) and the "exact cosine" peer of the benchmarks. Not used by the
 * product, which searches with `HnswVectorStore`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { writeAtomically } from '../../src/index/atomic.ts';
import { checkAdd, VectorStoreError, type VectorHit, type VectorStore } from '../../src/index/vector-store.ts';

const EXACT_MAGIC = Buffer.from('TDEXACT1', 'latin1');

/** Exact, O(n) per query. */
export class ExactVectorStore implements VectorStore {
  readonly dimension: number;
  private matrix: Float32Array;
  private labelOf: Uint32Array;
  private rowOf = new Map<number, number>();
  private count = 0;

  /** An empty store with room for `capacity` vectors before it first grows. */
  constructor(dimension: number, capacity = 1024) {
    this.dimension = dimension;
    this.matrix = new Float32Array(Math.max(1, capacity) * dimension);
    this.labelOf = new Uint32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  add(vectors: Float32Array[], labels: number[]): void {
    checkAdd(this.dimension, vectors, labels);
    const d = this.dimension;
    for (let i = 0; i < vectors.length; i++) {
      let row = this.rowOf.get(labels[i]);
      if (row === undefined) {
        this.grow(this.count + 1);
        row = this.count++;
        this.rowOf.set(labels[i], row);
        this.labelOf[row] = labels[i];
      }
      const v = vectors[i];
      let norm = 0;
      for (let j = 0; j < d; j++) norm += v[j] * v[j];
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      const base = row * d;
      for (let j = 0; j < d; j++) this.matrix[base + j] = v[j] * inv;
    }
  }

  search(query: Float32Array, k: number, filter?: (label: number) => boolean): VectorHit[] {
    const d = this.dimension;
    if (query.length !== d) throw new Error(`search: query has ${query.length} dimensions, the store has ${d}`);
    const n = Math.min(Math.floor(k), this.count);
    if (n <= 0) return [];
    let qn = 0;
    for (let j = 0; j < d; j++) qn += query[j] * query[j];
    const inv = qn > 0 ? 1 / Math.sqrt(qn) : 0;
    const q = new Float32Array(d);
    for (let j = 0; j < d; j++) q[j] = query[j] * inv;

    // Keep the best n in a small array sorted by descending score.
    const best: VectorHit[] = [];
    const m = this.matrix;
    for (let row = 0; row < this.count; row++) {
      const label = this.labelOf[row];
      if (filter && !filter(label)) continue;
      let score = 0;
      const base = row * d;
      for (let j = 0; j < d; j++) score += m[base + j] * q[j];
      if (best.length === n && score <= best[n - 1].score) continue;
      let at = best.length < n ? best.length : n - 1;
      if (best.length < n) best.push({ label, score });
      else best[at] = { label, score };
      while (at > 0 && best[at - 1].score < best[at].score) {
        [best[at - 1], best[at]] = [best[at], best[at - 1]];
        at--;
      }
    }
    return best;
  }

  remove(labels: readonly number[]): void {
    const d = this.dimension;
    for (const label of labels) {
      const row = this.rowOf.get(label);
      if (row === undefined) continue;
      const last = this.count - 1;
      if (row !== last) {
        this.matrix.copyWithin(row * d, last * d, (last + 1) * d);
        this.labelOf[row] = this.labelOf[last];
        this.rowOf.set(this.labelOf[row], row);
      }
      this.rowOf.delete(label);
      this.count--;
    }
  }

  /** The stored (normalised) vector of `label`, or undefined. */
  vector(label: number): Float32Array | undefined {
    const row = this.rowOf.get(label);
    return row === undefined ? undefined : this.matrix.slice(row * this.dimension, (row + 1) * this.dimension);
  }

  /** Layout: "TDEXACT1" | uint32 dimension | uint32 count | count × uint32 label | count × dimension × float32 (LE). */
  async save(file: string): Promise<void> {
    const d = this.dimension;
    const out = Buffer.alloc(16 + this.count * 4 + this.count * d * 4);
    EXACT_MAGIC.copy(out, 0);
    out.writeUInt32LE(d, 8);
    out.writeUInt32LE(this.count, 12);
    let pos = 16;
    for (let r = 0; r < this.count; r++) pos = out.writeUInt32LE(this.labelOf[r], pos);
    for (let i = 0; i < this.count * d; i++) pos = out.writeFloatLE(this.matrix[i], pos);
    await writeAtomically(file, (tmp) => writeFile(tmp, out));
  }

  /** Reads a store saved by `save`; throws a `VectorStoreError` on a damaged file or another dimension. */
  static async load(file: string, dimension: number): Promise<ExactVectorStore> {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (err) {
      throw new VectorStoreError(`vector file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}): rebuild it with \`trichdan index\``);
    }
    if (buf.length < 16 || !buf.subarray(0, 8).equals(EXACT_MAGIC)) {
      throw new VectorStoreError(`vector file ${file} is not an exact vector store: rebuild it with \`trichdan index\``);
    }
    const d = buf.readUInt32LE(8);
    const count = buf.readUInt32LE(12);
    if (d !== dimension) {
      throw new VectorStoreError(`vector file ${file} holds ${d}-dimensional vectors but the model gives ${dimension}: rebuild it with \`trichdan index\``);
    }
    if (buf.length !== 16 + count * 4 + count * d * 4) {
      throw new VectorStoreError(`vector file ${file} is truncated (${buf.length} bytes): rebuild it with \`trichdan index\``);
    }
    const store = new ExactVectorStore(d, count);
    let pos = 16;
    for (let r = 0; r < count; r++, pos += 4) {
      store.labelOf[r] = buf.readUInt32LE(pos);
      store.rowOf.set(store.labelOf[r], r);
    }
    for (let i = 0; i < count * d; i++, pos += 4) store.matrix[i] = buf.readFloatLE(pos);
    store.count = count;
    return store;
  }

  private grow(needed: number): void {
    const capacity = this.labelOf.length;
    if (needed <= capacity) return;
    const next = Math.max(needed, capacity * 2);
    const matrix = new Float32Array(next * this.dimension);
    matrix.set(this.matrix);
    this.matrix = matrix;
    const labels = new Uint32Array(next);
    labels.set(this.labelOf);
    this.labelOf = labels;
  }
}
