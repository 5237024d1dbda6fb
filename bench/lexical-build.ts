/**
 * Lexical index build and BM25 search at scale, on its own (no model, no HNSW):
 *
 *   node --expose-gc --max-old-space-size=16000 --import tsx bench/lexical-build.ts [passages=100000] [articles dir]
 *
 * Passages of about 1,300 characters are drawn (seeded) from the sentences of the articles
 * (default ../shared/datasets/xquad-vi/articles); prints build time, memory growth after a
 * full GC and the mean search time of a few questions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LexicalIndex } from '../src/index/lexical.ts';
import { analyzeVietnamese } from '../src/search/vietnamese-query.ts';
import { seededRandom } from '../test/helpers/tiny-model.ts';

const count = Number(process.argv[2] ?? 100_000);
const dir = process.argv[3] ?? '../shared/datasets/xquad-vi/articles';
const sentences = readdirSync(dir)
  .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split(/(?<=[.!?])\s+/))
  .filter((s) => s.length > 20);
const random = seededRandom(7);
const texts: string[] = [];
for (let i = 0; i < count; i++) {
  let text = '';
  while (text.length < 1300) text += `${sentences[Math.floor(random() * sentences.length)]} `;
  texts.push(text);
}

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc?.();
};
await settle();
const before = process.memoryUsage();
const started = performance.now();
const index = LexicalIndex.build(texts);
const buildMs = performance.now() - started;
await settle();
const after = process.memoryUsage();

const questions = ['Tesla sinh năm nào?', 'Đội Panthers đã thua bao nhiêu điểm?', 'ai la nguoi phat minh ra dong dien xoay chieu'];
const rounds = 20;
const searchStarted = performance.now();
for (let r = 0; r < rounds; r++) for (const q of questions) index.search(analyzeVietnamese(q, index).terms, 10);
const searchMs = (performance.now() - searchStarted) / (rounds * questions.length);

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(
  `${count} passages: build ${(buildMs / 1000).toFixed(1)} s; after GC heap +${mb(after.heapUsed - before.heapUsed)}, ` +
    `typed arrays +${mb(after.arrayBuffers - before.arrayBuffers)}, RSS +${mb(after.rss - before.rss)}` +
    `${gc ? '' : ' (run with --expose-gc for settled figures)'}; search ${searchMs.toFixed(2)} ms/question (analysis + BM25)`,
);
