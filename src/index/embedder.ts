/**
 * Text → vector, through transformers.js (ONNX runtime), loaded from a local models directory
 * or downloaded from the Hugging Face hub into it.
 *
 * `loadEmbedder` never throws and never lets a minified stack trace out: it checks the model
 * files first (Git LFS pointers, truncated or non-ONNX files, missing pieces) and answers
 * `{ ok: false, problem }` with one line that says what is wrong and what to do.
 */
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { env, pipeline } from '@xenova/transformers';

/** Turns texts into unit-length vectors; the seam between indexing/retrieval and the model. */
export interface Embedder {
  /** Model id, e.g. `Xenova/multilingual-e5-small`. */
  readonly modelId: string;
  /**
   * Everything that changes the vectors (model id, quantisation, prefixes): two embedders with
   * the same key give the same vector for the same text. The embedding cache is keyed by it.
   */
  readonly key: string;
  /** Length of every vector. */
  readonly dimension: number;
  /** Embeds passages (documents) in batches; `onBatch(done, total)` after each batch. */
  embedPassages(texts: string[], onBatch?: (done: number, total: number) => void): Promise<Float32Array[]>;
  /** Embeds one question. */
  embedQuery(text: string): Promise<Float32Array>;
}

/** A download event from transformers.js (`progress` is 0..100 while a file streams in). */
export interface DownloadProgress {
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready' | string;
  name?: string;
  file?: string;
  progress?: number;
  loaded?: number;
  total?: number;
}

/** How to find and run the model. Mirrors `Config.model`. */
export interface LoadEmbedderOptions {
  /** Hub id or a sub-directory of `modelsDir`, e.g. `Xenova/multilingual-e5-small`. */
  modelId: string;
  /** Where models are looked up and where downloads land (`<modelsDir>/<modelId>/...`). */
  modelsDir: string;
  /** Use `onnx/model_quantized.onnx` (true) or `onnx/model.onnx` (false). */
  quantized: boolean;
  /** May the model be downloaded from the Hugging Face hub when it is not in `modelsDir`. */
  allowRemote: boolean;
  /** Prepend the E5 prefixes `query: ` / `passage: `. */
  prefixes: boolean;
  /** Texts per forward pass when embedding passages. */
  batchSize: number;
  /** Called with transformers.js download events (for a progress bar). */
  onDownloadProgress?: (info: DownloadProgress) => void;
  /** Give up when loading (or a download) makes no progress for this many milliseconds (default 20 000). */
  timeoutMs?: number;
  /** Hugging Face hub (or mirror) root URL, ending in `/` (default `https://huggingface.co/`). */
  remoteHost?: string;
  /**
   * Pool and normalise in plain loops rather than with transformers.js's Proxy-based pooling
   * (default true; used only when it reproduces the pipeline's numbers on a probe at load).
   */
  fastPooling?: boolean;
}

/** Result of `loadEmbedder`: an embedder, or one line saying why there is none. */
export type LoadEmbedderResult = { ok: true; embedder: Embedder; loadMs: number } | { ok: false; problem: string };

/** What `inspectModelFiles` found in the models directory. */
export type ModelFilesState =
  | { state: 'present'; hiddenSize: number | null }
  | { state: 'absent'; detail: string }
  | { state: 'broken'; problem: string };

/** Default for `LoadEmbedderOptions.timeoutMs`. */
export const DEFAULT_LOAD_TIMEOUT_MS = 20_000;

