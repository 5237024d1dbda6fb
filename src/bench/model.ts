/**
 * Which embedding model the benchmarks run with.
 *
 * The configured model (TRICHDAN_MODEL in TRICHDAN_MODELS_DIR, or `--model-dir DIR`) when its
 * files are there; otherwise the tiny bag-of-words model of src/index/tiny-model.ts, generated
 * into `<indexDir>/bench-models`. Nothing is ever downloaded by the benchmarks: dense figures
 * measured with the tiny model say so everywhere they are printed.
 */
import path from 'node:path';
import type { Config } from '../config.ts';
import { inspectModelFiles, loadEmbedder, type Embedder } from '../index/embedder.ts';
import { writeTinyModel } from '../index/tiny-model.ts';

/** The model a benchmark run uses, and the config pointing at it. */
export interface BenchModel {
  /** `configured`: the model named by the settings; `tiny`: the generated test model. */
  kind: 'configured' | 'tiny';
  /** The run's config with `model` pointing at this model (downloads off). */
  config: Config;
  embedder: Embedder;
  /** Milliseconds to load the model (files → first vector). */
  loadMs: number;
  /** One line for tables and the report. */
  label: string;
  /** Environment settings that select this model in a child `trichdan` process. */
  env: Record<string, string>;
  /** Why the configured model was not used, when it was not. */
  fallbackReason: string | null;
}

/** Environment settings equivalent to `config.model` (for child processes). */
export function modelEnv(config: Config): Record<string, string> {
  return {
    TRICHDAN_MODEL: config.model.id,
    TRICHDAN_MODELS_DIR: config.model.modelsDir,
    TRICHDAN_MODEL_QUANTIZED: String(config.model.quantized),
    TRICHDAN_MODEL_PREFIXES: String(config.model.prefixes),
    TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
    TRICHDAN_EMBED_BATCH: String(config.model.batchSize),
  };
}

async function load(config: Config) {
  const m = config.model;
  return loadEmbedder({
    modelId: m.id,
    modelsDir: m.modelsDir,
    quantized: m.quantized,
    allowRemote: false,
    prefixes: m.prefixes,
    batchSize: m.batchSize,
    timeoutMs: 120_000,
  });
}

/** Writes the tiny model of `dimension` under `dir` and returns a config that uses it. */
export async function tinyModelConfig(config: Config, dir: string, dimension = 128): Promise<Config> {
  const modelId = dimension === 128 ? 'trichdan/tiny-bow' : `trichdan/tiny-bow-${dimension}`;
  const written = await writeTinyModel(dir, { dimension, modelId, quantizedCopy: false });
  return {
    ...config,
    model: { ...config.model, id: written.modelId, modelsDir: written.modelsDir, quantized: false, prefixes: false, allowRemote: false },
  };
}

/**
 * Picks and loads the benchmark model: the configured one when present (in `modelDir` if
 * given), else the tiny generated one (always when `tiny` is set).
 */
export async function resolveBenchModel(config: Config, opts: { modelDir?: string; tiny?: boolean }): Promise<BenchModel> {
  let fallbackReason: string | null = 'forced with --tiny';
  if (!opts.tiny) {
    const modelsDir = opts.modelDir ? path.resolve(opts.modelDir) : config.model.modelsDir;
    const files = await inspectModelFiles(modelsDir, config.model.id, config.model.quantized);
    if (files.state === 'present') {
      const chosen: Config = { ...config, model: { ...config.model, modelsDir, allowRemote: false } };
      const loaded = await load(chosen);
      if (loaded.ok) {
        return {
          kind: 'configured',
          config: chosen,
          embedder: loaded.embedder,
          loadMs: loaded.loadMs,
          label: `${config.model.id} (${config.model.quantized ? 'quantized' : 'fp32'}, ${loaded.embedder.dimension} dimensions)`,
          env: modelEnv(chosen),
          fallbackReason: null,
        };
      }
      fallbackReason = loaded.problem;
    } else {
      fallbackReason = files.state === 'broken' ? files.problem : files.detail;
    }
  }
  const tiny = await tinyModelConfig(config, path.join(config.indexDir, 'bench-models'));
  const loaded = await load(tiny);
  if (!loaded.ok) throw new Error(`the generated tiny model did not load: ${loaded.problem}`);
  return {
    kind: 'tiny',
    config: tiny,
    embedder: loaded.embedder,
    loadMs: loaded.loadMs,
    label: `tiny generated test model ${tiny.model.id} (bag of random word vectors, ${loaded.embedder.dimension} dimensions) — NOT a multilingual model`,
    env: modelEnv(tiny),
    fallbackReason,
  };
}
