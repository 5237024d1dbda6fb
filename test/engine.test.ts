import { appendFile, cp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type RetrievalEngine } from '../src/engine.ts';
import type { Answer } from '../src/answer/types.ts';
import { EXCERPT_GAP } from '../src/answer/compose.ts';
import { INDEX_FORMAT_VERSION } from '../src/index/manifest.ts';
import { copySeedCorpus, tempDir, testConfig } from './helpers/engine.ts';

/** Every quote (each excerpt of it) and passage is a verbatim slice of the cleaned article it cites. */
function expectVerbatim(engine: RetrievalEngine, answer: Answer) {
  for (const r of answer.results) {
    const article = engine.article(r.article.id)!;
    const excerpts = r.excerpts ?? [r.quote];
    expect(excerpts.join(EXCERPT_GAP)).toBe(r.quote);
    expect(article.text.slice(r.quoteStart, r.quoteEnd).startsWith(excerpts[0])).toBe(true);
    expect(article.text.slice(r.quoteStart, r.quoteEnd).endsWith(excerpts.at(-1)!)).toBe(true);
    expect(article.text).toContain(r.passage);
    for (const excerpt of excerpts) expect(r.passage).toContain(excerpt);
  }
}

describe('retrieval engine on the seed corpus, lexical-only', () => {
  let engine: RetrievalEngine;
  let corpusDir: string;
  let indexDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    corpusDir = await copySeedCorpus();
    indexDir = await tempDir('trichdan-index-');
    const modelsDir = await tempDir('trichdan-models-');
    engine = await createEngine(testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: indexDir, TRICHDAN_MODELS_DIR: modelsDir }), {
      log: (l) => logs.push(l),
      progress: false,
    });
  });

  it('says once, at start-up, that retrieval is lexical-only and why', () => {
    expect(engine.status().retrieval).toBe('lexical');
    expect(logs.filter((l) => l.startsWith('lexical-only retrieval:'))).toHaveLength(1);
    expect(engine.index.manifest.dense).toBeNull();
    expect(engine.index.manifest.denseProblem).toMatch(/not found/);
  });

  it('answers a Vietnamese question with the right article and a verbatim quote', async () => {
    const answer = await engine.ask('Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?');
    expect(answer.answered).toBe(true);
    expect(answer.results[0].article.id).toMatch(/^002_/);
    expect(answer.results[0].quote).toContain('994 hòm');
    expectVerbatim(engine, answer);
  });

  it('never quotes a sentence twice in one answer, though passages overlap at their boundaries', async () => {
    for (const question of ['Mỹ cam kết gì về dự án xử lý dioxin ở Biên Hòa?', 'Mỹ hỗ trợ Việt Nam khắc phục hậu quả chiến tranh như thế nào?', 'Đại tướng Phan Văn Giang đề nghị gì?']) {
      const answer = await engine.ask(question, { topK: 5 });
      expectVerbatim(engine, answer);
      const seen: { article: string; start: number; end: number }[] = [];
      for (const r of answer.results) {
        const text = engine.article(r.article.id)!.text;
        let from = r.quoteStart;
        for (const excerpt of r.excerpts ?? [r.quote]) {
          const start = text.indexOf(excerpt, from);
          const end = start + excerpt.length;
          const twice = seen.find((q) => q.article === r.article.id && q.start < end && start < q.end);
          expect(twice, `"${question}": ${excerpt.slice(0, 60)}… quoted again`).toBeUndefined();
          seen.push({ article: r.article.id, start, end });
          from = end;
        }
      }
    }
  });

  it('answers the same question typed without diacritics', async () => {
    const answer = await engine.ask('viet nam trao tra cho my bao nhieu hom hai cot');
    expect(answer.results[0].article.id).toMatch(/^002_/);
    expect(answer.results[0].quote).toContain('994 hòm');
  });

  it('treats old and new tone-mark placement alike', async () => {
    const a = await engine.ask('Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu khoa học');
    const b = await engine.ask('Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu khoa hoc');
    expect(a.results[0].article.id).toMatch(/^004_/);
    expect(b.results[0].article.id).toBe(a.results[0].article.id);
  });

  it('cites title, date, source and link', async () => {
    const answer = await engine.ask('Elbridge Colby cam kết hỗ trợ Việt Nam điều gì?');
    const top = answer.results[0];
    expect(top.article.id).toMatch(/^001_/);
    expect(top.article.title).toBe('Lãnh đạo Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ gặp gỡ tại Washington');
    expect(top.article.source).toBe('Tiền Phong');
    expect(top.article.url).toMatch(/^https:\/\/tienphong\.vn\//);
  });

  it('abstains when the corpus does not hold the answer', async () => {
    for (const q of ['Giá vàng SJC hôm nay là bao nhiêu?', 'Công thức nấu phở bò ngon nhất?', 'gia xang dau tuan nay tang hay giam']) {
      const answer = await engine.ask(q);
      expect(answer.answered, q).toBe(false);
      expect(answer.results).toEqual([]);
    }
  });

  it('never repeats a quote within one answer', async () => {
    const answer = await engine.ask('hợp tác khắc phục hậu quả chiến tranh', { topK: 10 });
    const quotes = answer.results.map((r) => r.quote);
    expect(new Set(quotes).size).toBe(quotes.length);
    expectVerbatim(engine, answer);
  });

  it('pages results with offset', async () => {
    const first = await engine.ask('hợp tác quốc phòng Việt Nam Mỹ', { topK: 2 });
    const next = await engine.ask('hợp tác quốc phòng Việt Nam Mỹ', { topK: 2, offset: 2 });
    expect(first.results).toHaveLength(2);
    for (const r of next.results) expect(first.results.map((x) => x.quote)).not.toContain(r.quote);
  });

  it('restricts answers to given articles (digest topics)', async () => {
    const answer = await engine.ask('dioxin Biên Hòa', { articleIds: ['000_8c719049391b1fc0'] });
    expect(answer.results.every((r) => r.article.id === '000_8c719049391b1fc0')).toBe(true);
  });

  it('reads a question with zero-width or bidi characters inside a word as if they were not there (issue 12)', async () => {
    const plain = await engine.ask('Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?');
    for (const hidden of ['\u200b', '\u200e', '\u202e', '\u2066']) {
      const answer = await engine.ask(`Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dio${hidden}xin ở Bi${hidden}ên Hòa?`);
      expect(answer.results.map((r) => r.chunkId)).toEqual(plain.results.map((r) => r.chunkId));
      expect(answer.results[0].score).toBeCloseTo(plain.results[0].score, 10);
    }
    expect((await engine.ask('\u200b\u200e\u2066')).inputProblem).toBe('empty');
  });

  it('gives a clear input problem for empty, huge, or word-less questions instead of searching', async () => {
    expect((await engine.ask('')).inputProblem).toBe('empty');
    expect((await engine.ask('   \n\t ')).inputProblem).toBe('empty');
    expect((await engine.ask('Biên Hòa '.repeat(1250))).inputProblem).toBe('too_long');
    expect((await engine.ask('🤔🤔🤔 ??? !!!')).inputProblem).toBe('no_words');
    const html = await engine.ask('Dự án *dioxin* <Biên Hòa> & `130 triệu USD`?');
    expect(html.inputProblem).toBeUndefined();
    expect(html.answered).toBe(true);
  });

  it('lists articles newest first', () => {
    const dates = engine.articles().map((a) => a.date);
    expect(dates[0]).toBe('2025-11-03');
    expect(engine.articles()).toHaveLength(5);
  });

  it('reopens the persisted index without rebuilding and gives the same answers', async () => {
    const before = await engine.ask('Triển lãm Quốc phòng quốc tế Việt Nam lần thứ 3 tổ chức khi nào?');
    const logs2: string[] = [];
    const again = await createEngine(testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: indexDir, TRICHDAN_MODELS_DIR: indexDir }), {
      log: (l) => logs2.push(l),
      progress: false,
    });
    expect(again.index.actions).toEqual([]);
    expect(await again.ask(before.question)).toEqual(before);
  });
});

