/**
 * A tiny, valid transformers.js feature-extraction model, generated on the spot.
 *
 * These machines cannot reach the Hugging Face hub, yet the dense path (loading from a local
 * directory, tokenisation, pooling, normalisation, HNSW) must run for real in tests and in
 * `npm run bench`. The model is one ONNX `Gather(embedding_table, input_ids)` node: every token
 * gets a fixed random vector, so a mean-pooled, normalised text vector is a bag of words and
 * passages sharing words with a query come out nearer than unrelated ones.
 *
 * The tokenizer is a BERT WordPiece whose normaliser lowercases, strips accents and maps
 * "đ" to "d", so a Vietnamese syllable typed with or without diacritics gets the same token.
 *
 * With `computeLayers: N` the Gather is followed by N residual blocks that cost what a BERT
 * layer's matrix multiplies cost (see `computeBlock`), so a model with the forward-pass price
 * of multilingual-e5-small can be generated for throughput measurements.
 */
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../src/index/atomic.ts';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** What `writeTinyModel` can be told; every field has a default. */
export interface TinyModelOptions {
  /** Width of the token vectors (default 128). */
  dimension?: number;
  /** Words of the vocabulary (default `defaultTinyVocab()`); folded and deduplicated on the way in. */
  vocab?: string[];
  /** Seed of the embedding table (default 42): same seed, same vectors. */
  seed?: number;
  /** Model id, i.e. the sub-directory of `dir` (default `trichdan/tiny-bow`). */
  modelId?: string;
  /** Also write `onnx/model_quantized.onnx` (same graph) so `quantized: true` loads it too (default true). */
  quantizedCopy?: boolean;
  /**
   * Residual compute blocks after the embedding lookup (default 0: the bare Gather graph).
   * Each costs a BERT layer's per-token matrix multiplies; see `computeBlock`.
   */
  computeLayers?: number;
  /** Inner width of each block's feed-forward part (default 4 × dimension, as in BERT). */
  ffnDimension?: number;
}

/** The model id `writeTinyModel` uses unless told otherwise. */
export const TINY_MODEL_ID = 'trichdan/tiny-bow';

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/**
 * Folds a word the way the tiny tokenizer's normaliser does: lowercase, accents stripped, "đ" → "d".
 * Used to build the vocabulary so that it matches what the tokenizer produces.
 */
export function foldLikeTinyTokenizer(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd');
}

const ONSETS = ['', 'b', 'c', 'ch', 'd', 'g', 'gh', 'gi', 'h', 'k', 'kh', 'l', 'm', 'n', 'ng', 'ngh', 'nh', 'p', 'ph', 'qu', 'r', 's', 't', 'th', 'tr', 'v', 'x'];
const RHYMES = (
  'a ac ach ai am an ang anh ao ap at au ay e ec em en eng eo ep et eu i ia ich iem ien iep iet ieu im in inh ip it iu ' +
  'o oa oac oach oai oan oang oanh oap oat oay oc oe oen oet oi om on ong op ot u ua uan uang uat uay uc ue uen uet ui um ' +
  'un ung uo uoc uoi uom uon uong uop uot up ut uu uy uya uyen uyet uynh uych uyt y yem yen yet yeu'
).split(' ');
const ENGLISH = (
  'the of and to in a is that for it as was with be by on not he i this are or his from at which but have an they you ' +
  'were her she there been one all we their has would when if so no will more about can said what up out who them some ' +
  'could into than then its only other new year years time two three first last after over also most people how many much ' +
  'where why does did do million billion thousand hundred percent dollar dollars usd vnd money price cost costs cent ' +
  'city province country government minister ministry prime president state party national people public official police ' +
  'hanoi ho chi minh saigon vietnam vietnamese hcmc tp hcm bien hoa dong nai da nang hue mekong delta river sea island ' +
  'airport airbase base war chemical agent orange dioxin cleanup clean soil land area hectare hectares square meter meters ' +
  'kilometer kilometers road bridge metro railway train station bus car traffic port ship project projects fund funding ' +
  'aid help support agreement sign signed meeting visit united states us usa american china chinese japan japanese korea ' +
  'europe european france french russia world international foreign trade export exports import imports economy economic ' +
  'growth gdp bank banks market markets stock company companies business investment investor investors tax taxes budget ' +
  'school schools student students teacher education university hospital health doctor disease covid vaccine patients ' +
  'weather storm typhoon flood floods rain heat temperature degrees climate environment water electricity power energy ' +
  'coal solar wind oil gas rice coffee fish farm farmers food tourist tourists tourism hotel festival culture history ' +
  'day days week weeks month months today yesterday tomorrow morning evening night date january february march april may ' +
  'june july august september october november december monday tuesday wednesday thursday friday saturday sunday ' +
  'number total high low big small large long short old young man woman men women child children family house home ' +
  'building work worker workers job jobs law court case cases death deaths killed injured accident fire rescue army ' +
  'military soldier soldiers peace security safety news report reports according source article photo official ' +
  'question answer query passage what which who whom whose when where why how is are was were did does do can will ' +
  'complete completed start started begin began end ended plan plans build built open opened close closed increase ' +
  'decrease rise fell reach reached expect expected announce announced approve approved cooperation development ' +
  'technology digital internet phone online data ai science research nuclear space north south east west central'
).split(/\s+/);
const PUNCTUATION = '. , : ; ! ? ( ) [ ] " \' - – — / % + = & * # @ $ … “ ” ‘ ’'.split(' ');

