import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_CACHE_FILE, EmbeddingCache, embedWithCache } from '../../src/index/embedding-cache.ts';
import { loadEmbedder, type Embedder } from '../../src/index/embedder.ts';
import { createProgress } from '../../src/index/progress.ts';
import { writeTinyModel } from '../helpers/tiny-model.ts';

/** Wraps the real embedder and counts the passages it is asked to embed. */
class CountingEmbedder implements Embedder {
  embedded: string[] = [];
  constructor(private readonly inner: Embedder) {}
  get modelId() {
    return this.inner.modelId;
  }
  get key() {
    return this.inner.key;
  }
  get dimension() {
    return this.inner.dimension;
  }
  async embedPassages(texts: string[], onBatch?: (done: number, total: number) => void) {
    this.embedded.push(...texts);
    return this.inner.embedPassages(texts, onBatch);
  }
  embedQuery(text: string) {
    return this.inner.embedQuery(text);
  }
}

let dir: string;
let real: Embedder;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trichdan-cache-'));
  const { modelId, modelsDir } = await writeTinyModel(path.join(dir, 'models'), { dimension: 32 });
  const loaded = await loadEmbedder({ modelId, modelsDir, quantized: false, allowRemote: false, prefixes: true, batchSize: 3 });
  if (!loaded.ok) throw new Error(loaded.problem);
  real = loaded.embedder;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const passages = [
  'Mỹ tài trợ 130 triệu USD để xử lý dioxin tại sân bay Biên Hòa.',
  'Giá cà phê xuất khẩu tăng mạnh trong tháng mười.',
  'Hà Nội khởi công tuyến metro số 5 vào cuối năm.',
  'Bão số 12 đổ bộ vào miền Trung gây mưa lớn.',
];

describe('EmbeddingCache + embedWithCache', () => {
  it('embeds only the misses, persists, and a reopened cache embeds nothing', async () => {
    const file = path.join(dir, 'idx1', EMBEDDING_CACHE_FILE);
    const counting = new CountingEmbedder(real);

    const cache = await EmbeddingCache.open(file, counting.key, counting.dimension);
    expect(cache.problem).toBeNull();
    const progress: number[] = [];
    const first = await embedWithCache(counting, cache, passages, (done) => progress.push(done));
    expect(counting.embedded).toEqual(passages);
    expect(progress.at(-1)).toBe(4);
    expect(cache.stats).toMatchObject({ size: 4, hits: 0, misses: 4 });
    await cache.save();
    expect(await readdir(path.dirname(file))).toEqual([EMBEDDING_CACHE_FILE]);

    // One passage changed, one added: only those two are embedded.
    counting.embedded = [];
    const reopened = await EmbeddingCache.open(file, counting.key, counting.dimension);
    expect(reopened.stats.loaded).toBe(4);
    const changed = [...passages.slice(0, 3), 'Bão số 13 đổ bộ vào miền Trung.', 'Một đoạn văn mới.'];
    const second = await embedWithCache(counting, reopened, changed);
    expect(counting.embedded).toEqual(['Bão số 13 đổ bộ vào miền Trung.', 'Một đoạn văn mới.']);
    expect(reopened.stats).toMatchObject({ hits: 3, misses: 2, size: 6 });
    for (let i = 0; i < 3; i++) expect(Array.from(second[i])).toEqual(Array.from(first[i]));

    // Vectors read back from disk are the vectors the model gives.
    const fresh = await real.embedPassages([passages[0]]);
    expect(Array.from(reopened.get(passages[0])!)).toEqual(Array.from(fresh[0]));

    // Nothing new → nothing embedded at all.
    counting.embedded = [];
    await embedWithCache(counting, reopened, changed);
    expect(counting.embedded).toEqual([]);
  });

  it('embeds a repeated text once and returns vectors in input order', async () => {
    const counting = new CountingEmbedder(real);
    const cache = await EmbeddingCache.open(path.join(dir, 'idx2', EMBEDDING_CACHE_FILE), counting.key, counting.dimension);
    const texts = [passages[1], passages[0], passages[1], passages[2]];
    const vectors = await embedWithCache(counting, cache, texts);
    expect(counting.embedded).toEqual([passages[1], passages[0], passages[2]]);
    expect(Array.from(vectors[0])).toEqual(Array.from(vectors[2]));
    const [expected] = await real.embedPassages([passages[2]]);
    expect(Array.from(vectors[3])).toEqual(Array.from(expected));
  });

  it('is keyed by the embedder key: another model or prefix setting starts empty and says why', async () => {
    const file = path.join(dir, 'idx3', EMBEDDING_CACHE_FILE);
    const cache = await EmbeddingCache.open(file, real.key, real.dimension);
    await embedWithCache(real, cache, passages);
    await cache.save();

    const other = await EmbeddingCache.open(file, 'other/model|q8|e5-prefixes', real.dimension);
    expect(other.stats.size).toBe(0);
    expect(other.problem).toMatch(/vectors of .*, not other\/model/);
    const wider = await EmbeddingCache.open(file, real.key, 64);
    expect(wider.problem).toMatch(/32-dimensional vectors, expected 64/);
    await expect(embedWithCache(real, other, passages)).rejects.toThrow(/embedding cache is for other\/model/);
    expect(cache.keyOf('a')).not.toBe(other.keyOf('a'));
  });

  it('a truncated or foreign file gives an empty cache, and save() replaces it', async () => {
    const file = path.join(dir, 'idx4', EMBEDDING_CACHE_FILE);
    const cache = await EmbeddingCache.open(file, real.key, real.dimension);
    await embedWithCache(real, cache, passages);
    await cache.save();
    const size = (await readFile(file)).length;
    await truncate(file, size - 10);
    const damaged = await EmbeddingCache.open(file, real.key, real.dimension);
    expect(damaged.stats.size).toBe(0);
    expect(damaged.problem).toMatch(/truncated/);
    await damaged.save();
    expect((await EmbeddingCache.open(file, real.key, real.dimension)).problem).toBeNull();

    await writeFile(file, 'not a cache');
    expect((await EmbeddingCache.open(file, real.key, real.dimension)).problem).toMatch(/not an embedding cache file/);
  });

  it('retainOnly drops vectors of passages that are gone', async () => {
    const cache = await EmbeddingCache.open(path.join(dir, 'idx5', EMBEDDING_CACHE_FILE), real.key, real.dimension);
    await embedWithCache(real, cache, passages);
    expect(cache.retainOnly(passages.slice(0, 2))).toBe(2);
    expect(cache.stats.size).toBe(2);
    expect(cache.has(passages[0])).toBe(true);
    expect(cache.has(passages[3])).toBe(false);
  });

  it('rejects a vector of the wrong length', async () => {
    const cache = await EmbeddingCache.open(path.join(dir, 'idx6', EMBEDDING_CACHE_FILE), real.key, real.dimension);
    expect(() => cache.set('x', new Float32Array(3))).toThrow(/32-dimensional/);
  });
});

describe('createProgress (used while embedding)', () => {
  const fakeStream = () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream;
    return { stream, written };
  };

  it('draws nothing when the stream is not a terminal', () => {
    const { stream, written } = fakeStream();
    const bar = createProgress('embedding', 10, { stream });
    bar.update(5);
    bar.update(10);
    bar.stop();
    expect(written).toEqual([]);
  });

  it('prints one final line when asked, once', () => {
    const { stream, written } = fakeStream();
    const bar = createProgress('embedding', 10, { stream, finalLine: true });
    bar.update(4, 12);
    bar.stop();
    bar.stop();
    expect(written).toEqual(['embedding: 4/12\n']);
  });
});
