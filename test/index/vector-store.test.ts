import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedder } from '../../src/index/embedder.ts';
import { writeTinyModel } from '../helpers/tiny-model.ts';
import { DEFAULT_HNSW_PARAMS, HnswVectorStore, VectorStoreError, type VectorStore } from '../../src/index/vector-store.ts';
import { ExactVectorStore } from '../helpers/exact-vector-store.ts';

/** Deterministic random unit vectors (mulberry32 + Box–Muller). */
function randomUnitVectors(count: number, dim: number, seed: number): Float32Array[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const v = new Float32Array(dim);
    let n = 0;
    for (let i = 0; i < dim; i++) {
      v[i] = Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd());
      n += v[i] * v[i];
    }
    for (let i = 0; i < dim; i++) v[i] /= Math.sqrt(n);
    return v;
  });
}

const labelsOf = (hits: { label: number }[]) => hits.map((h) => h.label);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trichdan-vectors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['HnswVectorStore', (dim: number) => new HnswVectorStore(dim, DEFAULT_HNSW_PARAMS, 8)],
  ['ExactVectorStore', (dim: number) => new ExactVectorStore(dim, 8)],
] as const)('%s', (_name, make) => {
  it('finds a vector itself first, with cosine similarity 1, best first', () => {
    const store: VectorStore = make(16);
    const vectors = randomUnitVectors(50, 16, 1);
    store.add(vectors, vectors.map((_, i) => i * 10));
    expect(store.size).toBe(50);
    const hits = store.search(vectors[7], 5);
    expect(hits[0].label).toBe(70);
    expect(hits[0].score).toBeCloseTo(1, 5);
    for (let i = 1; i < hits.length; i++) expect(hits[i].score).toBeLessThanOrEqual(hits[i - 1].score);
  });

  it('scores by cosine, whatever the vector lengths', () => {
    const store = make(2);
    store.add([Float32Array.of(3, 0), Float32Array.of(0, 0.5), Float32Array.of(1, 1)], [0, 1, 2]);
    const hits = store.search(Float32Array.of(10, 0), 3);
    expect(labelsOf(hits)).toEqual([0, 2, 1]);
    expect(hits[0].score).toBeCloseTo(1, 5);
    expect(hits[1].score).toBeCloseTo(Math.SQRT1_2, 5);
    expect(hits[2].score).toBeCloseTo(0, 5);
  });

  it('caps k at the size and answers [] when empty', () => {
    const store = make(4);
    expect(store.search(Float32Array.of(1, 0, 0, 0), 3)).toEqual([]);
    store.add(randomUnitVectors(2, 4, 2), [5, 6]);
    expect(store.search(Float32Array.of(1, 0, 0, 0), 10)).toHaveLength(2);
  });

  it('grows past its initial capacity', () => {
    const store = make(8);
    const vectors = randomUnitVectors(100, 8, 3);
    for (let i = 0; i < 100; i += 7) store.add(vectors.slice(i, i + 7), vectors.slice(i, i + 7).map((_, j) => i + j));
    expect(store.size).toBe(100);
    expect(store.search(vectors[99], 1)[0].label).toBe(99);
  });

  it('filters by label', () => {
    const store = make(16);
    const vectors = randomUnitVectors(200, 16, 4);
    store.add(vectors, vectors.map((_, i) => i));
    const hits = store.search(vectors[3], 10, (label) => label % 2 === 0);
    expect(hits.length).toBe(10);
    expect(hits.every((h) => h.label % 2 === 0)).toBe(true);
    expect(labelsOf(hits)).not.toContain(3);
    expect(store.search(vectors[4], 1, (label) => label === 4)[0].label).toBe(4);
  });

  it('rejects vectors of another dimension and bad labels with a clear message', () => {
    const store = make(4);
    expect(() => store.add([new Float32Array(3)], [0])).toThrow(/3 dimensions, the store has 4/);
    expect(() => store.add([new Float32Array(4)], [-1])).toThrow(/label -1/);
    expect(() => store.add([new Float32Array(4)], [])).toThrow(/1 vectors but 0 labels/);
    expect(() => store.search(new Float32Array(5), 1)).toThrow(/5 dimensions/);
  });
});