/**
 * The default vocabulary: folded Vietnamese syllables (onset × rhyme), common English and
 * news words, the digits and letters (also as `##` pieces, so unknown words split into
 * characters instead of becoming [UNK]) and punctuation. About three thousand entries.
 */
export function defaultTinyVocab(): string[] {
  const words: string[] = [];
  for (const onset of ONSETS) for (const rhyme of RHYMES) words.push(onset + rhyme);
  words.push(...ENGLISH);
  for (let n = 0; n <= 100; n++) words.push(String(n));
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') words.push(c, `##${c}`);
  words.push(...PUNCTUATION);
  return words;
}

/** Folds, drops empties and duplicates, keeps first-seen order; special tokens come first. */
function buildVocab(words: string[]): string[] {
  const seen = new Set<string>(SPECIAL_TOKENS);
  const vocab: string[] = [...SPECIAL_TOKENS];
  for (const raw of words) {
    const word = raw.startsWith('##') ? `##${foldLikeTinyTokenizer(raw.slice(2))}` : foldLikeTinyTokenizer(raw);
    if (!word.trim() || word === '##' || /\s/.test(word) || seen.has(word)) continue;
    seen.add(word);
    vocab.push(word);
  }
  return vocab;
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1) (also used by the benchmarks). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic embedding table [vocab.length × dimension]: a Gaussian vector per token.
 * [PAD] is zero (masked out anyway); [CLS]/[SEP] are short so they barely bias every text;
 * punctuation is damped so that words dominate.
 */
function embeddingTable(vocab: string[], dimension: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const gaussian = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const table = new Float32Array(vocab.length * dimension);
  vocab.forEach((token, row) => {
    let scale = 1;
    if (token === '[PAD]') scale = 0;
    else if (token === '[CLS]' || token === '[SEP]') scale = 0.05;
    else if (/^[^\p{L}\p{N}]+$/u.test(token)) scale = 0.3;
    for (let i = 0; i < dimension; i++) {
      const value = gaussian();
      table[row * dimension + i] = (value * scale) / Math.sqrt(dimension);
    }
  });
  return table;
}

type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/** The ONNX nodes and weights of a graph under construction. */
interface GraphParts {
  nodes: NodeProto[];
  initializers: TensorProto[];
}