type FeatureExtractor = (
  texts: string | string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

/** The parts of a transformers.js feature-extraction pipeline used by the fast path. */
interface PipelineParts {
  tokenizer: (texts: string[], options: { padding: boolean; truncation: boolean }) => Record<string, { data: ArrayLike<number | bigint>; dims: number[] }>;
  model: (inputs: unknown) => Promise<Record<string, { data: Float32Array; dims: number[] } | undefined>>;
}

/**
 * Same result as the pipeline's `{ pooling: 'mean', normalize: true }`, several times faster:
 * transformers.js 2.17 pools through a Proxy on every element access (about 1 s per 150
 * passages of 600 characters, more than the tiny model's forward pass and its tokenizer
 * together). This runs the pipeline's own tokenizer and model and pools over plain arrays.
 * Returns null when the pipeline does not have the expected shape.
 */
function fastMeanPooling(extractor: unknown): ((texts: string[]) => Promise<Float32Array[]>) | null {
  const parts = extractor as Partial<PipelineParts>;
  if (typeof parts.tokenizer !== 'function' || typeof parts.model !== 'function') return null;
  const { tokenizer, model } = parts as PipelineParts;
  return async (texts) => {
    const inputs = tokenizer(texts, { padding: true, truncation: true });
    const outputs = await model(inputs);
    const hidden = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
    const mask = inputs.attention_mask;
    if (!hidden || !mask || hidden.dims.length !== 3) throw new Error('unexpected model output (no last_hidden_state)');
    const [batch, seq, dim] = hidden.dims;
    const data = hidden.data;
    const maskData = mask.data;
    const rows: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      const sum = new Float64Array(dim);
      let count = 0;
      for (let t = 0; t < seq; t++) {
        const m = Number(maskData[b * seq + t]);
        if (!m) continue;
        count += m;
        const base = (b * seq + t) * dim;
        for (let k = 0; k < dim; k++) sum[k] += data[base + k] * m;
      }
      const row = new Float32Array(dim);
      let norm = 0;
      for (let k = 0; k < dim; k++) {
        row[k] = sum[k] / count;
        norm += row[k] * row[k];
      }
      norm = Math.sqrt(norm);
      if (norm > 0) for (let k = 0; k < dim; k++) row[k] /= norm;
      rows.push(row);
    }
    return rows;
  };
}

/** The `Embedder` over a transformers.js feature-extraction pipeline (mean pooling, L2 normalisation). */
export class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly key: string;
  readonly dimension: number;
  /** How vectors are pooled: `fast` (own loops over the pipeline's tokenizer and model) or `pipeline`. */
  readonly pooling: 'fast' | 'pipeline';
  private readonly extractor: FeatureExtractor;
  private readonly fast: ((texts: string[]) => Promise<Float32Array[]>) | null;
  private readonly prefixes: boolean;
  private readonly batchSize: number;

  /** Use `loadEmbedder`, which checks the files and learns the dimension; this wraps a loaded pipeline. */
  constructor(
    extractor: FeatureExtractor,
    options: {
      modelId: string;
      quantized: boolean;
      prefixes: boolean;
      batchSize: number;
      dimension: number;
      /** Pool in plain loops instead of the pipeline's Proxy-based pooling (same numbers; default true). */
      fastPooling?: boolean;
    },
  ) {
    this.extractor = extractor;
    this.fast = options.fastPooling === false ? null : fastMeanPooling(extractor);
    this.pooling = this.fast ? 'fast' : 'pipeline';
    this.modelId = options.modelId;
    this.prefixes = options.prefixes;
    this.batchSize = Math.max(1, Math.floor(options.batchSize));
    this.dimension = options.dimension;
    this.key = `${options.modelId}|${options.quantized ? 'q8' : 'fp32'}|${options.prefixes ? 'e5-prefixes' : 'no-prefixes'}`;
  }

  async embedPassages(texts: string[], onBatch?: (done: number, total: number) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => (this.prefixes ? `passage: ${t}` : t));
      out.push(...(await this.run(batch)));
      onBatch?.(out.length, texts.length);
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.run([this.prefixes ? `query: ${text}` : text]);
    return vector;
  }

  private async run(texts: string[]): Promise<Float32Array[]> {
    if (this.fast) {
      const rows = await this.fast(texts);
      if (rows[0] && rows[0].length !== this.dimension) {
        throw new Error(`model ${this.modelId} returned vectors of ${rows[0].length} dimensions, expected ${this.dimension}`);
      }
      return rows;
    }
    const tensor = await this.extractor(texts, { pooling: 'mean', normalize: true });
    const dim = tensor.dims[tensor.dims.length - 1];
    if (dim !== this.dimension) {
      throw new Error(`model ${this.modelId} returned vectors of ${dim} dimensions, expected ${this.dimension}`);
    }
    const rows: Float32Array[] = [];
    for (let r = 0; r < texts.length; r++) rows.push(tensor.data.slice(r * dim, (r + 1) * dim));
    return rows;
  }
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const LFS_MAGIC = 'version https://git-lfs';

/**
 * Walks the top-level fields of an ONNX protobuf (ModelProto) without loading the tensors:
 * a field running past the end of the file means the file is truncated; a bad wire type or a
 * missing graph means it is not an ONNX model at all.
 */