describe('persistence', () => {
  it('HNSW save/load round trip gives the same neighbours and leaves no temporary file', async () => {
    const vectors = randomUnitVectors(500, 32, 5);
    const store = new HnswVectorStore(32, DEFAULT_HNSW_PARAMS, 100);
    store.add(vectors, vectors.map((_, i) => i + 1000));
    const file = path.join(dir, 'hnsw', 'vectors.hnsw');
    await store.save(file);
    expect(await readdir(path.dirname(file))).toEqual(['vectors.hnsw']);

    const loaded = await HnswVectorStore.load(file, 32, DEFAULT_HNSW_PARAMS);
    expect(loaded.size).toBe(500);
    for (const q of randomUnitVectors(20, 32, 6)) {
      expect(loaded.search(q, 10)).toEqual(store.search(q, 10));
    }
    // Still growable after load.
    loaded.add(randomUnitVectors(10, 32, 7), Array.from({ length: 10 }, (_, i) => i));
    expect(loaded.size).toBe(510);
  });

  it('Exact save/load round trip gives the same neighbours', async () => {
    const vectors = randomUnitVectors(300, 24, 8);
    const store = new ExactVectorStore(24);
    store.add(vectors, vectors.map((_, i) => i * 3));
    const file = path.join(dir, 'exact.bin');
    await store.save(file);
    const loaded = await ExactVectorStore.load(file, 24);
    expect(loaded.size).toBe(300);
    for (const q of randomUnitVectors(10, 24, 9)) expect(loaded.search(q, 5)).toEqual(store.search(q, 5));
  });

  it('HNSW load: missing, truncated, other dimension, garbage → VectorStoreError saying to rebuild', async () => {
    const store = new HnswVectorStore(16);
    store.add(randomUnitVectors(100, 16, 10), Array.from({ length: 100 }, (_, i) => i));
    const file = path.join(dir, 'broken.hnsw');
    await store.save(file);

    await expect(HnswVectorStore.load(file, 32)).rejects.toThrow(/holds 16-dimensional vectors but the model gives 32: rebuild/);
    await expect(HnswVectorStore.load(path.join(dir, 'nope.hnsw'), 16)).rejects.toThrow(/is missing: build it with `trichdan index`/);
    await truncate(file, 2000);
    await expect(HnswVectorStore.load(file, 16)).rejects.toThrow(VectorStoreError);
    await truncate(file, 20);
    await expect(HnswVectorStore.load(file, 16)).rejects.toThrow(/truncated \(20 bytes\)/);
    await writeFile(file, Buffer.alloc(4096, 0xab));
    await expect(HnswVectorStore.load(file, 16)).rejects.toThrow(/rebuild it/);
  });
});

