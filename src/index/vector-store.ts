/**
 * Nearest-neighbour search over passage vectors by cosine similarity.
 *
 * `HnswVectorStore` (hnswlib-node) is the one the index uses; it scores by cosine similarity
 * (1 = same direction) and persists to one file written to a temporary name and renamed.
 * (The brute-force peer for recall checks and benchmarks is test/helpers/exact-vector-store.ts.)
 */
import { open } from 'node:fs/promises';
import { writeAtomically } from './atomic.ts';
import hnswlib from 'hnswlib-node';
import { UserError } from '../errors.ts';

const { HierarchicalNSW } = hnswlib;
type HierarchicalNSWIndex = InstanceType<typeof HierarchicalNSW>;

/** One neighbour: the label given to `add` and its cosine similarity to the query. */
export interface VectorHit {
  label: number;
  score: number;
}

/** A searchable set of labelled vectors; the seam for swapping in another engine later. */
export interface VectorStore {
  /** Length of every vector. */
  readonly dimension: number;
  /** Number of vectors held. */
  readonly size: number;
  /**
   * Adds `vectors[i]` under `labels[i]` (non-negative integers, e.g. chunk ordinals).
   * Adding a label again replaces its vector.
   */
  add(vectors: Float32Array[], labels: number[]): void;
  /** Removes the vectors of these labels (labels it does not hold are ignored); their room is reused by later adds. */
  remove(labels: readonly number[]): void;
  /** The `k` nearest vectors by cosine similarity, best first; `filter` keeps only the labels it accepts. */
  search(query: Float32Array, k: number, filter?: (label: number) => boolean): VectorHit[];
  /** Writes the store to `file` atomically (temporary file in the same directory, then rename). */
  save(file: string): Promise<void>;
}

/** HNSW graph parameters (settings TRICHDAN_HNSW_M / _EF_CONSTRUCTION / _EF_SEARCH). */
export interface HnswParams {
  /** Links per node: more = better recall, more memory. */
  m: number;
  /** Candidate list size while building: more = better graph, slower build. */
  efConstruction: number;
  /** Candidate list size while searching (at least k): more = better recall, slower search. */
  efSearch: number;
}

/** Defaults of the HNSW settings. */
export const DEFAULT_HNSW_PARAMS: HnswParams = { m: 32, efConstruction: 200, efSearch: 400 };

/** A vector file that cannot be used: the message says which file, why, and to rebuild. */
export class VectorStoreError extends UserError {
  override name = 'VectorStoreError';
}

/** Throws when `add` is given vectors and labels that do not pair up, or vectors of another length. */
export function checkAdd(dimension: number, vectors: Float32Array[], labels: number[]): void {
  if (vectors.length !== labels.length) {
    throw new Error(`add: ${vectors.length} vectors but ${labels.length} labels`);
  }
  for (let i = 0; i < vectors.length; i++) {
    if (vectors[i].length !== dimension) {
      throw new Error(`add: vector ${i} has ${vectors[i].length} dimensions, the store has ${dimension}`);
    }
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label > 0xffffffff) {
      throw new Error(`add: label ${label} is not a non-negative 32-bit integer`);
    }
  }
}

/**
 * Reads the dimension recorded in an hnswlib index header (float32 vectors):
 * offsetLevel0, maxElements, count, sizeDataPerElement, labelOffset, offsetData (8 bytes each).
 */
async function hnswHeader(file: string): Promise<{ dimension: number; count: number; size: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(48);
    const { bytesRead } = await fh.read(buf, 0, 48, 0);
    if (bytesRead < 48) throw new VectorStoreError(`HNSW index ${file} is truncated (${size} bytes): rebuild it with \`trichdan index\``);
    const count = Number(buf.readBigUInt64LE(16));
    const sizePerElement = Number(buf.readBigUInt64LE(24));
    const dataBytes = Number(buf.readBigUInt64LE(32)) - Number(buf.readBigUInt64LE(40));
    if (dataBytes <= 0 || dataBytes % 4 !== 0 || size < 48 + count * sizePerElement) {
      throw new VectorStoreError(`HNSW index ${file} is damaged or truncated (${size} bytes): rebuild it with \`trichdan index\``);
    }
    return { dimension: dataBytes / 4, count, size };
  } finally {
    await fh.close();
  }
}

/** Approximate nearest neighbours with hnswlib-node (cosine space; capacity grows as needed). */
export class HnswVectorStore implements VectorStore {
  readonly dimension: number;
  /** The parameters in use (`efSearch` can be changed with `setEfSearch`). */
  readonly params: HnswParams;
  private readonly index: HierarchicalNSWIndex;
  private static loading = false;

