import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/corpus/article.ts';
import { articleFromBytes } from '../../src/corpus/load.ts';
import { loadCorpus } from '../../src/corpus/scan.ts';
import { RetrievalEngine, type EngineResources } from '../../src/engine.ts';
import { loadIndex, openIndex } from '../../src/index/build.ts';
import { chunkArticle } from '../../src/index/chunk.ts';
import { type Embedder, loadEmbedder } from '../../src/index/embedder.ts';
import { EMBEDDING_CACHE_FILE } from '../../src/index/embedding-cache.ts';
import { LexicalIndex, LexicalSegment, queryKey } from '../../src/index/lexical.ts';
import { MANIFEST_FILE } from '../../src/index/manifest.ts';
import { decodePostings, encodePostings } from '../../src/index/postings-file.ts';
import { indexedText } from '../../src/index/segment-files.ts';
import type { IndexSettings, LoadedIndex } from '../../src/index/snapshot.ts';
import { writeTinyModel } from '../helpers/tiny-model.ts';
import { type ArticleUpsert, removeUnlisted, updateIndex } from '../../src/index/update.ts';
import { VECTOR_LOG_LIMIT } from '../../src/index/vector-log.ts';
import { analyzeQuestion } from '../../src/search/analyze.ts';
import type { QueryTerm } from '../../src/index/query-terms.ts';
import { type RetrievalMode, Retriever } from '../../src/search/retriever.ts';
import { tokenize } from '../../src/text/tokens.ts';
import { SEED_CORPUS, copySeedCorpus, tempDir, testConfig } from '../helpers/engine.ts';

// ---------------------------------------------------------------------------------------------
// Shared material
// ---------------------------------------------------------------------------------------------

/** Questions about the seed corpus. */
const SEED_QUESTIONS = [
  'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?',
  'viet nam trao tra cho my bao nhieu hom hai cot',
  'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu khoa học',
  'Elbridge Colby cam kết hỗ trợ Việt Nam điều gì?',
  'dioxin Biên Hòa',
  'hợp tác quốc phòng Việt Nam Mỹ',
];

/** Short articles (one passage each, of similar size) to add, with a question each answers. */
const NEW_ARTICLES = {
  rong: {
    title: 'Cầu Rồng Đà Nẵng phun lửa dịp cuối tuần',
    body:
      'Tối thứ Bảy, Cầu Rồng bắc qua sông Hàn ở thành phố Đà Nẵng phun lửa và phun nước chín lần trước hàng nghìn du khách. ' +
      'Cây cầu dài 666 mét, khánh thành năm 2013, có hình con rồng thời Lý vươn ra biển. ' +
      'Ban quản lý cho biết màn trình diễn bắt đầu lúc 21 giờ và kéo dài khoảng mười lăm phút.',
    question: 'Cầu Rồng phun lửa lúc mấy giờ?',
  },
  caphe: {
    title: 'Giá cà phê Robusta tại Tây Nguyên lên mức kỷ lục',
    body:
      'Giá cà phê Robusta tại Đắk Lắk và Lâm Đồng hôm nay đạt 132.000 đồng mỗi kilôgam, cao nhất từ trước tới nay. ' +
      'Các thương lái cho biết nguồn cung khan hiếm do hạn hán kéo dài trong mùa khô. ' +
      'Xuất khẩu cà phê của Việt Nam trong mười tháng đầu năm đạt 5,4 tỷ USD.',
    question: 'giá cà phê Robusta Đắk Lắk bao nhiêu',
  },
  metro: {
    title: 'Hà Nội khởi công tuyến đường sắt đô thị số 5',
    body:
      'Sáng nay, thành phố Hà Nội khởi công tuyến đường sắt đô thị số 5 nối Văn Cao với Hòa Lạc, dài 38,4 kilômét. ' +
      'Tổng mức đầu tư dự kiến khoảng 65.000 tỷ đồng. ' +
      'Tuyến metro này dự kiến hoàn thành vào năm 2030 và phục vụ 500.000 lượt khách mỗi ngày.',
    question: 'tuyến metro số 5 Văn Cao Hòa Lạc dài bao nhiêu',
  },
  bao: {
    title: 'Bão số 12 đổ bộ vào Quảng Ngãi',
    body:
      'Bão số 12 đổ bộ vào tỉnh Quảng Ngãi rạng sáng thứ Hai với sức gió cấp 10, giật cấp 12. ' +
      'Hơn 30.000 người dân ven biển đã được sơ tán đến nơi an toàn. ' +
      'Mưa lớn gây ngập úng nhiều tuyến đường và làm hư hại 1.200 ngôi nhà.',
    question: 'bão số 12 Quảng Ngãi sơ tán bao nhiêu người',
  },
  sen: {
    title: 'Làng sen Tây Hồ vào mùa ướp trà',
    body:
      'Các gia đình ở làng Quảng An, quận Tây Hồ, bắt đầu mùa ướp trà sen. ' +
      'Mỗi kilôgam trà cần khoảng 1.400 bông sen Bách Diệp hái từ đầm Tây. ' +
      'Giá trà sen ướp năm nay là 9 triệu đồng một kilôgam.',
    question: 'ướp trà sen Tây Hồ cần bao nhiêu bông sen',
  },
} as const;

const PROVINCES = ['Cao Bằng', 'Lạng Sơn', 'Hà Giang', 'Điện Biên', 'Sơn La', 'Lai Châu', 'Yên Bái', 'Tuyên Quang', 'Bắc Kạn', 'Lào Cai'];

/** Ten similar one-passage articles (a hospital opens in each province), ids `tinh-0` … `tinh-9`. */
function provinceArticles(): Article[] {
  return PROVINCES.map((p, i) =>
    makeArticle(
      `tinh-${i}`,
      `${p} khánh thành bệnh viện đa khoa mới`,
      `Tỉnh ${p} khánh thành bệnh viện đa khoa với ${200 + 10 * i} giường bệnh. ` +
        `Bệnh viện được xây dựng trong ${i + 2} năm bằng vốn ngân sách tỉnh ${p} và vốn vay ưu đãi. ` +
        `Giám đốc Sở Y tế ${p} cho biết bệnh viện sẽ tiếp nhận bệnh nhân từ tháng tới.`,
    ),
  );
}