async function skimOnnx(file: string, size: number): Promise<'ok' | 'truncated' | 'invalid'> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(20);
    let pos = 0;
    let sawGraph = false;
    let fields = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      let i = 0;
      const varint = (): number | null => {
        let value = 0;
        let mul = 1;
        for (let n = 0; n < 10; n++) {
          if (i >= bytesRead) return null;
          const b = buf[i++];
          value += (b & 0x7f) * mul;
          if ((b & 0x80) === 0) return value;
          mul *= 128;
        }
        return null;
      };
      const key = varint();
      if (key === null) return pos + bytesRead >= size ? 'truncated' : 'invalid';
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field === 0) return 'invalid';
      let next: number;
      if (wire === 0) {
        if (varint() === null) return pos + bytesRead >= size ? 'truncated' : 'invalid';
        next = pos + i;
      } else if (wire === 1) next = pos + i + 8;
      else if (wire === 5) next = pos + i + 4;
      else if (wire === 2) {
        const len = varint();
        if (len === null) return pos + bytesRead >= size ? 'truncated' : 'invalid';
        next = pos + i + len;
        if (field === 7) sawGraph = true;
      } else return 'invalid';
      if (next > size) return 'truncated';
      pos = next;
      fields++;
    }
    if (fields === 0) return 'truncated';
    return sawGraph ? 'ok' : 'invalid';
  } finally {
    await fh.close();
  }
}

/**
 * Checks the model's files in `modelsDir` before transformers.js sees them: present and sound,
 * absent (a download may fetch them), or broken (LFS pointer, truncated, not ONNX, bad JSON).
 */
export async function inspectModelFiles(
  modelsDir: string,
  modelId: string,
  quantized: boolean,
): Promise<ModelFilesState> {
  const modelDir = path.join(modelsDir, modelId);
  const onnxName = `onnx/model${quantized ? '_quantized' : ''}.onnx`;
  const otherName = `onnx/model${quantized ? '' : '_quantized'}.onnx`;
  const onnxFile = path.join(modelDir, onnxName);
  const onnxSize = await fileSize(onnxFile);
  if (onnxSize === null) {
    if ((await fileSize(path.join(modelDir, otherName))) !== null) {
      const setting = quantized ? 'TRICHDAN_MODEL_QUANTIZED=false' : 'TRICHDAN_MODEL_QUANTIZED=true';
      return { state: 'absent', detail: `${shown(modelDir)} has ${otherName} but not ${onnxName} (set ${setting} to use it)` };
    }
    return { state: 'absent', detail: `model ${modelId} not found in ${shown(modelsDir)}/` };
  }

  const jsonFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
  for (const name of [onnxName, ...jsonFiles]) {
    const file = path.join(modelDir, name);
    if ((await fileSize(file)) === null) continue;
    const head = (await readHead(file, 64)).toString('latin1');
    if (head.startsWith(LFS_MAGIC)) {
      return {
        state: 'broken',
        problem: `${shown(file)} is a Git LFS pointer, not the model: run \`git lfs pull\` or download it again`,
      };
    }
  }

  const skim = await skimOnnx(onnxFile, onnxSize);
  if (skim === 'truncated') {
    return { state: 'broken', problem: `${shown(onnxFile)} is truncated (${onnxSize} bytes): download it again` };
  }
  if (skim === 'invalid') {
    const head = (await readHead(onnxFile, 24)).toString('utf8').replace(/[^\x20-\x7e]/g, '.');
    return {
      state: 'broken',
      problem: `${shown(onnxFile)} is not an ONNX model (${onnxSize} bytes, starts with "${head}"): download it again`,
    };
  }

  let hiddenSize: number | null = null;
  const configFile = path.join(modelDir, 'config.json');
  if ((await fileSize(configFile)) !== null) {
    try {
      const config = JSON.parse(await readFile(configFile, 'utf8')) as { hidden_size?: unknown };
      if (typeof config.hidden_size === 'number') hiddenSize = config.hidden_size;
    } catch {
      return { state: 'broken', problem: `${shown(configFile)} is not valid JSON: download it again` };
    }
  }
  return { state: 'present', hiddenSize };
}

/** The first line of an error, trimmed to something a person reads in one glance. */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split('\n').find((l) => l.trim()) ?? 'unknown error';
  return first.length > 200 ? `${first.slice(0, 197)}...` : first.trim();
}

function isNetworkError(err: unknown): boolean {
  const codes = ['ENOTFOUND', 'ECONNREFUSED', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR'];
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && codes.some((c) => code.startsWith(c))) return true;
    if (typeof message === 'string' && /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|network/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Runs `fn` with console.warn/console.error silenced (transformers.js and the ONNX fallback log there). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, error } = console;
  console.warn = () => {};
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

class TimeoutError extends Error {}

/**
 * Rejects with a TimeoutError when `ms` pass without activity: `touch()` (called on every
 * download event) restarts the clock, so a slow but progressing download is never cut off.
 */
function withTimeout<T>(promise: Promise<T>, ms: number): { result: Promise<T>; touch: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let fail: (error: Error) => void = () => {};
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fail(new TimeoutError()), ms);
    timer.unref();
  };
  const timeout = new Promise<never>((_, reject) => {
    fail = reject;
    arm();
  });
  return { result: Promise.race([promise, timeout]).finally(() => clearTimeout(timer)), touch: arm };
}