  /** An empty store with room for `capacity` vectors before it first grows. */
  constructor(dimension: number, params: HnswParams = DEFAULT_HNSW_PARAMS, capacity = 1024) {
    this.dimension = dimension;
    this.params = { ...params };
    this.index = new HierarchicalNSW('cosine', dimension);
    // `load` fills the index from a file instead (hnswlib must not have an index to replace then).
    if (!HnswVectorStore.loading) {
      this.index.initIndex({
        maxElements: Math.max(1, capacity),
        m: params.m,
        efConstruction: params.efConstruction,
        randomSeed: 100,
        allowReplaceDeleted: true,
      });
      this.index.setEf(params.efSearch);
    }
  }

  get size(): number {
    return this.index.getCurrentCount();
  }

  /** Changes the search candidate list size (a speed/recall dial; not saved in the file). */
  setEfSearch(ef: number): void {
    this.params.efSearch = ef;
    this.index.setEf(ef);
  }

  add(vectors: Float32Array[], labels: number[]): void {
    checkAdd(this.dimension, vectors, labels);
    const needed = this.index.getCurrentCount() + vectors.length;
    const capacity = this.index.getMaxElements();
    if (needed > capacity) this.index.resizeIndex(Math.max(needed, Math.ceil(capacity * 1.5)));
    // Slots of removed vectors are reused (replaceDeleted), so a corpus that churns does not grow the graph.
    // A label the graph already has (live or removed) is updated in its own slot instead: put in a
    // freed slot, it would leave its old vector live under the same label, or a removed slot that
    // still names it, whose reuse later drops the label from the lookup (and so from `remove`).
    const held = new Set(this.index.getIdsList());
    for (let i = 0; i < vectors.length; i++) {
      const label = labels[i];
      if (held.has(label)) {
        try {
          this.index.unmarkDelete(label);
        } catch {
          // live: updated in place below
        }
        this.index.addPoint(Array.from(vectors[i]), label, false);
      } else {
        this.index.addPoint(Array.from(vectors[i]), label, true);
        held.add(label);
      }
    }
  }

  /** Every label in the graph, removed ones included (hnswlib keeps them until their slot is reused). */
  labels(): number[] {
    return this.index.getIdsList();
  }

  remove(labels: readonly number[]): void {
    for (const label of labels) {
      try {
        this.index.markDelete(label);
      } catch {
        // not held (or already removed): nothing to do
      }
    }
  }

  search(query: Float32Array, k: number, filter?: (label: number) => boolean): VectorHit[] {
    if (query.length !== this.dimension) {
      throw new Error(`search: query has ${query.length} dimensions, the store has ${this.dimension}`);
    }
    const n = Math.min(Math.floor(k), this.size);
    if (n <= 0) return [];
    if (this.index.getEf() < n) this.index.setEf(n);
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n, filter);
    if (this.index.getEf() !== this.params.efSearch) this.index.setEf(this.params.efSearch);
    return neighbors.map((label, i) => ({ label, score: 1 - distances[i] }));
  }

  async save(file: string): Promise<void> {
    await writeAtomically(file, async (tmp) => {
      await this.index.writeIndex(tmp);
    });
  }

  /**
   * Reads a store saved by `save`. Throws a `VectorStoreError` that says to rebuild when the
   * file is missing, damaged, or holds vectors of another dimension than `dimension`.
   */
  static async load(file: string, dimension: number, params: HnswParams = DEFAULT_HNSW_PARAMS): Promise<HnswVectorStore> {
    let header: { dimension: number; count: number; size: number };
    try {
      header = await hnswHeader(file);
    } catch (err) {
      if (err instanceof VectorStoreError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new VectorStoreError(
        code === 'ENOENT'
          ? `HNSW index ${file} is missing: build it with \`trichdan index\``
          : `HNSW index ${file} cannot be read (${code ?? String(err)}): rebuild it with \`trichdan index\``,
      );
    }
    if (header.dimension !== dimension) {
      throw new VectorStoreError(
        `HNSW index ${file} holds ${header.dimension}-dimensional vectors but the model gives ${dimension}: rebuild it with \`trichdan index\``,
      );
    }
    HnswVectorStore.loading = true;
    let store: HnswVectorStore;
    try {
      store = new HnswVectorStore(dimension, params);
    } finally {
      HnswVectorStore.loading = false;
    }
    try {
      await store.index.readIndex(file, true);
    } catch (err) {
      throw new VectorStoreError(
        `HNSW index ${file} is damaged (${(err as Error).message ?? err}): rebuild it with \`trichdan index\``,
      );
    }
    store.index.setEf(params.efSearch);
    return store;
  }
}