function makeArticle(id: string, title: string, body: string): Article {
  const result = articleFromBytes(`/corpus/${id}.txt`, id, Buffer.from(`${title}\n\n${body}\n`, 'utf8'));
  if ('reason' in result) throw new Error(result.reason);
  return result;
}

const newArticle = (key: keyof typeof NEW_ARTICLES, body?: string) => makeArticle(key, NEW_ARTICLES[key].title, body ?? NEW_ARTICLES[key].body);

const upsert = (article: Article): ArticleUpsert => ({ article, file: { size: Buffer.byteLength(article.text), mtimeMs: 1_700_000_000_000 } });

const CHUNKING = { maxChars: 1600, overlapSentences: 1 };

function settingsFor(indexDir: string, embedder: Embedder | null = null): IndexSettings {
  return {
    indexDir,
    chunking: CHUNKING,
    embedder,
    embedderProblem: embedder ? null : 'no model in this test',
    model: { quantized: false, prefixes: false },
    hnsw: { m: 16, efConstruction: 100, efSearch: 100 },
    progress: false,
  };
}

/** A fresh index of a private copy of the seed corpus. */
async function seedIndex(embedder: Embedder | null = null): Promise<{ settings: IndexSettings; index: LoadedIndex; corpusDir: string }> {
  const corpusDir = await copySeedCorpus();
  const settings = settingsFor(await tempDir('trichdan-index-'), embedder);
  const { index } = await openIndex({ ...settings, corpusDir });
  return { settings, index, corpusDir };
}

/** Ranked passages of a snapshot for a question. */
async function rank(index: LoadedIndex, question: string, k = 5, mode?: RetrievalMode, embedder: Embedder | null = null) {
  const retriever = new Retriever({ chunks: index.chunks, lexical: index.lexical, vectors: index.vectors, embedder });
  return retriever.retrieve(analyzeQuestion(question, null, { vocabulary: index.lexical }), k, { mode });
}

const topArticle = async (index: LoadedIndex, question: string) => (await rank(index, question, 1))[0]?.chunk.articleId;

/** Document numbers and scores of the BM25 side alone (what segments must not change). */
function lexicalRanking(lexical: LexicalIndex, question: string, k = 1000, filter?: (doc: number) => boolean) {
  return lexical.search(analyzeQuestion(question, null, { vocabulary: lexical }).terms, k, filter);
}

function expectSameRanking(actual: { doc: number; score: number }[], expected: { doc: number; score: number }[], what = '') {
  expect(actual.map((h) => h.doc), what).toEqual(expected.map((h) => h.doc));
  actual.forEach((h, i) => expect(Math.abs(h.score - expected[i].score), `${what} #${i}`).toBeLessThanOrEqual(1e-9));
}

/**
 * The texts the snapshot's lexical segments were built from, by document number: every article
 * each segment was written with (tombstoned ones included: they count in the statistics until
 * their segment is rewritten), '' elsewhere.
 */
function segmentTexts(index: LoadedIndex): string[] {
  const texts: string[] = new Array(index.lexical.size).fill('');
  for (const segment of index.segments) {
    for (const article of segment.articles) {
      for (let doc = article.docStart; doc < article.docEnd; doc++) {
        const chunk = segment.chunks[doc - segment.entry.base];
        if (chunk) texts[doc] = indexedText(chunk, article);
      }
    }
  }
  return texts;
}

/** The key property, on a whole snapshot: its segments rank exactly as one index over the same texts. */
function expectRanksLikeOneIndex(index: LoadedIndex, questions: readonly string[]) {
  const whole = LexicalIndex.build(segmentTexts(index));
  expect(whole.size).toBe(index.lexical.size);
  for (const q of questions) expectSameRanking(lexicalRanking(index.lexical, q), lexicalRanking(whole, q), q);
}

const fileState = async (file: string) => ({ sha256: createHash('sha256').update(await readFile(file)).digest('hex'), mtimeMs: (await stat(file)).mtimeMs });

const segmentFiles = (indexDir: string, name: string) => [path.join(indexDir, `${name}.json`), path.join(indexDir, `${name}.lex`)];

// ---------------------------------------------------------------------------------------------
// LexicalIndex over segments
// ---------------------------------------------------------------------------------------------

/** BM25 computed from scratch (k1 1.2, b 0.5): N counts holes, the average length does not. */
function referenceBm25(texts: readonly string[], terms: readonly QueryTerm[]): Map<number, number> {
  const k1 = 1.2;
  const b = 0.5;
  const docs = texts.map((text) => {
    const tokens = tokenize(text);
    const tf = new Map<string, number>();
    const add = (key: string) => tf.set(key, (tf.get(key) ?? 0) + 1);
    tokens.forEach((t, i) => {
      add(`e:${t.norm}`);
      add(`f:${t.folded}`);
      const n = tokens[i + 1];
      if (n) {
        add(`E:${t.norm} ${n.norm}`);
        add(`F:${t.folded} ${n.folded}`);
      }
    });
    return { length: tokens.length, tf };
  });
  const present = docs.filter((d) => d.length > 0);
  const avg = present.reduce((s, d) => s + d.length, 0) / present.length;
  const weights = new Map<string, number>();
  for (const t of terms) if (t.weight > 0 && t.text) weights.set(queryKey(t.text, t.exact), (weights.get(queryKey(t.text, t.exact)) ?? 0) + t.weight);
  const scores = new Map<number, number>();
  for (const [key, weight] of weights) {
    const df = docs.filter((d) => d.tf.has(key)).length;
    if (!df) continue;
    const idf = Math.log(1 + (texts.length - df + 0.5) / (df + 0.5));
    docs.forEach((d, doc) => {
      const tf = d.tf.get(key);
      if (!tf) return;
      const norm = k1 * (1 - b + (b * d.length) / avg);
      scores.set(doc, (scores.get(doc) ?? 0) + (idf * weight * (k1 + 1) * tf) / (tf + norm));
    });
  }
  return scores;
}

