/**
 * Synthetic data for the scale and ingest benchmarks, built from the real corpora so
 * that term statistics and vector geometry look like news text, not noise:
 *
 * - a **sentence pool**: every sentence of the seed corpus and of XQuAD-vi, in article order;
 * - **synthetic articles**: a real title with a serial number, and a body of runs of
 *   consecutive pool sentences (so passages stay on one topic), sized to chunk like real ones;
 * - **synthetic vectors**: random unit vectors, and "real-derived" vectors: a randomly weighted
 *   sum of 1–8 consecutive real sentence embeddings plus 30 % Gaussian noise (a synthetic
 *   passage; random weights so that no two are near-duplicates, which would make recall@10
 *   against exact search ill-defined).
 *
 * Everything is seeded: the same arguments always give the same data.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Article } from '../src/corpus/article.ts';
import { splitSentences } from '../src/text/sentences.ts';
import { gaussian, seededRandom } from './stats.ts';

/** Real sentences to build synthetic text from, with the title of the article each came from. */
export interface SentencePool {
  sentences: string[];
  /** Title of the article of `sentences[i]`. */
  titles: string[];
}

/** Splits the articles into sentences (in order) for `syntheticArticles` and the vector recipes. */
export function sentencePool(articles: readonly Article[]): SentencePool {
  const sentences: string[] = [];
  const titles: string[] = [];
  for (const a of articles) {
    for (const s of splitSentences(a.text)) {
      const text = a.text.slice(s.start, s.end).replace(/\s+/g, ' ').trim();
      if (text.length < 20) continue;
      sentences.push(text);
      titles.push(a.title);
    }
  }
  return { sentences, titles };
}

/** A synthetic article and, for each of its sentences, where it is in the text and in the pool. */
export interface SyntheticArticle {
  article: Article;
  /** Pool index of each sentence, in text order. */
  poolIndex: number[];
  /** Offset of each sentence in `article.text`. */
  starts: number[];
}

/**
 * `count` synthetic articles of about `targetChars` characters each: runs of 3–12
 * consecutive pool sentences (paragraphs), starting anywhere in the pool. Numbers in the
 * text are left as they are; the serial number in the title makes every article distinct.
 */
export function syntheticArticles(pool: SentencePool, count: number, targetChars: number, seed = 7): SyntheticArticle[] {
  if (pool.sentences.length === 0) throw new Error('synthetic articles need a non-empty sentence pool');
  const random = seededRandom(seed);
  const out: SyntheticArticle[] = [];
  for (let i = 0; i < count; i++) {
    const head = Math.floor(random() * pool.sentences.length);
    const title = `${pool.titles[head]} (bản ${i + 1})`;
    const poolIndex: number[] = [];
    const starts: number[] = [];
    let text = '';
    let paragraphs = 0;
    while (text.length < targetChars) {
      const start = paragraphs === 0 ? head : Math.floor(random() * pool.sentences.length);
      const run = 3 + Math.floor(random() * 10);
      if (paragraphs++ > 0) text += '\n\n';
      for (let k = 0; k < run && text.length < targetChars; k++) {
        const at = (start + k) % pool.sentences.length;
        if (k > 0) text += ' ';
        poolIndex.push(at);
        starts.push(text.length);
        text += pool.sentences[at];
      }
    }
    out.push({
      article: { id: `syn-${String(i).padStart(6, '0')}`, path: '', title, date: null, source: null, url: null, text, contentHash: '' },
      poolIndex,
      starts,
    });
  }
  return out;
}

/** Writes synthetic articles as corpus files (`<id>.txt`: title line, blank line, body) for `loadCorpus`. */
export async function writeSyntheticCorpus(dir: string, articles: readonly SyntheticArticle[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const { article } of articles) {
    await writeFile(path.join(dir, `${article.id}.txt`), `${article.title}\n\n${article.text}\n`);
  }
}

/** Scales `v` (in place) to unit length; leaves a zero vector alone. */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < v.length; j++) v[j] *= inv;
  }
  return v;
}

/** How the synthetic vector set is made. */
export interface VectorRecipe {
  /** Share of uniformly random unit vectors (the rest are real-derived). */
  randomShare: number;
  /** Gaussian noise added to a real-derived vector, relative to its length. */
  noise: number;
  seed: number;
}