function floatInitializer(name: string, dims: number[], values: Float32Array): TensorProto {
  return {
    name,
    dataType: onnx.TensorProto.DataType.FLOAT,
    dims,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

/**
 * Deterministic [rows × cols] weights, uniform with the variance of N(0, (gain² / rows)): a
 * vector of norm r comes out with norm about `gain × r × sqrt(cols / rows)`.
 */
function randomMatrix(random: () => number, rows: number, cols: number, gain: number): Float32Array {
  const halfWidth = gain * Math.sqrt(3 / rows);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = (2 * random() - 1) * halfWidth;
  return out;
}

/**
 * Size of each block's residual branch relative to the hidden vector it is added to: small
 * enough that the output stays close to the bag-of-words vector (retrieval unchanged in
 * practice), large enough that the runtime cannot skip the work.
 */
const RESIDUAL_GAIN = 1e-2;

/**
 * Appends one residual block reading `input` and writing `output` ([batch, sequence, d]):
 *
 *   qkv = h · Wqkv (d × 3d); mixed = q + k + v; h' = h + mixed · Wo (d × d)
 *   out = h' + Relu(h' · W1 (d × ffn)) · W2 (ffn × d)
 *
 * Per token these are the matrix multiplies of a BERT layer (the Q, K, V projections, the
 * attention output projection and the feed-forward pair): 3d² + d² + 2·d·ffn multiply-adds.
 * What a BERT layer does besides is left out: the attention scores and their weighted sum
 * (2·s·d per token, about 10 % of multilingual-e5-small's cost at 256 tokens), softmax,
 * LayerNorm, biases, GELU. Everything here is per token, so a text's vector stays a
 * (slightly bent) bag of words and does not depend on what it is batched with.
 */
function computeBlock(parts: GraphParts, input: string, output: string, layer: number, d: number, ffn: number, random: () => number): void {
  const name = (what: string) => `block${layer}_${what}`;
  parts.initializers.push(
    floatInitializer(name('w_qkv'), [d, 3 * d], randomMatrix(random, d, 3 * d, 1)),
    floatInitializer(name('w_o'), [d, d], randomMatrix(random, d, d, RESIDUAL_GAIN)),
    floatInitializer(name('w_ffn_in'), [d, ffn], randomMatrix(random, d, ffn, 1)),
    floatInitializer(name('w_ffn_out'), [ffn, d], randomMatrix(random, ffn, d, RESIDUAL_GAIN)),
  );
  const node = (opType: string, inputs: string[], outputs: string[], attribute: NodeProto['attribute'] = []): NodeProto => ({
    opType,
    input: inputs,
    output: outputs,
    name: `${outputs[0]}_${opType}`, // output names are unique, so node names are too
    attribute,
  });
  parts.nodes.push(
    node('MatMul', [input, name('w_qkv')], [name('qkv')]),
    node('Split', [name('qkv')], [name('q'), name('k'), name('v')], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }]),
    node('Sum', [name('q'), name('k'), name('v')], [name('mixed')]),
    node('MatMul', [name('mixed'), name('w_o')], [name('attention_out')]),
    node('Add', [input, name('attention_out')], [name('after_attention')]),
    node('MatMul', [name('after_attention'), name('w_ffn_in')], [name('ffn_hidden')]),
    node('Relu', [name('ffn_hidden')], [name('ffn_active')]),
    node('MatMul', [name('ffn_active'), name('w_ffn_out')], [name('ffn_out')]),
    node('Add', [name('after_attention'), name('ffn_out')], [output]),
  );
}

/** Shape of the generated graph. */
interface GraphShape {
  vocabSize: number;
  dimension: number;
  computeLayers: number;
  ffnDimension: number;
  seed: number;
}

/**
 * The ONNX graph: last_hidden_state[b, s, d] = embedding_table[input_ids[b, s]], then
 * `computeLayers` residual blocks (none by default).
 */
