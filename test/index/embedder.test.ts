import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { env } from '@xenova/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedder, TransformersEmbedder, type Embedder, type LoadEmbedderOptions } from '../../src/index/embedder.ts';
import { writeTinyModel } from '../helpers/tiny-model.ts';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

let dir: string;
let modelsDir: string;
let modelId: string;
let embedder: Embedder;
let loadMs: number;

const options = (over: Partial<LoadEmbedderOptions> = {}): LoadEmbedderOptions => ({
  modelId,
  modelsDir,
  quantized: false,
  allowRemote: false,
  prefixes: true,
  batchSize: 4,
  ...over,
});

/** A copy of the tiny model under another id, for breaking it on purpose. */
async function copyModel(id: string): Promise<string> {
  const from = path.join(modelsDir, modelId);
  const to = path.join(modelsDir, id);
  await mkdir(path.join(to, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
    await copyFile(path.join(from, f), path.join(to, f));
  }
  return to;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trichdan-embedder-'));
  ({ modelId, modelsDir } = await writeTinyModel(path.join(dir, 'models'), { dimension: 64 }));
  const loaded = await loadEmbedder(options());
  if (!loaded.ok) throw new Error(loaded.problem);
  embedder = loaded.embedder;
  loadMs = loaded.loadMs;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TransformersEmbedder over the generated tiny model (real transformers.js, offline)', () => {
  it('loads from the local models directory quickly and learns the dimension', () => {
    expect(embedder.modelId).toBe(modelId);
    expect(embedder.dimension).toBe(64);
    expect(embedder.key).toContain(modelId);
    expect(loadMs).toBeLessThan(5_000);
  });

  it('returns unit-length vectors of the model dimension', async () => {
    const [a, b] = await embedder.embedPassages(['Biên Hòa xử lý dioxin', 'giá cà phê tăng']);
    const q = await embedder.embedQuery('dioxin ở Biên Hòa');
    for (const v of [a, b, q]) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(64);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic: the same text gives the same vector, across loads too', async () => {
    const text = 'Dự án xử lý dioxin tại sân bay Biên Hòa trị giá 130 triệu USD';
    const [a] = await embedder.embedPassages([text]);
    const [b] = await embedder.embedPassages([text]);
    expect(Array.from(a)).toEqual(Array.from(b));

    const other = await mkdtemp(path.join(tmpdir(), 'trichdan-embedder-again-'));
    try {
      const again = await writeTinyModel(other, { dimension: 64 });
      const loaded = await loadEmbedder(options({ modelsDir: again.modelsDir }));
      if (!loaded.ok) throw new Error(loaded.problem);
      const [c] = await loaded.embedder.embedPassages([text]);
      expect(Array.from(c)).toEqual(Array.from(a));
    } finally {
      await rm(other, { recursive: true, force: true });
      await loadEmbedder(options()); // leave transformers.js pointed at the main directory
    }
  });

  it('embeds in batches exactly as one by one, and reports progress per batch', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `đoạn văn số ${i} về ${i % 2 ? 'kinh tế' : 'giáo dục'} năm 202${i}`);
    const calls: [number, number][] = [];
    const batched = await embedder.embedPassages(texts, (done, total) => calls.push([done, total]));
    expect(calls).toEqual([
      [4, 10],
      [8, 10],
      [10, 10],
    ]);
    for (let i = 0; i < texts.length; i++) {
      const [single] = await embedder.embedPassages([texts[i]]);
      for (let j = 0; j < single.length; j++) expect(batched[i][j]).toBeCloseTo(single[j], 6);
    }
  });

  it('fast pooling gives the pipeline\'s own mean-pooled, normalised numbers', async () => {
    expect((embedder as TransformersEmbedder).pooling).toBe('fast');
    const slow = await loadEmbedder(options({ fastPooling: false }));
    if (!slow.ok) throw new Error(slow.problem);
    expect((slow.embedder as TransformersEmbedder).pooling).toBe('pipeline');
    const texts = ['ngắn', 'một đoạn dài hơn nhiều, có dấu câu, số 130 triệu USD và tên riêng Biên Hòa', 'Đà Nẵng', ''];
    const a = await embedder.embedPassages(texts);
    const b = await slow.embedder.embedPassages(texts);
    for (let i = 0; i < texts.length; i++) for (let k = 0; k < a[i].length; k++) expect(a[i][k]).toBeCloseTo(b[i][k], 6);
    const qa = await embedder.embedQuery('Biên Hòa?');
    const qb = await slow.embedder.embedQuery('Biên Hòa?');
    for (let k = 0; k < qa.length; k++) expect(qa[k]).toBeCloseTo(qb[k], 6);
  });

  it('applies the E5 prefixes: the same text as query and as passage differ, and agree without prefixes', async () => {
    const text = 'sân bay Biên Hòa';
    const q = await embedder.embedQuery(text);
    const [p] = await embedder.embedPassages([text]);
    expect(cosine(q, p)).toBeLessThan(0.99);

    const plain = await loadEmbedder(options({ prefixes: false }));
    if (!plain.ok) throw new Error(plain.problem);
    const q2 = await plain.embedder.embedQuery(text);
    const [p2] = await plain.embedder.embedPassages([text]);
    expect(cosine(q2, p2)).toBeCloseTo(1, 6);
    expect(plain.embedder.key).not.toBe(embedder.key);
  });

  it('puts a passage sharing words with the question nearer than an unrelated one, with or without diacritics', async () => {
    const [related, unrelated] = await embedder.embedPassages([
      'Mỹ tài trợ 130 triệu USD để xử lý dioxin tại sân bay Biên Hòa.',
      'Giá cà phê xuất khẩu tăng mạnh trong tháng mười.',
    ]);
    for (const question of ['Xử lý dioxin ở sân bay Biên Hòa tốn bao nhiêu tiền?', 'xu ly dioxin o san bay bien hoa ton bao nhieu tien']) {
      const q = await embedder.embedQuery(question);
      expect(cosine(q, related)).toBeGreaterThan(cosine(q, unrelated) + 0.1);
    }
  });

  it('loads the quantized file name too (the tiny model writes both)', async () => {
    const loaded = await loadEmbedder(options({ quantized: true }));
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.embedder.key).not.toBe(embedder.key);
  });
});

