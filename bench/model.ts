/**
 * Which embedding model the benchmarks run with.
 *
 * The configured model (TRICHDAN_MODEL in TRICHDAN_MODELS_DIR, or `--model-dir DIR`) when its
 * files are there; otherwise the tiny bag-of-words model of test/helpers/tiny-model.ts, generated
 * into `<indexDir>/bench-models`. Nothing is ever downloaded by the benchmarks: dense figures
 * measured with the tiny model say so everywhere they are printed.
 *
 * The ingest section also uses an "e5-shaped" generated model: the same bag of random word
 * vectors followed by 12 residual blocks with multilingual-e5-small's per-token matrix
 * multiplies (width 384, feed-forward 1536), so that the pipeline-versus-model ratio is
 * measured with a forward pass of realistic cost instead of a table lookup.
 */
import path from 'node:path';
import type { Config } from '../src/config.ts';
import { inspectModelFiles, loadEmbedder, type Embedder } from '../src/index/embedder.ts';
import { writeTinyModel } from '../test/helpers/tiny-model.ts';

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

/** `config` pointing at a generated model (fp32, no E5 prefixes, no downloads). */
function generatedModelConfig(config: Config, written: { modelId: string; modelsDir: string }): Config {
  return {
    ...config,
    model: { ...config.model, id: written.modelId, modelsDir: written.modelsDir, quantized: false, prefixes: false, allowRemote: false },
  };
}

/** Writes the tiny model of `dimension` under `dir` and returns a config that uses it. */
export async function tinyModelConfig(config: Config, dir: string, dimension = 128): Promise<Config> {
  const modelId = dimension === 128 ? 'trichdan/tiny-bow' : `trichdan/tiny-bow-${dimension}`;
  return generatedModelConfig(config, await writeTinyModel(dir, { dimension, modelId, quantizedCopy: false }));
}

/** Shape of multilingual-e5-small (a 12-layer BERT: hidden 384, feed-forward 1536) that the e5-shaped model copies. */
export const E5_SMALL_SHAPE = { dimension: 384, computeLayers: 12, ffnDimension: 1536 } as const;

/** Model id of the e5-shaped generated model. */
export const E5_SHAPED_MODEL_ID = `trichdan/tiny-bow-${E5_SMALL_SHAPE.dimension}-compute${E5_SMALL_SHAPE.computeLayers}`;

/** How the e5-shaped model is named wherever its figures are printed. */
export const E5_SHAPED_MODEL_LABEL = "generated model with multilingual-e5-small's per-token matmul cost (random weights)";

/**
 * Writes the e5-shaped generated model under `dir` (about 85 MB of weights) and returns a
 * config that uses it.
 */
export async function e5ShapedModelConfig(config: Config, dir: string): Promise<Config> {
  const written = await writeTinyModel(dir, { ...E5_SMALL_SHAPE, modelId: E5_SHAPED_MODEL_ID, quantizedCopy: false });
  return generatedModelConfig(config, written);
}

/** The e5-shaped generated model, written under `<indexDir>/bench-models` and loaded. */
export async function loadE5ShapedModel(config: Config): Promise<{ config: Config; embedder: Embedder; loadMs: number }> {
  const shaped = await e5ShapedModelConfig(config, path.join(config.indexDir, 'bench-models'));
  const loaded = await load(shaped);
  if (!loaded.ok) throw new Error(`the generated e5-shaped model did not load: ${loaded.problem}`);
  return { config: shaped, embedder: loaded.embedder, loadMs: loaded.loadMs };
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
