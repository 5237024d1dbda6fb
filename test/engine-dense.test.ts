import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.ts';
import { writeTinyModel } from './helpers/tiny-model.ts';
import { copySeedCorpus, tempDir, testConfig } from './helpers/engine.ts';

/**
 * The dense path end to end with a real (tiny, generated) model: transformers.js loads
 * it offline, passages are embedded, stored in hnswlib-node, persisted and fused with BM25.
 */
describe('hybrid retrieval with a generated model', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    const modelsDir = await tempDir('trichdan-models-');
    const { modelId } = await writeTinyModel(modelsDir);
    env = {
      TRICHDAN_CORPUS_DIR: await copySeedCorpus(),
      TRICHDAN_INDEX_DIR: await tempDir('trichdan-index-'),
      TRICHDAN_MODELS_DIR: modelsDir,
      TRICHDAN_MODEL: modelId,
      TRICHDAN_MODEL_QUANTIZED: 'false',
      TRICHDAN_MODEL_PREFIXES: 'false',
    };
  });

  it('adds the dense side to a lexical-only index without re-ingesting, then reuses it', async () => {
    // First without the model: lexical-only index.
    const lexical = await createEngine(testConfig({ ...env, TRICHDAN_MODEL: 'missing/model' }), { log: () => {}, progress: false });
    expect(lexical.status().retrieval).toBe('lexical');
    const segmentFile = path.join(env.TRICHDAN_INDEX_DIR, `${lexical.index.manifest.segments[0].name}.json`);
    const segmentBefore = await readFile(segmentFile, 'utf8');

    // The model arrives: vectors are added, the segments (articles, chunks, postings) are untouched.
    const hybrid = await createEngine(testConfig(env), { log: () => {}, progress: false });
    expect(hybrid.status().retrieval).toBe('hybrid');
    expect(hybrid.index.actions[0]).toMatch(/^dense vectors added with trichdan\/tiny-bow/);
    expect(await readFile(segmentFile, 'utf8')).toBe(segmentBefore);
    expect(hybrid.index.manifest.dense).toMatchObject({ modelId: 'trichdan/tiny-bow', dimension: 128 });
    expect(hybrid.index.vectors?.size).toBe(hybrid.index.chunkCount);

    // Restart: the persisted HNSW index is loaded, nothing is rebuilt, answers are identical.
    const question = 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?';
    const answer = await hybrid.ask(question);
    const reopened = await createEngine(testConfig(env), { log: () => {}, progress: false });
    expect(reopened.index.actions).toEqual([]);
    expect(await reopened.ask(question)).toEqual(answer);
    expect(answer.retrieval).toBe('hybrid');
    expect(answer.results[0].article.id).toMatch(/^002_/);
    expect(answer.results[0].quote).toContain('994 hòm');
  });

  it('ranks by the dense side alone in dense mode', async () => {
    const engine = await createEngine(testConfig(env), { log: () => {}, progress: false });
    const ranked = await engine.rank('Trung tâm Nhiệt đới Việt - Nga nghiên cứu khoa học', 3, 'dense');
    expect(ranked[0].denseScore).toBeGreaterThan(0);
    expect(ranked.every((r) => r.lexicalScore === 0)).toBe(true);
    expect(ranked[0].chunk.articleId).toMatch(/^004_/);
  });

  it('rebuilds the vectors when the model changes', async () => {
    const otherModels = await tempDir('trichdan-models-');
    const { modelId } = await writeTinyModel(otherModels, { modelId: 'trichdan/tiny-other', dimension: 64, seed: 7 });
    const engine = await createEngine(testConfig({ ...env, TRICHDAN_MODELS_DIR: otherModels, TRICHDAN_MODEL: modelId }), { log: () => {}, progress: false });
    expect(engine.index.actions[0]).toMatch(/^vectors rebuilt: the model, its settings or the vector file changed/);
    expect(engine.index.manifest.dense?.dimension).toBe(64);
  });
});