describe('index manifest: a change updates, a mismatch rebuilds, with a message', () => {
  it('updates a changed article in place; rebuilds when the chunking changes or a file of the index is damaged', async () => {
    const corpusDir = await copySeedCorpus();
    const indexDir = await tempDir('trichdan-index-');
    const env = { TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: indexDir };
    const open = (over: Record<string, string> = {}) => createEngine(testConfig({ ...env, ...over }), { log: () => {}, progress: false });

    expect((await open()).index.actions).toEqual(['index built (5 articles, 19 passages)']);
    expect((await open()).index.actions).toEqual([]);

    await appendFile(path.join(corpusDir, '003_576ff9567dded38c.txt'), '\n\nTàu ngầm Kilo mới được bàn giao tại Cam Ranh.\n');
    const changed = await open();
    expect(changed.index.actions).toEqual(['index updated: 1 changed']);
    const answer = await changed.ask('tàu ngầm Kilo bàn giao ở đâu');
    expect(answer.results[0].quote).toContain('Cam Ranh');
    expect(changed.articles()).toHaveLength(5);

    expect((await open({ TRICHDAN_CHUNK_CHARS: '800' })).index.actions[0]).toMatch(/^index rebuilt: the chunking settings changed \(5 articles/);

    const manifest = JSON.parse(await readFile(path.join(indexDir, 'manifest.json'), 'utf8'));
    await writeFile(path.join(indexDir, `${manifest.segments[0].name}.lex`), 'broken');
    expect((await open({ TRICHDAN_CHUNK_CHARS: '800' })).index.actions[0]).toMatch(
      /^index rebuilt: a file of the index is missing or damaged \(seg-\d+\.lex is damaged \(checksum mismatch\)\)/,
    );
    expect((await open({ TRICHDAN_CHUNK_CHARS: '800' })).index.actions).toEqual([]);
  });

  it('writes a manifest that records model, chunking, segments and their checksums', async () => {
    const indexDir = await tempDir('trichdan-index-');
    const corpusDir = await copySeedCorpus();
    await createEngine(testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: indexDir }), { log: () => {}, progress: false });
    const manifest = JSON.parse(await readFile(path.join(indexDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ formatVersion: INDEX_FORMAT_VERSION, articleCount: 5, chunkCount: 19, chunking: { maxChars: 1600, overlapSentences: 1 }, dense: null });
    expect(manifest.segments).toHaveLength(1);
    expect(manifest.segments[0].postingsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.segments[0].textSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('a corpus with bad files', () => {
  it('skips empty, binary and non-UTF-8 files with a warning and still answers', async () => {
    const corpusDir = await copySeedCorpus();
    await writeFile(path.join(corpusDir, 'empty.txt'), '   \n');
    await writeFile(path.join(corpusDir, 'binary.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 2, 3]));
    await writeFile(path.join(corpusDir, 'latin1.txt'), Buffer.from('Bi\xean H\xf2a', 'latin1'));
    const logs: string[] = [];
    const engine = await createEngine(testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: await tempDir() }), {
      log: (l) => logs.push(l),
      progress: false,
    });
    expect(logs.filter((l) => l.startsWith('warning: skipped'))).toHaveLength(3);
    expect(engine.articles()).toHaveLength(5);
    expect((await engine.ask('hòm hài cốt trao trả')).answered).toBe(true);
  });
});

describe('a touched but unchanged corpus file', () => {
  it('is read once after the touch, then never again', async () => {
    const corpusDir = await copySeedCorpus();
    const indexDir = await tempDir('trichdan-index-');
    const open = () => createEngine(testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: indexDir }), { log: () => {}, progress: false });
    await open();
    const file = path.join(corpusDir, '002_8639caca932e6f8c.txt');
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);
    const manifestFile = path.join(indexDir, 'manifest.json');
    const before = JSON.parse(await readFile(manifestFile, 'utf8'));
    const touched = await open();
    expect(touched.index.actions).toEqual([]);
    const after = JSON.parse(await readFile(manifestFile, 'utf8'));
    expect(after.touched['002_8639caca932e6f8c']).toEqual([(await stat(file)).size, (await stat(file)).mtimeMs]);
    expect(after.segments).toEqual(before.segments);
    expect(after.updatedAt).toBe(before.updatedAt);
    // The next start finds nothing to read: the manifest is not written again.
    const { mtimeMs } = await stat(manifestFile);
    await open();
    expect((await stat(manifestFile)).mtimeMs).toBe(mtimeMs);
  });
});

describe('a corpus folder moved together with its index', () => {
  it('is not read again, and temporary files left by a dead write are cleaned up', async () => {
    const corpusDir = await copySeedCorpus();
    const indexDir = await tempDir('trichdan-index-');
    await createEngine(testConfig({ TRICHDAN_CORPUS_DIR: corpusDir, TRICHDAN_INDEX_DIR: indexDir }), { log: () => {}, progress: false });
    const moved = await tempDir('trichdan-moved-');
    await cp(corpusDir, path.join(moved, 'corpus'), { recursive: true, preserveTimestamps: true });
    await cp(indexDir, path.join(moved, 'index'), { recursive: true, preserveTimestamps: true });
    const leftover = path.join(moved, 'corpus', '.2025-01-01_x_00000000.md.4242.0badcafe.tmp');
    await writeFile(leftover, 'half an article');
    const engine = await createEngine(testConfig({ TRICHDAN_CORPUS_DIR: path.join(moved, 'corpus'), TRICHDAN_INDEX_DIR: path.join(moved, 'index') }), {
      log: () => {},
      progress: false,
    });
    expect(engine.index.actions).toEqual([]);
    expect(engine.articles()).toHaveLength(5);
    await expect(stat(leftover)).rejects.toThrow();
  });
});

describe('a forced rebuild', () => {
  it('keeps when each article was first added', async () => {
    const env = { TRICHDAN_CORPUS_DIR: await copySeedCorpus(), TRICHDAN_INDEX_DIR: await tempDir('trichdan-index-') };
    const first = await createEngine(testConfig(env), { log: () => {}, progress: false });
    const before = first.index.articles.map((a) => [a.id, a.addedAt]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rebuilt = await createEngine(testConfig(env), { log: () => {}, progress: false, forceRebuild: true });
    expect(rebuilt.index.actions[0]).toMatch(/^index rebuilt: a rebuild was asked for/);
    expect(rebuilt.index.articles.map((a) => [a.id, a.addedAt])).toEqual(before);
  });
});