/**
 * Loads the model (from `modelsDir`, else from the hub when `allowRemote`), runs one probe
 * text to learn the dimension, and returns the embedder, or one line saying why not.
 * Never throws. transformers.js settings are process-wide (`env`), so load one model at a time.
 */
export async function loadEmbedder(opts: LoadEmbedderOptions): Promise<LoadEmbedderResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  const where = `${shown(opts.modelsDir)}/`;
  let files: ModelFilesState;
  try {
    files = await inspectModelFiles(opts.modelsDir, opts.modelId, opts.quantized);
  } catch (err) {
    return { ok: false, problem: `cannot read model ${opts.modelId} in ${where}: ${oneLine(err)}` };
  }
  if (files.state === 'broken') return { ok: false, problem: files.problem };
  if (files.state === 'absent' && !opts.allowRemote) {
    return {
      ok: false,
      problem: `${files.detail} and downloads are off (TRICHDAN_ALLOW_REMOTE_MODELS=false): running lexical-only`,
    };
  }

  env.localModelPath = opts.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = opts.allowRemote;
  env.cacheDir = opts.modelsDir; // downloads land where local lookups find them next time
  env.useBrowserCache = false;
  env.remoteHost = opts.remoteHost ?? 'https://huggingface.co/';

  let touch = () => {};
  const load = async () => {
    const extractor = (await pipeline('feature-extraction', opts.modelId, {
      quantized: opts.quantized,
      progress_callback: (info: DownloadProgress) => {
        touch();
        opts.onDownloadProgress?.(info);
      },
    })) as unknown as FeatureExtractor;
    const probeTexts = ['ok', 'query: một câu thử dài hơn một chút, có dấu.'];
    const probe = await extractor(probeTexts, { pooling: 'mean', normalize: true });
    const dimension = probe.dims[probe.dims.length - 1];
    // Use the fast pooling only if it reproduces the pipeline's own numbers on the probe.
    let fastPooling = false;
    const fast = fastMeanPooling(extractor);
    if (fast) {
      try {
        const rows = await fast(probeTexts);
        fastPooling = rows.length === 2 && rows.every((row, r) => row.length === dimension && row.every((x, k) => Math.abs(x - probe.data[r * dimension + k]) < 1e-5));
      } catch {
        fastPooling = false;
      }
    }
    return { extractor, dimension, fastPooling };
  };

  let loaded: { extractor: FeatureExtractor; dimension: number; fastPooling: boolean };
  try {
    loaded = await quietly(() => {
      const guarded = withTimeout(load(), timeoutMs);
      touch = guarded.touch;
      return guarded.result;
    });
  } catch (err) {
    const seconds = Math.round(timeoutMs / 100) / 10;
    if (err instanceof TimeoutError) {
      return {
        ok: false,
        problem:
          files.state === 'absent'
            ? `model ${opts.modelId} not found in ${where} and the Hugging Face hub did not answer within ${seconds} s: running lexical-only`
            : `loading model ${opts.modelId} from ${where} took longer than ${seconds} s: running lexical-only`,
      };
    }
    if (files.state === 'absent' && isNetworkError(err)) {
      return {
        ok: false,
        problem: `model ${opts.modelId} not found in ${where} and the Hugging Face hub is unreachable: running lexical-only`,
      };
    }
    if (files.state === 'absent' && /Could not locate file|\b404\b/.test(oneLine(err))) {
      return {
        ok: false,
        problem: `model ${opts.modelId} is neither in ${where} nor on the Hugging Face hub (check TRICHDAN_MODEL): running lexical-only`,
      };
    }
    return { ok: false, problem: `model ${opts.modelId} failed to load: ${oneLine(err)}` };
  }

  const embedder = new TransformersEmbedder(loaded.extractor, {
    modelId: opts.modelId,
    quantized: opts.quantized,
    prefixes: opts.prefixes,
    batchSize: opts.batchSize,
    dimension: loaded.dimension,
    fastPooling: loaded.fastPooling && opts.fastPooling !== false,
  });
  return { ok: true, embedder, loadMs: performance.now() - started };
}