describe('LexicalIndex over segments', () => {
  let texts: string[];
  let whole: LexicalIndex;

  beforeAll(async () => {
    const { articles } = await loadCorpus(SEED_CORPUS);
    texts = articles.flatMap((a) => chunkArticle(a.id, a.text, { maxChars: 400, overlapSentences: 1 }).map((c) => indexedText(c, a)));
    whole = LexicalIndex.build(texts);
  });

  const segmentsOf = (cuts: number[]) => {
    const bounds = [0, ...cuts, texts.length];
    return bounds.slice(0, -1).map((start, i) => LexicalSegment.build(texts.slice(start, bounds[i + 1]), start));
  };

  it('ranks A+B exactly like one index over the concatenated texts, wherever the cut is', () => {
    expect(texts.length).toBeGreaterThan(40);
    for (const cut of [1, 7, Math.floor(texts.length / 2), texts.length - 1]) {
      const split = LexicalIndex.fromSegments(segmentsOf([cut]));
      expect(split.size).toBe(texts.length);
      for (const q of SEED_QUESTIONS) {
        const expected = lexicalRanking(whole, q);
        expect(expected.length).toBeGreaterThan(3);
        expectSameRanking(lexicalRanking(split, q), expected, `cut ${cut}: ${q}`);
      }
    }
  });

  it('gives the same statistics, vocabulary and coverage as one index', () => {
    const split = LexicalIndex.fromSegments(segmentsOf([10, 11, 30]));
    for (const q of SEED_QUESTIONS) {
      const { terms } = analyzeQuestion(q, null, { vocabulary: whole });
      for (const t of terms) {
        expect(split.documentFrequency(t.text, t.exact), t.text).toBe(whole.documentFrequency(t.text, t.exact));
        expect(split.idf(t.text, t.exact)).toBe(whole.idf(t.text, t.exact));
        expect(split.has(t.text, t.exact)).toBe(whole.has(t.text, t.exact));
      }
      const prepared = split.prepareCoverage(terms, true);
      expect(prepared).toEqual(whole.prepareCoverage(terms, true));
      for (const text of texts.slice(0, 10)) expect(split.coverage(text, prepared)).toEqual(whole.coverage(text, terms.length ? whole.prepareCoverage(terms, true) : []));
    }
    expect(split.has('xyzzy')).toBe(false);
  });

  it('does not depend on the order segments are given in, and shares them between indexes', () => {
    const segments = segmentsOf([5, 20, 33]);
    const shuffled = LexicalIndex.fromSegments([segments[2], segments[0], segments[3], segments[1]]);
    expect(shuffled.segments.map((s) => s.base)).toEqual([0, 5, 20, 33]);
    expect(shuffled.segments[0]).toBe(segments[0]);
    for (const q of SEED_QUESTIONS) expectSameRanking(lexicalRanking(shuffled, q), lexicalRanking(whole, q), q);
  });

  it('ranks the same with segments read back from their postings files', () => {
    const segments = segmentsOf([12, 25]).map((s) => {
      const { store, lengths } = decodePostings(encodePostings(s.store, s.lengths));
      return new LexicalSegment(s.base, store, lengths);
    });
    const read = LexicalIndex.fromSegments(segments);
    for (const q of SEED_QUESTIONS) expectSameRanking(lexicalRanking(read, q), lexicalRanking(whole, q), q);
  });

  it('applies the filter after scoring, so kept documents keep their scores', () => {
    const split = LexicalIndex.fromSegments(segmentsOf([17]));
    for (const q of SEED_QUESTIONS) {
      const odd = (doc: number) => doc % 2 === 1;
      expectSameRanking(lexicalRanking(split, q, 1000, odd), lexicalRanking(whole, q).filter((h) => odd(h.doc)), q);
      // top-k with a filter is the top-k of the kept documents.
      expectSameRanking(lexicalRanking(split, q, 3, odd), lexicalRanking(whole, q).filter((h) => odd(h.doc)).slice(0, 3), q);
    }
  });

  it('holes (empty texts) are never returned and change other scores only through N (the average length ignores them)', () => {
    const holes = new Set([0, 3, 4, 20, texts.length - 1]);
    const withHoles = texts.map((t, i) => (holes.has(i) ? '' : t));
    const compact = texts.filter((_, i) => !holes.has(i));
    const compactDoc = new Map<number, number>();
    withHoles.forEach((t, i) => t && compactDoc.set(i, compactDoc.size));

    // Holes split over several segments (one ends with a hole, the next starts with two).
    const holed = LexicalIndex.fromSegments([
      LexicalSegment.build(withHoles.slice(0, 4), 0),
      LexicalSegment.build(withHoles.slice(4, 21), 4),
      LexicalSegment.build(withHoles.slice(21), 21),
    ]);
    const oneHoled = LexicalIndex.build(withHoles);
    const compactIndex = LexicalIndex.build(compact);
    expect(holed.size).toBe(texts.length);

    for (const q of SEED_QUESTIONS) {
      const { terms } = analyzeQuestion(q, null, { vocabulary: whole });
      const hits = holed.search(terms, 1000);
      expect(hits.some((h) => holes.has(h.doc)), q).toBe(false);
      expectSameRanking(hits, oneHoled.search(terms, 1000), q);
      // Exactly BM25 with N = every document number (holes included) and the average length of the others.
      const reference = referenceBm25(withHoles, terms);
      expect(hits.map((h) => h.doc).sort((a, b) => a - b)).toEqual([...reference.keys()].sort((a, b) => a - b));
      for (const h of hits) expect(Math.abs(h.score - reference.get(h.doc)!) / h.score).toBeLessThan(1e-6);
    }

    // One term at a time: scores against the compact index differ by the idf ratio only.
    for (const term of ['hòm', 'dioxin', 'quốc phòng', 'nga', 'hợp tác']) {
      const q: QueryTerm[] = [{ text: term, weight: 1 }];
      const df = compactIndex.documentFrequency(term);
      expect(holed.documentFrequency(term)).toBe(df);
      const ratio = Math.log(1 + (texts.length - df + 0.5) / (df + 0.5)) / Math.log(1 + (compact.length - df + 0.5) / (df + 0.5));
      const compactScores = new Map(compactIndex.search(q, 1000).map((h) => [h.doc, h.score]));
      const hits = holed.search(q, 1000);
      expect(hits.length, term).toBe(df);
      for (const h of hits) expect(Math.abs(h.score / compactScores.get(compactDoc.get(h.doc)!)! - ratio), term).toBeLessThan(1e-9);
    }
  });

  it('a document number no segment covers (a dropped segment) counts like a hole', () => {
    const gap = LexicalIndex.fromSegments([LexicalSegment.build(texts.slice(0, 10), 0), LexicalSegment.build(texts.slice(15), 15)]);
    const holed = LexicalIndex.build(texts.map((t, i) => (i >= 10 && i < 15 ? '' : t)));
    expect(gap.size).toBe(texts.length);
    for (const q of SEED_QUESTIONS) expectSameRanking(lexicalRanking(gap, q), lexicalRanking(holed, q), q);
  });
});

