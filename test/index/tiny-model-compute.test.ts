import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedder, type Embedder } from '../../src/index/embedder.ts';
import { writeTinyModel } from '../helpers/tiny-model.ts';

const DIMENSION = 32;
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

let dir: string;
let plain: Embedder;
let computed: Embedder;

async function load(modelsDir: string, modelId: string): Promise<Embedder> {
  const loaded = await loadEmbedder({ modelId, modelsDir, quantized: false, allowRemote: false, prefixes: false, batchSize: 4 });
  if (!loaded.ok) throw new Error(loaded.problem);
  return loaded.embedder;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trichdan-tiny-compute-'));
  const models = path.join(dir, 'models');
  await writeTinyModel(models, { dimension: DIMENSION, modelId: 'test/plain', quantizedCopy: false });
  await writeTinyModel(models, { dimension: DIMENSION, computeLayers: 2, ffnDimension: 64, modelId: 'test/compute2', quantizedCopy: false });
  plain = await load(models, 'test/plain');
  computed = await load(models, 'test/compute2');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tiny model with compute layers (real transformers.js, offline)', () => {
  const texts = ['Dự án xử lý dioxin tại sân bay Biên Hòa', 'giá cà phê tăng mạnh trong tháng 3', 'the airport cleanup project'];

  it('carries the weights of its blocks', async () => {
    const size = async (id: string) => (await stat(path.join(dir, 'models', id, 'onnx', 'model.onnx'))).size;
    // 2 blocks × (d·3d + d·d + 2·d·ffn) float32 weights on top of the embedding table.
    const blockBytes = 2 * (DIMENSION * 3 * DIMENSION + DIMENSION * DIMENSION + 2 * DIMENSION * 64) * 4;
    expect((await size('test/compute2')) - (await size('test/plain'))).toBeGreaterThanOrEqual(blockBytes);
  });

  it('returns unit-length vectors of the model dimension', async () => {
    expect(computed.dimension).toBe(DIMENSION);
    const vectors = [...(await computed.embedPassages(texts)), await computed.embedQuery('dioxin ở Biên Hòa')];
    for (const v of vectors) {
      expect(v.length).toBe(DIMENSION);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('stays close to the bag-of-words vectors, without being them', async () => {
    const a = await plain.embedPassages(texts);
    const b = await computed.embedPassages(texts);
    for (let i = 0; i < texts.length; i++) {
      expect(cosine(a[i], b[i])).toBeGreaterThan(0.95);
      expect(Array.from(a[i])).not.toEqual(Array.from(b[i]));
    }
  });

  it('gives a text the same vector whatever it is batched with (the blocks work per token)', async () => {
    const [alone] = await computed.embedPassages([texts[2]]);
    const [, inBatch] = await computed.embedPassages([`${texts[0]} ${texts[1]} ${texts[0]}`, texts[2]]);
    for (let k = 0; k < DIMENSION; k++) expect(inBatch[k]).toBeCloseTo(alone[k], 5);
  });
});