function onnxModel(table: Float32Array, shape: GraphShape): Uint8Array {
  const { vocabSize, dimension, computeLayers } = shape;
  const dims = (...names: (string | number)[]) => ({
    dim: names.map((n) => (typeof n === 'number' ? { dimValue: n } : { dimParam: n })),
  });
  const int64Input = (name: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: dims('batch', 'sequence') } },
  });
  const parts: GraphParts = {
    nodes: [
      {
        opType: 'Gather',
        input: ['embedding_table', 'input_ids'],
        output: [computeLayers > 0 ? 'token_vectors' : 'last_hidden_state'],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      },
    ],
    initializers: [floatInitializer('embedding_table', [vocabSize, dimension], table)],
  };
  // A seed of its own, so the embedding table is the same with or without blocks.
  const random = seededRandom(shape.seed ^ 0x5eed_b10c);
  for (let layer = 0; layer < computeLayers; layer++) {
    const input = layer === 0 ? 'token_vectors' : `block${layer - 1}_out`;
    const output = layer === computeLayers - 1 ? 'last_hidden_state' : `block${layer}_out`;
    computeBlock(parts, input, output, layer, dimension, shape.ffnDimension, random);
  }
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'trichdan-tiny-model',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_bag_of_words',
      node: parts.nodes,
      initializer: parts.initializers,
      input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: dims('batch', 'sequence', dimension) },
          },
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function tokenizerJson(vocab: string[]): object {
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: true },
        { type: 'Replace', pattern: { String: 'đ' }, content: 'd' },
      ],
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', ids['[SEP]']], cls: ['[CLS]', ids['[CLS]']] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

/**
 * Writes the tiny model to `<dir>/<modelId>/` (config, tokenizer, `onnx/model.onnx` and, by
 * default, the same graph as `onnx/model_quantized.onnx`). Load it with
 * `loadEmbedder({ modelId, modelsDir, allowRemote: false, ... })`. Deterministic: the same
 * options always give the same files and vectors.
 */
export async function writeTinyModel(
  dir: string,
  options: TinyModelOptions = {},
): Promise<{ modelId: string; modelsDir: string; dimension: number; vocabSize: number }> {
  const dimension = options.dimension ?? 128;
  const seed = options.seed ?? 42;
  const modelId = options.modelId ?? TINY_MODEL_ID;
  const computeLayers = options.computeLayers ?? 0;
  const ffnDimension = options.ffnDimension ?? 4 * dimension;
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`tiny model dimension must be a positive integer, got ${dimension}`);
  if (!Number.isInteger(computeLayers) || computeLayers < 0) throw new Error(`tiny model computeLayers must be an integer ≥ 0, got ${computeLayers}`);
  if (!Number.isInteger(ffnDimension) || ffnDimension < 1) throw new Error(`tiny model ffnDimension must be a positive integer, got ${ffnDimension}`);
  const vocab = buildVocab(options.vocab ?? defaultTinyVocab());
  const modelDir = path.join(dir, modelId);
  await mkdir(path.join(modelDir, 'onnx'), { recursive: true });

  const graph = onnxModel(embeddingTable(vocab, dimension, seed), { vocabSize: vocab.length, dimension, computeLayers, ffnDimension, seed });
  await writeFileAtomic(path.join(modelDir, 'onnx', 'model.onnx'), graph);
  if (options.quantizedCopy !== false) await writeFileAtomic(path.join(modelDir, 'onnx', 'model_quantized.onnx'), graph);

  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: dimension,
    vocab_size: vocab.length,
    max_position_embeddings: 512,
    pad_token_id: 0,
    trichdan_tiny_model:
      computeLayers > 0
        ? { seed, computeLayers, ffnDimension, note: 'generated by test/helpers/tiny-model.ts; a bag of random word vectors through random residual blocks' }
        : { seed, note: 'generated by test/helpers/tiny-model.ts; a bag of random word vectors' },
  };
  await writeFileAtomic(path.join(modelDir, 'config.json'), JSON.stringify(config, null, 2));
  await writeFileAtomic(path.join(modelDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)));
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: true,
    model_max_length: 512,
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    clean_up_tokenization_spaces: true,
  };
  await writeFileAtomic(path.join(modelDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  return { modelId, modelsDir: dir, dimension, vocabSize: vocab.length };
}