/** The recipe the scale benchmark uses. */
export const DEFAULT_VECTOR_RECIPE: VectorRecipe = { randomShare: 0.5, noise: 0.3, seed: 11 };

/**
 * `n` unit vectors of `dim` dimensions in one flat array (row i at `i * dim`): first the real
 * vectors themselves (up to n), then, mixed at random, uniformly random unit vectors and
 * real-derived ones (1–8 consecutive real vectors with exponentially distributed weights,
 * normalised, plus noise, normalised again).
 */
export function syntheticVectors(real: Float32Array, dim: number, n: number, recipe: VectorRecipe = DEFAULT_VECTOR_RECIPE): Float32Array {
  const realCount = Math.floor(real.length / dim);
  const random = seededRandom(recipe.seed);
  const data = new Float32Array(n * dim);
  const copied = Math.min(realCount, n);
  data.set(real.subarray(0, copied * dim));
  for (let i = copied; i < n; i++) {
    const row = data.subarray(i * dim, (i + 1) * dim);
    if (realCount === 0 || random() < recipe.randomShare) {
      for (let j = 0; j < dim; j++) row[j] = gaussian(random);
    } else {
      const start = Math.floor(random() * realCount);
      const run = 1 + Math.floor(random() * 8);
      for (let k = 0; k < run; k++) {
        const w = -Math.log(Math.max(random(), 1e-12));
        const src = ((start + k) % realCount) * dim;
        for (let j = 0; j < dim; j++) row[j] += w * real[src + j];
      }
      normalizeInPlace(row);
      const scale = recipe.noise / Math.sqrt(dim);
      for (let j = 0; j < dim; j++) row[j] += gaussian(random) * scale;
    }
    normalizeInPlace(row);
  }
  return data;
}

/** Rows of a flat vector array as views (no copy). */
export function rows(data: Float32Array, dim: number, from = 0, to = data.length / dim): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = from; i < to; i++) out.push(data.subarray(i * dim, (i + 1) * dim));
  return out;
}

/**
 * Exact top-k by cosine (dot product of unit vectors) for every query, in one pass over the data
 * (the queries stay in cache while the data streams by). Returns labels (row numbers), best first.
 */
export function exactTopK(data: Float32Array, dim: number, queries: Float32Array, k: number): number[][] {
  const n = data.length / dim;
  const q = queries.length / dim;
  const bestScore = Array.from({ length: q }, () => new Float64Array(k).fill(-Infinity));
  const bestLabel = Array.from({ length: q }, () => new Int32Array(k).fill(-1));
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    for (let a = 0; a < q; a++) {
      const qb = a * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += data[base + j] * queries[qb + j];
      const scores = bestScore[a];
      if (s <= scores[k - 1]) continue;
      const labels = bestLabel[a];
      let at = k - 1;
      while (at > 0 && scores[at - 1] < s) {
        scores[at] = scores[at - 1];
        labels[at] = labels[at - 1];
        at--;
      }
      scores[at] = s;
      labels[at] = i;
    }
  }
  return bestLabel.map((l) => [...l].filter((x) => x >= 0));
}

/**
 * The vector of the passage `[start, end)` of a synthetic article, approximated from the
 * embeddings of its sentences (`sentenceVectors`, pool order): their sum weighted by length,
 * normalised. Exact for a bag-of-words model up to the per-sentence normalisation; an
 * approximation for a transformer. Used where re-embedding 100k passages would take too long.
 */
export function passageVector(
  syn: SyntheticArticle,
  start: number,
  end: number,
  pool: SentencePool,
  sentenceVectors: Float32Array,
  dim: number,
): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < syn.starts.length; i++) {
    if (syn.starts[i] < start || syn.starts[i] >= end) continue;
    const p = syn.poolIndex[i];
    const w = pool.sentences[p].length;
    const base = p * dim;
    for (let j = 0; j < dim; j++) v[j] += w * sentenceVectors[base + j];
  }
  return normalizeInPlace(v);
}

/** Writes a flat float32 array to `file` (raw little-endian floats). */
export async function saveFloats(file: string, data: Float32Array): Promise<void> {
  await writeFile(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Reads a file written by `saveFloats`. */
export async function loadFloats(file: string): Promise<Float32Array> {
  const buf = await readFile(file);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