describe('loadEmbedder when the model cannot be had', () => {
  it('model missing and downloads off → ok:false with one line, no network', async () => {
    const res = await loadEmbedder(options({ modelId: 'Xenova/multilingual-e5-small', quantized: true }));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.problem).not.toContain('\n');
      expect(res.problem).toMatch(/model Xenova\/multilingual-e5-small not found in .*models\//);
      expect(res.problem).toContain('lexical-only');
    }
  });

  it('model missing, downloads on, hub refuses the connection → "hub is unreachable" (local port, no network)', async () => {
    const saved = env.remoteHost;
    try {
      // The discard port: nothing listens.
      const res = await loadEmbedder(options({ modelId: 'Xenova/multilingual-e5-small', allowRemote: true, timeoutMs: 5_000, remoteHost: 'http://127.0.0.1:9/' }));
      expect(res).toEqual({
        ok: false,
        problem: expect.stringMatching(
          /^model Xenova\/multilingual-e5-small not found in .*models\/ and the Hugging Face hub is unreachable: running lexical-only$/,
        ),
      });
    } finally {
      env.remoteHost = saved;
    }
  });

  it('model missing, downloads on, hub never answers → gives up after the timeout', async () => {
    const saved = env.remoteHost;
    const server: Server = createServer(() => {}); // accepts, never responds
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const remoteHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const started = Date.now();
      const res = await loadEmbedder(options({ modelId: 'Xenova/multilingual-e5-small', allowRemote: true, timeoutMs: 300, remoteHost }));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.problem).toMatch(/did not answer within 0\.3 s: running lexical-only$/);
    } finally {
      env.remoteHost = saved;
      server.closeAllConnections();
      server.close();
    }
  });

  it('only the other ONNX variant present → says which setting picks it', async () => {
    const id = 'test/only-fp32';
    const to = await copyModel(id);
    await rm(path.join(to, 'onnx', 'model_quantized.onnx'));
    const res = await loadEmbedder(options({ modelId: id, quantized: true }));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.problem).toContain('TRICHDAN_MODEL_QUANTIZED=false');
  });

  it('a Git LFS pointer instead of the ONNX file → says so', async () => {
    const id = 'test/lfs-pointer';
    const to = await copyModel(id);
    await writeFile(
      path.join(to, 'onnx', 'model_quantized.onnx'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 118243218\n',
    );
    const res = await loadEmbedder(options({ modelId: id, quantized: true }));
    expect(res).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /test\/lfs-pointer\/onnx\/model_quantized\.onnx is a Git LFS pointer, not the model: run `git lfs pull` or download it again$/,
      ),
    });
  });

  it('a Git LFS pointer instead of tokenizer.json → says so', async () => {
    const id = 'test/lfs-tokenizer';
    const to = await copyModel(id);
    await writeFile(path.join(to, 'tokenizer.json'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 17082730\n');
    const res = await loadEmbedder(options({ modelId: id }));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.problem).toMatch(/tokenizer\.json is a Git LFS pointer/);
  });

  it('a truncated ONNX file → "is truncated (N bytes)"', async () => {
    const id = 'test/truncated';
    const to = await copyModel(id);
    const file = path.join(to, 'onnx', 'model.onnx');
    const full = (await readFile(file)).length;
    const cut = Math.floor(full / 3);
    await truncate(file, cut);
    const res = await loadEmbedder(options({ modelId: id }));
    expect(res).toEqual({ ok: false, problem: expect.stringContaining(`onnx/model.onnx is truncated (${cut} bytes)`) });
  });

  it('an HTML page saved as the ONNX file → "is not an ONNX model"', async () => {
    const id = 'test/html';
    const to = await copyModel(id);
    await writeFile(path.join(to, 'onnx', 'model.onnx'), '<!DOCTYPE html><html><body>Sign in</body></html>');
    const res = await loadEmbedder(options({ modelId: id }));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.problem).toMatch(/onnx\/model\.onnx is not an ONNX model .*<!DOCTYPE html>/);
      expect(res.problem).not.toContain('\n');
    }
  });

  it('a broken tokenizer that passes the file checks → one summarised line, no stack', async () => {
    const id = 'test/bad-tokenizer';
    const to = await copyModel(id);
    await writeFile(path.join(to, 'tokenizer.json'), '{"model": {"type": "NoSuchModel"}, "added_tokens": []}');
    const res = await loadEmbedder(options({ modelId: id }));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.problem).toMatch(/^model test\/bad-tokenizer failed to load: /);
      expect(res.problem).not.toContain('\n');
      expect(res.problem).not.toMatch(/\bat .*\.js:\d+/);
    }
  });
});