// ---------------------------------------------------------------------------------------------
// updateIndex on a real index directory
// ---------------------------------------------------------------------------------------------

describe('updateIndex: adds, replaces and removes as segments and tombstones', () => {
  it('adds an article as a new segment; the old segment files are untouched and both are listed', async () => {
    const { settings, index } = await seedIndex();
    expect(index.manifest.segments).toHaveLength(1);
    expect(index.articles).toHaveLength(5);
    const first = index.manifest.segments[0];
    const before = await Promise.all(segmentFiles(settings.indexDir, first.name).map(fileState));
    const nextDoc = index.manifest.nextDoc;
    expect(nextDoc).toBe(index.chunkCount);

    const rong = newArticle('rong');
    const after = await updateIndex(index, settings, { upsert: [upsert(rong)], remove: [] });
    expect(after.actions).toEqual(['index updated: 1 article added']);
    expect(after.manifest.segments.map((s) => s.name)).toEqual([first.name, expect.stringMatching(/^seg-\d{6}$/)]);
    const added = after.manifest.segments[1];
    expect(added).toMatchObject({ base: nextDoc, count: 1 });
    expect(after.manifest.segments[0]).toEqual(first);
    expect(await Promise.all(segmentFiles(settings.indexDir, first.name).map(fileState))).toEqual(before);
    for (const f of segmentFiles(settings.indexDir, added.name)) expect(existsSync(f)).toBe(true);

    // The new article's passages carry the next document numbers.
    const indexed = after.articles.find((a) => a.id === 'rong')!;
    expect(indexed).toMatchObject({ docStart: nextDoc, docEnd: nextDoc + 1, title: NEW_ARTICLES.rong.title });
    expect(after.chunks).toHaveLength(nextDoc + 1);
    expect(after.chunks[nextDoc]).toMatchObject({ id: 'rong#0', articleId: 'rong' });
    expect(after.chunks[nextDoc]!.text).toBe(rong.text.slice(after.chunks[nextDoc]!.start, after.chunks[nextDoc]!.end));
    expect(after.manifest).toMatchObject({ nextDoc: nextDoc + 1, articleCount: 6, chunkCount: index.chunkCount + 1 });

    // It answers; the old snapshot is unchanged and still answers the old questions the same way.
    expect(await topArticle(after, NEW_ARTICLES.rong.question)).toBe('rong');
    expect(index.articles).toHaveLength(5);
    expect(await topArticle(index, NEW_ARTICLES.rong.question)).not.toBe('rong');
    for (const q of SEED_QUESTIONS) expect(await topArticle(after, q)).toBe(await topArticle(index, q));
    expectRanksLikeOneIndex(after, [...SEED_QUESTIONS, NEW_ARTICLES.rong.question]);
  });

  it('replaces an article: the old passages become holes, the new text answers, the first-seen date is kept', async () => {
    const { settings, index } = await seedIndex();
    const together = (['rong', 'caphe', 'sen', 'metro'] as const).map((k) => upsert(newArticle(k)));
    const v1 = await updateIndex(index, settings, { upsert: together, remove: [] }, new Date('2025-01-01T00:00:00Z'));
    const old = v1.articles.find((a) => a.id === 'sen')!;
    expect(old.addedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(await topArticle(v1, 'sen Bách Diệp')).toBe('sen');

    const newBody = NEW_ARTICLES.sen.body.replace('sen Bách Diệp hái từ đầm Tây', 'sen Quan Âm hái từ hồ Tây').replace('9 triệu', '12 triệu');
    const v2 = await updateIndex(v1, settings, { upsert: [upsert(newArticle('sen', newBody))], remove: [] }, new Date('2025-02-01T00:00:00Z'));
    expect(v2.actions).toEqual(['index updated: 1 changed']);
    const current = v2.articles.find((a) => a.id === 'sen')!;
    expect(v2.articles.filter((a) => a.id === 'sen')).toHaveLength(1);
    expect(current.addedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(current.docStart).toBe(v1.manifest.nextDoc);
    expect(v2.manifest.updatedAt).toBe('2025-02-01T00:00:00.000Z');

    // Old document numbers are holes: no chunk, never returned; the tombstone names the old position.
    for (let d = old.docStart; d < old.docEnd; d++) expect(v2.chunks[d]).toBeUndefined();
    const oldSegment = v1.manifest.segments[1].name;
    expect(v2.manifest.removed[oldSegment]).toEqual([2]);
    expect(v2.chunkCount).toBe(v1.chunkCount);
    expect(v2.manifest.articleCount).toBe(9);
    const hits = await rank(v2, 'trà sen Tây Hồ Bách Diệp Quan Âm', 20);
    expect(hits.some((h) => h.doc >= old.docStart && h.doc < old.docEnd)).toBe(false);
    expect(hits[0]).toMatchObject({ doc: current.docStart });
    expect(hits[0].chunk.text).toContain('Quan Âm');
    expect(lexicalRanking(v2.lexical, 'Bách Diệp', 1000, (d) => v2.chunks[d] !== undefined)).toEqual([]);
    expect(await topArticle(v2, 'sen Quan Âm giá 12 triệu')).toBe('sen');
    // The old snapshot still answers from the old text (a question in flight finishes on it).
    expect((await rank(v1, 'sen Bách Diệp', 1))[0].chunk.text).toContain('Bách Diệp');
    expectRanksLikeOneIndex(v2, [NEW_ARTICLES.sen.question, 'Bách Diệp', ...SEED_QUESTIONS]);

    // Replaced again: its one-article segment has nothing live left, so it is dropped rather than tombstoned.
    const single = v2.manifest.segments[2];
    expect(single).toMatchObject({ base: current.docStart, count: 1 });
    const v3 = await updateIndex(v2, settings, { upsert: [upsert(newArticle('sen'))], remove: [] });
    expect(v3.manifest.segments.map((s) => s.name)).not.toContain(single.name);
    expect(v3.manifest.removed[single.name]).toBeUndefined();
    for (const f of segmentFiles(settings.indexDir, single.name)) expect(existsSync(f)).toBe(false);
    expect(v3.chunks[current.docStart]).toBeUndefined();
    expect(await topArticle(v3, 'sen Bách Diệp')).toBe('sen');
  });

  it('removes an article: its passages become holes, the others answer as before', async () => {
    const { settings, index } = await seedIndex();
    const victim = index.articles.find((a) => a.id.startsWith('002_'))!;
    const passages = victim.docEnd - victim.docStart;
    const after = await updateIndex(index, settings, { upsert: [], remove: [victim.id, 'no-such-article'] });
    expect(after.actions).toEqual(['index updated: 1 removed']);
    expect(after.articles.map((a) => a.id)).not.toContain(victim.id);
    expect(after.chunkCount).toBe(index.chunkCount - passages);
    expect(after.manifest).toMatchObject({ articleCount: 4, chunkCount: index.chunkCount - passages, nextDoc: index.manifest.nextDoc });
    for (let d = victim.docStart; d < victim.docEnd; d++) expect(after.chunks[d]).toBeUndefined();
    // 6 of 19 passages gone: under half, so the segment stays and gets a tombstone.
    expect(after.manifest.segments).toEqual(index.manifest.segments);
    expect(after.manifest.removed).toEqual({ [index.manifest.segments[0].name]: [index.articles.indexOf(victim)] });

    const hits = await rank(after, 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?', 20);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.chunk.articleId !== victim.id)).toBe(true);
    expect(await topArticle(after, 'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu khoa học')).toMatch(/^004_/);
    // Removing what is not there changes nothing and writes nothing.
    const manifestBefore = await fileState(path.join(settings.indexDir, MANIFEST_FILE));
    const same = await updateIndex(after, settings, { upsert: [], remove: [victim.id] });
    expect(same.actions).toEqual([]);
    expect(await fileState(path.join(settings.indexDir, MANIFEST_FILE))).toEqual(manifestBefore);
  });

  it('merges the newest segments like a binary counter (four one-passage adds end as one segment), keeping document numbers and answers', async () => {
    const { settings, index } = await seedIndex();
    const keys = ['rong', 'caphe', 'metro', 'bao'] as const;
    let current = index;
    const snapshots: LoadedIndex[] = [];
    for (const key of keys) {
      current = await updateIndex(current, settings, { upsert: [upsert(newArticle(key))], remove: [] });
      snapshots.push(current);
    }
    // After three adds: the seed's segment (larger, never merged in), the first two adds merged, the third.
    expect(snapshots[2].manifest.segments.map((s) => s.count)).toEqual([index.manifest.nextDoc, 2, 1]);
    const small = snapshots[2].manifest.segments.slice(1);
    // After the fourth: the seed segment and one merged segment covering the four new articles.
    const merged = current.manifest.segments;
    expect(merged).toHaveLength(2);
    expect(merged[0]).toEqual(index.manifest.segments[0]);
    expect(merged[1]).toMatchObject({ base: index.manifest.nextDoc, count: 4 });
    expect(small.map((s) => s.name)).not.toContain(merged[1].name);
    expect(current.manifest.removed).toEqual({});

    // Document numbers and passages are those the articles got when added.
    for (const [i, key] of keys.entries()) {
      const when = snapshots[i].articles.find((a) => a.id === key)!;
      const now = current.articles.find((a) => a.id === key)!;
      expect(now).toEqual(when);
      expect(current.chunks[now.docStart]).toEqual(snapshots[i].chunks[when.docStart]);
      expect(await topArticle(current, NEW_ARTICLES[key].question), key).toBe(key);
      const hit = (await rank(current, NEW_ARTICLES[key].question, 1))[0];
      expect(hit.doc).toBe(when.docStart);
    }
    expect(current.chunks.slice(0, index.chunks.length)).toEqual(index.chunks);

    // The small segments' files are gone; the listed ones are there.
    const names = await readdir(settings.indexDir);
    for (const s of small) for (const f of segmentFiles(settings.indexDir, s.name)) expect(names).not.toContain(path.basename(f));
    for (const s of merged) for (const f of segmentFiles(settings.indexDir, s.name)) expect(names).toContain(path.basename(f));
    expectRanksLikeOneIndex(current, [...SEED_QUESTIONS, ...keys.map((k) => NEW_ARTICLES[k].question)]);
  });

  it('rewrites a segment once most of its passages are removed; removed text stops counting in the statistics', async () => {
    const { settings, index } = await seedIndex();
    const articles = provinceArticles();
    const v1 = await updateIndex(index, settings, { upsert: articles.map(upsert), remove: [] });
    const segment = v1.manifest.segments[1];
    expect(segment).toMatchObject({ base: index.manifest.nextDoc, count: 10 });
    const base = segment.base;

    // Four of ten gone: tombstones only; their words still count in document frequencies.
    const v2 = await updateIndex(v1, settings, { upsert: [], remove: ['tinh-0', 'tinh-1', 'tinh-2', 'tinh-3'] });
    expect(v2.manifest.segments[1]).toEqual(segment);
    expect(v2.manifest.removed[segment.name]).toEqual([0, 1, 2, 3]);
    const baseline = index.lexical.documentFrequency('cao bằng');
    expect(v2.lexical.documentFrequency('cao bằng')).toBe(baseline + 1);
    expect(await topArticle(v2, 'bệnh viện Cao Bằng bao nhiêu giường')).not.toBe('tinh-0');

    // The fifth makes it half: rewritten under a new name, same document range, holes where the removed were.
    const v3 = await updateIndex(v2, settings, { upsert: [], remove: ['tinh-4'] });
    const rewritten = v3.manifest.segments[1];
    expect(rewritten.name).not.toBe(segment.name);
    expect(rewritten).toMatchObject({ base, count: 10 });
    expect(v3.manifest.removed).toEqual({});
    for (const f of segmentFiles(settings.indexDir, segment.name)) expect(existsSync(f)).toBe(false);
    const lexicalSegment = v3.segments[1].lexical;
    expect([...lexicalSegment.lengths].map((l) => l > 0)).toEqual([false, false, false, false, false, true, true, true, true, true]);
    expect(v3.segments[1].articles.map((a) => a.id)).toEqual(['tinh-5', 'tinh-6', 'tinh-7', 'tinh-8', 'tinh-9']);
    expect(v3.lexical.documentFrequency('cao bằng')).toBe(baseline);
    for (let i = 5; i < 10; i++) {
      const a = v3.articles.find((x) => x.id === `tinh-${i}`)!;
      expect(a.docStart).toBe(base + i);
      expect(await topArticle(v3, `bệnh viện ${PROVINCES[i]} bao nhiêu giường`)).toBe(`tinh-${i}`);
    }
    expect(v3.chunkCount).toBe(index.chunkCount + 5);
    expectRanksLikeOneIndex(v3, [...SEED_QUESTIONS, 'bệnh viện đa khoa bao nhiêu giường']);

    // One more removal from the rewritten segment: one of its five passages, so a tombstone, not another rewrite.
    const rewrittenFiles = await Promise.all(segmentFiles(settings.indexDir, rewritten.name).map(fileState));
    const v4 = await updateIndex(v3, settings, { upsert: [], remove: ['tinh-5'] });
    expect(v4.manifest.segments[1]).toEqual(rewritten);
    expect(v4.manifest.removed).toEqual({ [rewritten.name]: [0] });
    expect(await Promise.all(segmentFiles(settings.indexDir, rewritten.name).map(fileState))).toEqual(rewrittenFiles);

    // Every article of it removed: the segment is dropped, its numbers are not reused.
    const v5 = await updateIndex(v4, settings, { upsert: [], remove: ['tinh-6', 'tinh-7', 'tinh-8', 'tinh-9'] });
    expect(v5.manifest.segments).toEqual(index.manifest.segments);
    expect(v5.manifest.removed).toEqual({});
    expect(v5.manifest.nextDoc).toBe(base + 10);
    expect(v5.articles.map((a) => a.id)).toEqual(index.articles.map((a) => a.id));
    expect(v5.chunkCount).toBe(index.chunkCount);
    for (const f of segmentFiles(settings.indexDir, rewritten.name)) expect(existsSync(f)).toBe(false);
    for (const q of SEED_QUESTIONS) expect(await topArticle(v5, q)).toBe(await topArticle(index, q));
    const v6 = await updateIndex(v5, settings, { upsert: [upsert(newArticle('bao'))], remove: [] });
    expect(v6.articles.find((a) => a.id === 'bao')).toMatchObject({ docStart: base + 10 });
    expect(await topArticle(v6, NEW_ARTICLES.bao.question)).toBe('bao');
  });

  it('removeUnlisted deletes stale segment files and temporary files, and keeps the embedding cache', async () => {
    const { settings, index } = await seedIndex();
    const dir = settings.indexDir;
    const listed = index.manifest.segments[0].name;
    const planted = {
      stale: ['seg-000099.json', 'seg-000099.lex', 'vectors.hnsw', 'vectors-000042.hnsw', 'chunks.json', '.seg-000100.json.1234.abcd1234.tmp', '.manifest.json.99.ffff0000.tmp'],
      kept: [EMBEDDING_CACHE_FILE, 'notes.txt', 'seg-xyz.json', '.lock'],
    };
    for (const name of [...planted.stale, ...planted.kept]) await writeFile(path.join(dir, name), 'x');
    await removeUnlisted(dir, index.manifest);
    const names = await readdir(dir);
    for (const name of planted.stale) expect(names, name).not.toContain(name);
    for (const name of [...planted.kept, MANIFEST_FILE, `${listed}.json`, `${listed}.lex`]) expect(names, name).toContain(name);
    // A missing folder is not an error.
    await expect(removeUnlisted(path.join(dir, 'missing'), index.manifest)).resolves.toBeUndefined();
  });

  it('reopens from disk as the same snapshot: articles, passages, statistics and rankings', async () => {
    const { settings, index, corpusDir } = await seedIndex();
    let current = index;
    current = await updateIndex(current, settings, { upsert: [upsert(newArticle('rong')), upsert(newArticle('sen'))], remove: [] });
    current = await updateIndex(current, settings, { upsert: [upsert(newArticle('caphe'))], remove: [index.articles[1].id] });
    current = await updateIndex(current, settings, { upsert: [upsert(newArticle('sen', `${NEW_ARTICLES.sen.body} Năm nay làng có thêm 20 hộ làm trà.`))], remove: [] });
    expect(Object.keys(current.manifest.removed).length).toBeGreaterThan(0);

    const reopened = await loadIndex(settings);
    if ('reason' in reopened) throw new Error(reopened.reason);
    const again = reopened.index;
    expect(again.manifest).toEqual(current.manifest);
    expect(again.articles).toEqual(current.articles);
    expect(again.chunkCount).toBe(current.chunkCount);
    expect(again.chunks).toEqual(current.chunks);
    expect(again.lexical.size).toBe(current.lexical.size);
    expect(again.actions).toEqual([]);
    const questions = [...SEED_QUESTIONS, NEW_ARTICLES.rong.question, NEW_ARTICLES.caphe.question, NEW_ARTICLES.sen.question, 'thêm 20 hộ làm trà'];
    for (const q of questions) {
      expectSameRanking(lexicalRanking(again.lexical, q), lexicalRanking(current.lexical, q), q);
      expect(await rank(again, q, 5)).toEqual(await rank(current, q, 5));
    }

    // Through the engine: the same answers, quotes and citations.
    const config = testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: settings.indexDir, TRICHDAN_MODELS_DIR: await tempDir('trichdan-models-') });
    const resources: EngineResources = { config, embedder: null, modelProblem: 'no model in this test', lexicon: null, lexiconProblem: null };
    const before = new RetrievalEngine(resources, current);
    const after = new RetrievalEngine(resources, again);
    for (const q of questions) {
      const answer = await after.ask(q);
      expect(answer).toEqual(await before.ask(q));
    }
    const senAnswer = await after.ask('ướp trà sen Tây Hồ cần bao nhiêu bông sen');
    expect(senAnswer.answered).toBe(true);
    expect(senAnswer.results[0].article.id).toBe('sen');
    expect(senAnswer.results.every((r) => r.article.id !== index.articles[1].id)).toBe(true);
  });

  it('a start with nothing changed reads the index and writes nothing; a deleted or added file is caught up', async () => {
    const { settings, index, corpusDir } = await seedIndex();
    const manifestFile = path.join(settings.indexDir, MANIFEST_FILE);
    const before = await fileState(manifestFile);
    const same = await openIndex({ ...settings, corpusDir });
    expect(same.index.actions).toEqual([]);
    expect(same.index.manifest).toEqual(index.manifest);
    expect(await fileState(manifestFile)).toEqual(before);

    const gone = index.articles[0];
    await unlink(gone.path);
    await writeFile(path.join(corpusDir, 'rong.txt'), `${NEW_ARTICLES.rong.title}\n\n${NEW_ARTICLES.rong.body}\n`);
    const changed = await openIndex({ ...settings, corpusDir });
    expect(changed.index.actions).toEqual(['index updated: 1 article added, 1 removed']);
    expect(changed.index.articles.map((a) => a.id)).toEqual([...index.articles.slice(1).map((a) => a.id), 'rong']);
    expect(await topArticle(changed.index, NEW_ARTICLES.rong.question)).toBe('rong');
    const indexed = changed.index.articles.find((a) => a.id === 'rong')!;
    const info = await stat(path.join(corpusDir, 'rong.txt'));
    expect(indexed).toMatchObject({ fileSize: info.size, mtimeMs: info.mtimeMs, path: path.join(corpusDir, 'rong.txt') });
  });
});

// ---------------------------------------------------------------------------------------------
// The dense side kept in step, with the tiny generated model
// ---------------------------------------------------------------------------------------------

describe('updateIndex with a model: the HNSW graph follows adds and removes', () => {
  let embedder: Embedder;

  beforeAll(async () => {
    const modelsDir = await tempDir('trichdan-models-');
    const { modelId } = await writeTinyModel(modelsDir);
    const loaded = await loadEmbedder({ modelId, modelsDir, quantized: false, allowRemote: false, prefixes: false, batchSize: 8 });
    if (!loaded.ok) throw new Error(loaded.problem);
    embedder = loaded.embedder;
  });

  /** Labels the graph returns for a question, without any filter (what it really holds). */
  const rawDense = async (index: LoadedIndex, question: string) => {
    const v = await embedder.embedQuery(question);
    return index.vectors!.search(v, index.vectors!.size).map((h) => h.label);
  };

  it('adds and removes passages in the graph, logs the added vectors instead of rewriting it, and reloads it', async () => {
    const { settings, index } = await seedIndex(embedder);
    const dir = settings.indexDir;
    expect(index.vectors).not.toBeNull();
    expect(index.vectors!.size).toBe(index.chunkCount);
    const firstFile = index.manifest.dense!.vectorsFile;
    expect(firstFile).toMatch(/^vectors-\d{6}\.hnsw$/);
    expect(existsSync(path.join(dir, firstFile))).toBe(true);
    expect(index.manifest.dense!.log).toEqual([]);

    // Add: the new passage is embedded and found by the dense side alone; its vector is logged, the graph file kept.
    const v1 = await updateIndex(index, settings, { upsert: [upsert(newArticle('rong'))], remove: [] });
    const rong = v1.articles.find((a) => a.id === 'rong')!;
    expect(v1.vectors).toBe(index.vectors);
    expect(v1.vectors!.size).toBe(index.chunkCount + 1);
    expect(v1.manifest.dense!.vectorsFile).toBe(firstFile);
    expect(v1.manifest.dense!.log).toHaveLength(1);
    expect(v1.manifest.dense!.log[0]).toMatchObject({ file: expect.stringMatching(/^vectors-log-\d{6}\.bin$/), count: 1 });
    expect(existsSync(path.join(dir, v1.manifest.dense!.log[0].file))).toBe(true);
    const dense = await rank(v1, NEW_ARTICLES.rong.question, 3, 'dense', embedder);
    expect(dense[0]).toMatchObject({ doc: rong.docStart });
    expect(dense[0].denseScore).toBeGreaterThan(0);

    // Remove a six-passage article: none of its passages is ever returned by the graph, even unfiltered.
    const victim = v1.articles.find((a) => a.id.startsWith('002_'))!;
    const victimDocs = new Set(Array.from({ length: victim.docEnd - victim.docStart }, (_, i) => victim.docStart + i));
    const question = 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?';
    expect((await rawDense(v1, question)).some((l) => victimDocs.has(l))).toBe(true);
    const v2 = await updateIndex(v1, settings, { upsert: [], remove: [victim.id] });
    expect((await rawDense(v2, question)).some((l) => victimDocs.has(l))).toBe(false);
    expect((await rank(v2, question, 20, 'dense', embedder)).some((h) => victimDocs.has(h.doc))).toBe(false);
    expect((await rank(v2, question, 20, 'hybrid', embedder)).some((h) => victimDocs.has(h.doc))).toBe(false);
    // Removed slots stay in the graph until reused: `size` counts slots. A removal writes no vector file.
    expect(v2.vectors!.size).toBe(index.chunkCount + 1);
    expect(v2.manifest.dense).toEqual(v1.manifest.dense);

    // New passages take the freed slots: the graph does not grow.
    const v3 = await updateIndex(v2, settings, { upsert: [upsert(newArticle('caphe')), upsert(newArticle('metro'))], remove: [] });
    expect(v3.vectors!.size).toBe(index.chunkCount + 1);
    for (const key of ['caphe', 'metro'] as const) {
      const a = v3.articles.find((x) => x.id === key)!;
      expect((await rank(v3, NEW_ARTICLES[key].question, 1, 'dense', embedder))[0].doc, key).toBe(a.docStart);
    }

    // Reopen: the graph as written, the logged vectors replayed, the removed passages dropped.
    const names = (await readdir(dir)).filter((n) => n.endsWith('.hnsw') || n.startsWith('vectors-log-'));
    expect(names.sort()).toEqual([firstFile, ...v3.manifest.dense!.log.map((e) => e.file)].sort());
    expect(v3.manifest.dense!.log.map((e) => e.count)).toEqual([1, 2]);
    const reopened = await loadIndex(settings);
    if ('reason' in reopened) throw new Error(reopened.reason);
    const again = reopened.index;
    expect(again.vectors).not.toBeNull();
    expect((await rawDense(again, question)).some((l) => victimDocs.has(l))).toBe(false);
    for (const q of [question, NEW_ARTICLES.caphe.question, NEW_ARTICLES.rong.question, 'Trung tâm Nhiệt đới Việt - Nga']) {
      const a = await rank(again, q, 5, 'hybrid', embedder);
      const b = await rank(v3, q, 5, 'hybrid', embedder);
      expect(a.map((h) => h.doc), q).toEqual(b.map((h) => h.doc));
      a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i].score, 6));
    }
    // And it keeps following changes after the reload.
    const v4 = await updateIndex(again, settings, { upsert: [], remove: ['rong'] });
    expect((await rawDense(v4, NEW_ARTICLES.rong.question)).includes(rong.docStart)).toBe(false);
    expect((await rank(v4, NEW_ARTICLES.rong.question, 5, 'hybrid', embedder)).every((h) => h.chunk.articleId !== 'rong')).toBe(true);
  });

  it('writes the whole graph again (a checkpoint) once the log passes its limit', async () => {
    const { settings, index } = await seedIndex(embedder);
    const firstFile = index.manifest.dense!.vectorsFile;
    // One article of more passages than the log takes.
    const sentences = Array.from({ length: VECTOR_LOG_LIMIT + 20 }, (_, i) => `Đoạn số ${i + 1} kể về cuộc diễn tập cứu hộ thứ ${i + 1} trên biển Đông của lực lượng hải quân.`);
    const text = sentences.map((x) => `${x} ${'Các đơn vị phối hợp chặt chẽ và an toàn tuyệt đối. '.repeat(30)}`).join('\n\n');
    const big = articleFromBytes('big.txt', 'big', Buffer.from(`Diễn tập cứu hộ trên biển\n\n${text}`));
    if ('reason' in big) throw new Error(big.reason);
    const after = await updateIndex(index, settings, { upsert: [{ article: big, file: { size: 1, mtimeMs: 1 } }], remove: [] });
    const added = after.articles.find((a) => a.id === 'big')!;
    expect(added.docEnd - added.docStart).toBeGreaterThan(VECTOR_LOG_LIMIT);
    expect(after.manifest.dense!.vectorsFile).not.toBe(firstFile);
    expect(after.manifest.dense!.log).toEqual([]);
    const reopened = await loadIndex(settings);
    if ('reason' in reopened) throw new Error(reopened.reason);
    expect(reopened.index.vectors!.size).toBe(after.vectors!.size);
  });

  it('a lexical-only run that changes the corpus drops the vectors that no longer match it', async () => {
    const { settings, index } = await seedIndex(embedder);
    const file = index.manifest.dense!.vectorsFile;
    const lexicalOnly = { ...settings, embedder: null, embedderProblem: 'model gone' };
    const after = await updateIndex(index, lexicalOnly, { upsert: [upsert(newArticle('bao'))], remove: [] });
    expect(after.manifest.dense).toBeNull();
    expect(after.vectors).toBeNull();
    expect(existsSync(path.join(settings.indexDir, file))).toBe(false);
    // With the model back, the vectors are rebuilt for every live passage.
    const back = await updateIndex(after, settings, { upsert: [], remove: [] });
    expect(back.vectors!.size).toBe(back.chunkCount);
    expect(back.actions[0]).toMatch(/^dense vectors added/);
    const bao = back.articles.find((a) => a.id === 'bao')!;
    expect((await rank(back, NEW_ARTICLES.bao.question, 1, 'dense', embedder))[0].doc).toBe(bao.docStart);
    await rm(settings.indexDir, { recursive: true, force: true });
  });
});
