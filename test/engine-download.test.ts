import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.ts';
import { writeTinyModel } from './helpers/tiny-model.ts';
import { copySeedCorpus, tempDir, testConfig } from './helpers/engine.ts';

/**
 * First use on a user's machine: the model is not in the models directory and is
 * downloaded from the hub. A local server with the hub's URL layout stands in for it.
 */
describe('model download on first use', () => {
  let server: Server;
  let hubUrl: string;
  const requested: string[] = [];

  beforeAll(async () => {
    const hubFiles = await tempDir('trichdan-hub-');
    await writeTinyModel(hubFiles, { modelId: 'org/tiny-remote' });
    server = createServer(async (req, res) => {
      // /{org}/{name}/resolve/{revision}/{file}
      const match = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(req.url ?? '');
      const file = match && path.join(hubFiles, match[1], match[2]);
      requested.push(req.url ?? '');
      if (!file || !existsSync(file)) {
        res.writeHead(404).end('Entry not found');
        return;
      }
      res.writeHead(200, { 'content-length': (await stat(file)).size });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads the model into the models directory, then runs hybrid; the next start needs no network', async () => {
    const modelsDir = await tempDir('trichdan-models-');
    const env = {
      TRICHDAN_CORPUS_DIR: await copySeedCorpus(),
      TRICHDAN_INDEX_DIR: await tempDir('trichdan-index-'),
      TRICHDAN_MODELS_DIR: modelsDir,
      TRICHDAN_MODEL: 'org/tiny-remote',
      TRICHDAN_MODEL_PREFIXES: 'false',
      TRICHDAN_ALLOW_REMOTE_MODELS: 'true',
      TRICHDAN_HF_ENDPOINT: hubUrl,
    };
    const engine = await createEngine(testConfig(env), { log: () => {}, progress: false });
    expect(engine.status().retrieval).toBe('hybrid');
    expect(requested.some((u) => u.endsWith('/onnx/model_quantized.onnx'))).toBe(true);
    expect(existsSync(path.join(modelsDir, 'org/tiny-remote/onnx/model_quantized.onnx'))).toBe(true);

    const offline = await createEngine(testConfig({ ...env, TRICHDAN_ALLOW_REMOTE_MODELS: 'false' }), { log: () => {}, progress: false });
    expect(offline.status().retrieval).toBe('hybrid');
    expect(offline.index.actions).toEqual([]);
  });

  it('says in one line that a model the hub does not have is missing, and runs lexical-only', async () => {
    const logs: string[] = [];
    const engine = await createEngine(
      testConfig({
        TRICHDAN_CORPUS_DIR: await copySeedCorpus(),
        TRICHDAN_INDEX_DIR: await tempDir('trichdan-index-'),
        TRICHDAN_MODELS_DIR: await tempDir('trichdan-models-'),
        TRICHDAN_MODEL: 'org/no-such-model',
        TRICHDAN_ALLOW_REMOTE_MODELS: 'true',
        TRICHDAN_HF_ENDPOINT: hubUrl,
      }),
      { log: (l) => logs.push(l), progress: false },
    );
    expect(engine.status().retrieval).toBe('lexical');
    const line = logs.find((l) => l.startsWith('lexical-only retrieval:'));
    expect(line).toMatch(/org\/no-such-model/);
    expect(line).not.toMatch(/\n/);
  });
});