describe('HNSW recall against exact search', () => {
  it('recall@10 ≥ 0.95 on 2,000 random 64-dimensional vectors (default parameters)', () => {
    const dim = 64;
    const data = randomUnitVectors(2000, dim, 11);
    const labels = data.map((_, i) => i);
    const hnsw = new HnswVectorStore(dim, DEFAULT_HNSW_PARAMS, 256);
    const exact = new ExactVectorStore(dim);
    hnsw.add(data, labels);
    exact.add(data, labels);
    let found = 0;
    const queries = randomUnitVectors(200, dim, 12);
    for (const q of queries) {
      const truth = new Set(labelsOf(exact.search(q, 10)));
      found += labelsOf(hnsw.search(q, 10)).filter((l) => truth.has(l)).length;
    }
    const recall = found / (queries.length * 10);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});

describe('dense path end to end: tiny model → HNSW', () => {
  it('the passage that shares the question’s words comes first', async () => {
    const { modelId, modelsDir } = await writeTinyModel(path.join(dir, 'models'));
    const loaded = await loadEmbedder({ modelId, modelsDir, quantized: true, allowRemote: false, prefixes: true, batchSize: 8 });
    if (!loaded.ok) throw new Error(loaded.problem);
    const passages = [
      'Giá cà phê xuất khẩu tăng mạnh trong tháng mười.',
      'Mỹ tài trợ 130 triệu USD để xử lý dioxin tại sân bay Biên Hòa.',
      'Hà Nội khởi công tuyến metro số 5 vào cuối năm.',
      'Bão số 12 đổ bộ vào miền Trung gây mưa lớn.',
    ];
    const store = new HnswVectorStore(loaded.embedder.dimension);
    store.add(await loaded.embedder.embedPassages(passages), [0, 1, 2, 3]);
    const q = await loaded.embedder.embedQuery('bien hoa dioxin bao nhieu tien');
    expect(store.search(q, 2)[0].label).toBe(1);
    const q2 = await loaded.embedder.embedQuery('Khi nào khởi công metro Hà Nội?');
    expect(store.search(q2, 2)[0].label).toBe(2);
  });
});

describe.each([
  ['HnswVectorStore', (dim: number) => new HnswVectorStore(dim, DEFAULT_HNSW_PARAMS, 8)],
  ['ExactVectorStore', (dim: number) => new ExactVectorStore(dim, 8)],
] as const)('%s remove', (_name, make) => {
  it('never returns a removed label, with or without a filter, and still finds the others', () => {
    const store: VectorStore = make(16);
    const vectors = randomUnitVectors(200, 16, 21);
    store.add(vectors, vectors.map((_, i) => i));
    const gone = new Set(Array.from({ length: 60 }, (_, i) => i * 3));
    store.remove([...gone]);
    for (const label of gone) {
      expect(labelsOf(store.search(vectors[label], 20))).not.toContain(label);
      expect(labelsOf(store.search(vectors[label], 20, (l) => l < 100))).not.toContain(label);
    }
    for (const label of [1, 2, 100, 199]) expect(store.search(vectors[label], 1)[0].label).toBe(label);
    // Asking for more than there is gives the live ones only.
    const all = labelsOf(store.search(vectors[0], 1000));
    expect(all.length).toBeLessThanOrEqual(140);
    expect(all.some((l) => gone.has(l))).toBe(false);
  });

  it('ignores labels it does not hold and labels removed twice', () => {
    const store = make(4);
    const vectors = randomUnitVectors(5, 4, 22);
    store.add(vectors, [0, 1, 2, 3, 4]);
    store.remove([]);
    store.remove([99, 12345]);
    store.remove([2]);
    store.remove([2, 2]);
    expect(labelsOf(store.search(vectors[2], 10)).sort()).toEqual([0, 1, 3, 4]);
  });

  it('answers [] once everything is removed', () => {
    const store = make(8);
    const vectors = randomUnitVectors(10, 8, 23);
    store.add(vectors, vectors.map((_, i) => i));
    store.remove(vectors.map((_, i) => i));
    expect(store.search(vectors[0], 5)).toEqual([]);
  });

  it('takes new labels after removals, and a removed label back with its new vector', () => {
    const store = make(16);
    const vectors = randomUnitVectors(40, 16, 24);
    store.add(vectors.slice(0, 20), Array.from({ length: 20 }, (_, i) => i));
    store.remove([0, 1, 2, 3, 4]);
    // New labels go into the freed room and are found.
    store.add(vectors.slice(20, 25), [100, 101, 102, 103, 104]);
    for (let i = 0; i < 5; i++) expect(store.search(vectors[20 + i], 1)[0]).toMatchObject({ label: 100 + i });
    // A removed label added again holds its new vector, once.
    store.add([vectors[30]], [3]);
    const hits = store.search(vectors[30], 30);
    expect(hits[0]).toMatchObject({ label: 3 });
    expect(hits[0].score).toBeCloseTo(1, 5);
    expect(hits.filter((h) => h.label === 3)).toHaveLength(1);
    for (const label of [0, 1, 2, 4]) expect(labelsOf(store.search(vectors[label], 30))).not.toContain(label);
    // Later adds take whatever room is left, and removing the label again still removes it.
    store.add(vectors.slice(31, 36), [200, 201, 202, 203, 204]);
    store.remove([3]);
    expect(labelsOf(store.search(vectors[30], 40))).not.toContain(3);
    for (let i = 0; i < 5; i++) expect(store.search(vectors[31 + i], 1)[0]).toMatchObject({ label: 200 + i });
  });

  it('adding a held label again after removals replaces its vector (no second copy under the label)', () => {
    const store = make(4);
    const axis = (i: number) => Float32Array.from({ length: 4 }, (_, j) => (j === i ? 1 : 0));
    store.add([axis(0), axis(1), axis(2), axis(3)], [0, 1, 2, 3]);
    store.remove([0]);
    store.add([Float32Array.of(1, 1, 0, 0)], [3]);
    const hits = store.search(axis(3), 4);
    expect(hits.filter((h) => h.label === 3)).toHaveLength(1);
    expect(hits.find((h) => h.label === 3)!.score).toBeCloseTo(0, 5);
    expect(store.search(Float32Array.of(1, 1, 0, 0), 1)[0]).toMatchObject({ label: 3 });
    // Removing it again removes it for good (the label is not left behind in another slot).
    store.remove([3]);
    expect(labelsOf(store.search(axis(3), 4))).not.toContain(3);
    expect(labelsOf(store.search(Float32Array.of(1, 1, 0, 0), 4))).not.toContain(3);
  });
});

describe('HnswVectorStore remove: room and persistence', () => {
  it('reuses the slots of removed vectors, so a corpus that churns does not grow the graph', () => {
    const vectors = randomUnitVectors(130, 16, 25);
    const store = new HnswVectorStore(16, DEFAULT_HNSW_PARAMS, 100);
    store.add(vectors.slice(0, 100), Array.from({ length: 100 }, (_, i) => i));
    expect(store.size).toBe(100);
    store.remove(Array.from({ length: 30 }, (_, i) => i));
    // `size` counts the graph's slots: removed ones until they are reused.
    expect(store.size).toBe(100);
    store.add(vectors.slice(100, 130), Array.from({ length: 30 }, (_, i) => 1000 + i));
    expect(store.size).toBe(100);
    for (let i = 0; i < 30; i++) expect(store.search(vectors[100 + i], 1)[0].label).toBe(1000 + i);
    // Past the freed room it grows again.
    store.add(randomUnitVectors(5, 16, 26), [2000, 2001, 2002, 2003, 2004]);
    expect(store.size).toBe(105);
  });

  it('keeps removals across save and load, and the loaded store reuses their slots', async () => {
    const vectors = randomUnitVectors(60, 16, 27);
    const store = new HnswVectorStore(16, DEFAULT_HNSW_PARAMS, 60);
    store.add(vectors.slice(0, 50), Array.from({ length: 50 }, (_, i) => i));
    store.remove([5, 6, 7, 8, 9]);
    const file = path.join(dir, 'removed', 'vectors-000003.hnsw');
    await store.save(file);
    const loaded = await HnswVectorStore.load(file, 16, DEFAULT_HNSW_PARAMS);
    for (const label of [5, 6, 7, 8, 9]) expect(labelsOf(loaded.search(vectors[label], 50))).not.toContain(label);
    expect(loaded.search(vectors[10], 1)[0].label).toBe(10);
    expect(loaded.size).toBe(50);
    loaded.add(vectors.slice(50, 55), [50, 51, 52, 53, 54]);
    expect(loaded.size).toBe(50);
    for (let i = 50; i < 55; i++) expect(loaded.search(vectors[i], 1)[0].label).toBe(i);
    // Removing after load works too.
    loaded.remove([10]);
    expect(labelsOf(loaded.search(vectors[10], 50))).not.toContain(10);
  });
});

describe('ExactVectorStore remove', () => {
  it('counts only the vectors it holds and survives save/load', async () => {
    const vectors = randomUnitVectors(20, 8, 28);
    const store = new ExactVectorStore(8);
    store.add(vectors, vectors.map((_, i) => i));
    store.remove([0, 19, 7]);
    expect(store.size).toBe(17);
    expect(store.vector(7)).toBeUndefined();
    const file = path.join(dir, 'exact-removed.bin');
    await store.save(file);
    const loaded = await ExactVectorStore.load(file, 8);
    expect(loaded.size).toBe(17);
    for (const label of [0, 19, 7]) expect(labelsOf(loaded.search(vectors[label], 20))).not.toContain(label);
    expect(loaded.search(vectors[18], 1)[0].label).toBe(18);
  });
});
