/**
 * The live library in-process, on a temp copy of the seed corpus, with real fetches from a
 * 127.0.0.1 web server and the real index on disk (no mocks): adding pages and files, duplicates,
 * updates, removals, hand edits picked up by refresh, questions during a swap, a restart that
 * reads the index as it is; and bad input refused with a clear IngestError and nothing half-added.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/answer/types.ts';
import type { Config } from '../../src/config.ts';
import { IngestError } from '../../src/ingest/types.ts';
import { connectFeeds } from '../../src/library/feeds.ts';
import { CorpusLibrary } from '../../src/library/library.ts';
import { copySeedCorpus, tempDir, testConfig } from '../helpers/engine.ts';
import { startWebServer, type WebServer } from '../helpers/web-server.ts';
import { rssFeed, startFeedServer, type FeedServer } from '../ingest/helpers/feed-server.ts';
import { articleMarkdown, articlePage, generatedArticle, libraryState, type TestArticle } from './helpers/articles.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, 'web', name));

const VNEXPRESS = {
  path: '/fixtures/vnexpress-dien-tap-cuu-ho.html',
  title: 'Việt Nam, Philippines lần đầu diễn tập cứu hộ chung trên biển',
  date: '2025-11-12',
  source: 'VnExpress',
  canonical: 'https://vnexpress.net/viet-nam-philippines-lan-dau-dien-tap-cuu-ho-chung-tren-bien-4981234.html',
  question: 'Hai tàu cảnh sát biển của Việt Nam và Philippines cứu bao nhiêu thuyền viên gặp nạn?',
  quote: '23 thuyền viên',
};
const TIENPHONG = {
  path: '/fixtures/tienphong-ra-pha-bom-min.html',
  canonical: 'https://tienphong.vn/ra-pha-1200-ha-dat-nhiem-bom-min-o-quang-tri-truoc-mua-mua-post1790123.tpo',
  question: 'Tốc độ rà phá bom mìn trên mỗi ha giảm từ 18 ngày xuống còn bao nhiêu ngày?',
  quote: 'còn 11 ngày',
};
const TUOITRE = {
  path: '/fixtures/tuoitre-tau-huan-luyen-indonesia.html',
  canonical: 'https://tuoitre.vn/tau-huan-luyen-hai-quan-indonesia-cap-cang-nha-rong-20251114014012345.htm',
  question: 'Tàu KRI Bima Suci dài bao nhiêu mét?',
  quote: '111 m',
};
const QDND = {
  path: '/fixtures/qdnd-nha-tinh-nghia-ha-giang.html',
  question: 'Bộ đội Biên phòng Hà Giang bàn giao bao nhiêu căn nhà tình nghĩa?',
  quote: '30 căn nhà tình nghĩa',
};

const quiet = { log: () => {}, progress: false } as const;

interface Setup {
  config: Config;
  corpusDir: string;
  indexDir: string;
  library: CorpusLibrary;
}

async function openLibrary(over: Record<string, string> = {}): Promise<Setup> {
  const corpusDir = await copySeedCorpus();
  const indexDir = await tempDir('trichdan-index-');
  const config = testConfig({
    TRICHDAN_CORPUS_DIR: corpusDir,
    TRICHDAN_INDEX_DIR: indexDir,
    TRICHDAN_MODELS_DIR: await tempDir('trichdan-models-'),
    TRICHDAN_DB: path.join(indexDir, '..', `${path.basename(indexDir)}.sqlite`),
    TRICHDAN_ALLOW_PRIVATE_URLS: 'true',
    TRICHDAN_FETCH_TIMEOUT_MS: '1000',
    ...over,
  });
  return { config, corpusDir, indexDir, library: await CorpusLibrary.open(config, quiet) };
}

/** The failure of `promise`, which must be an IngestError. */
async function ingestFailure(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected an IngestError').toBeInstanceOf(IngestError);
  return error as IngestError;
}

/** Every article id any result of `answer` cites. */
const citedIds = (answer: Answer) => answer.results.map((r) => r.article.id);

/** The results quote only text that is in the article's file as it is on disk now. */
async function expectQuotesOnDisk(answer: Answer, corpusDir: string) {
  const names = await readdir(corpusDir);
  for (const r of answer.results) {
    const name = names.find((n) => n === `${r.article.id}.md` || n === `${r.article.id}.txt`);
    expect(name, `cited ${r.article.id} has no file in the corpus`).toBeDefined();
    const raw = (await readFile(path.join(corpusDir, name!), 'utf8')).normalize('NFC');
    // Quotes are verbatim sentences of the cleaned text; a sentence never spans a paragraph break.
    expect(raw.replace(/\s+/gu, ' ')).toContain(r.quote.replace(/\s+/gu, ' '));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: WebServer;
beforeAll(async () => {
  server = await startWebServer();
});
afterAll(() => server.close());

describe('CorpusLibrary: adding, updating and removing articles', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await openLibrary();
  });

  it('adds a web page: written as .md with front matter, then cited with its title, date, source and canonical link', async () => {
    expect(s.library.current.actions).toEqual(['index built (5 articles, ' + s.library.current.chunkCount + ' passages)']);
    const outcome = await s.library.addUrl(server.url(VNEXPRESS.path));
    expect(outcome.status).toBe('added');
    expect(outcome.article).toMatchObject({ title: VNEXPRESS.title, date: VNEXPRESS.date, source: VNEXPRESS.source, url: VNEXPRESS.canonical });
    expect(outcome.article.passages).toBeGreaterThan(0);
    const { id } = outcome.article;
    expect(id).toMatch(/^2025-11-12_vnexpress-net_[0-9a-f]{8}$/u);

    const file = await readFile(path.join(s.corpusDir, `${id}.md`), 'utf8');
    const [, frontMatter, body] = /^---\n([\s\S]*?)\n---\n\n([\s\S]*)$/u.exec(file) ?? [];
    expect(frontMatter.split('\n')).toEqual([
      `title: "${VNEXPRESS.title}"`,
      `date: "${VNEXPRESS.date}"`,
      `source: "${VNEXPRESS.source}"`,
      `url: "${VNEXPRESS.canonical}"`,
      `fetched_from: "${server.url(VNEXPRESS.path)}"`,
      expect.stringMatching(/^added: "\d{4}-\d\d-\d\dT[\d:.]+Z"$/u),
    ]);
    expect(body).toMatch(/^Hai tàu cảnh sát biển của Việt Nam và Philippines phối hợp cứu 23 thuyền viên/u);
    expect(body).not.toMatch(/Trang chủ|Ảnh: Quang Huy|Tin liên quan/u);
    expect((await readdir(s.corpusDir)).filter((n) => n.startsWith('.'))).toEqual([]);

    const answer = await s.library.engine.ask(VNEXPRESS.question);
    expect(answer.answered).toBe(true);
    expect(answer.results[0].article).toEqual({ id, title: VNEXPRESS.title, date: VNEXPRESS.date, source: VNEXPRESS.source, url: VNEXPRESS.canonical });
    expect(answer.results[0].quote).toContain(VNEXPRESS.quote);
    await expectQuotesOnDisk(answer, s.corpusDir);
    expect(s.library.list().map((a) => a.id)).toContain(id);
    expect(s.library.stats()).toMatchObject({ articles: 6, retrieval: 'lexical', lastIngestAt: s.library.current.manifest.updatedAt });
  });

  it('the same article through tracking parameters, another query string or a redirect is a duplicate: one article, one file', async () => {
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    const [original] = s.library.list().filter((a) => a.url === VNEXPRESS.canonical);
    for (const url of [
      server.url(`${VNEXPRESS.path}?utm_source=facebook&utm_medium=social&fbclid=IwAR0xYz`),
      server.url(`${VNEXPRESS.path}?page=2#binh-luan`),
      server.url(`/redirect-to?url=${encodeURIComponent(VNEXPRESS.path)}`),
    ]) {
      const outcome = await s.library.addUrl(url);
      expect(outcome, url).toEqual({ status: 'duplicate', article: original });
    }
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
  });

  it('the same text under another URL with another canonical is a duplicate of the first', async () => {
    const first = await s.library.addUrl(server.url(QDND.path)); // no canonical in the page: its own URL counts
    expect(first.status).toBe('added');
    expect(first.article.url).toBe(server.url(QDND.path));
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    server.set('/mirror/nha-tinh-nghia.html', { headers: { 'content-type': 'text/html' }, body: fixture('qdnd-nha-tinh-nghia-ha-giang.html') });
    const mirror = await s.library.addUrl(server.url('/mirror/nha-tinh-nghia.html'));
    expect(mirror).toEqual({ status: 'duplicate', article: first.article });
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
    const answer = await s.library.engine.ask(QDND.question);
    expect(citedIds(answer)[0]).toBe(first.article.id);
  });

  it('a page that changed is updated under the same id: the new text is cited, the old text never again, addedAt kept', async () => {
    const v1: TestArticle = {
      title: 'Nhà máy điện gió Hướng Linh 9 hòa lưới điện quốc gia',
      date: '2025-11-18',
      source: 'Báo Năng Lượng',
      paragraphs: [
        'Chiều 18/11, nhà máy điện gió Hướng Linh 9 ở huyện Hướng Hóa, tỉnh Quảng Trị chính thức hòa lưới điện quốc gia sau 20 tháng thi công.',
        'Dự án do Công ty cổ phần Gió Xanh Trường Sơn làm chủ đầu tư với tổng vốn 1.975 tỷ đồng, gồm 12 tua bin trên diện tích 410 ha.',
        'Mỗi năm nhà máy dự kiến cung cấp khoảng 150 triệu kWh điện cho hệ thống, đủ dùng cho chừng 60.000 hộ gia đình.',
      ],
    };
    const v2: TestArticle = {
      ...v1,
      title: 'Nhà máy điện gió Hướng Linh 9 phát điện thương mại',
      paragraphs: [
        'Chiều 18/11, nhà máy điện gió Hướng Linh 9 ở huyện Hướng Hóa, tỉnh Quảng Trị chính thức hòa lưới điện quốc gia sau 20 tháng thi công.',
        'Ngay trong tuần đầu vận hành, nhà máy đã phát lên lưới 2,4 triệu kWh điện, vượt kế hoạch đề ra khoảng 15%.',
        'Mỗi năm nhà máy dự kiến cung cấp khoảng 150 triệu kWh điện cho hệ thống, đủ dùng cho chừng 60.000 hộ gia đình.',
      ],
    };
    const oldFact = 'Ai làm chủ đầu tư nhà máy điện gió Hướng Linh 9 và tổng vốn bao nhiêu tỷ đồng?';
    const url = server.url('/tin/dien-gio-huong-linh-9.html');
    server.set('/tin/dien-gio-huong-linh-9.html', { body: articlePage(v1) });
    const added = await s.library.addUrl(`${url}?utm_campaign=rss`);
    expect(added.status).toBe('added');
    expect(added.article.url).toBe(url);
    const asked = await s.library.engine.ask(oldFact);
    expect(asked.answered).toBe(true);
    expect(asked.results[0]).toMatchObject({ article: { id: added.article.id, title: v1.title } });
    expect(asked.results[0].quote).toContain('1.975 tỷ đồng');

    await sleep(20); // a new addedAt would differ
    server.set('/tin/dien-gio-huong-linh-9.html', { body: articlePage(v2) });
    const updated = await s.library.addUrl(url);
    expect(updated.status).toBe('updated');
    expect(updated.article).toMatchObject({ id: added.article.id, title: v2.title, url, addedAt: added.article.addedAt });
    expect(s.library.list().filter((a) => a.url === url)).toEqual([updated.article]);
    const files = (await readdir(s.corpusDir)).filter((n) => n.startsWith(added.article.id));
    expect(files).toEqual([`${added.article.id}.md`]);
    const file = await readFile(path.join(s.corpusDir, files[0]), 'utf8');
    expect(file).toContain(v2.paragraphs[1]);
    expect(file).not.toContain('Gió Xanh');

    const after = await s.library.engine.ask(oldFact);
    for (const r of after.results) {
      expect(r.quote).not.toMatch(/Gió Xanh|1\.975/u);
      expect(r.passage).not.toMatch(/Gió Xanh|1\.975/u);
    }
    await expectQuotesOnDisk(after, s.corpusDir);
    const fresh = await s.library.engine.ask('Tuần đầu vận hành nhà máy điện gió Hướng Linh 9 phát lên lưới bao nhiêu kWh điện?');
    expect(fresh.results[0]).toMatchObject({ article: { id: added.article.id, title: v2.title } });
    expect(fresh.results[0].quote).toContain('2,4 triệu kWh');

    // The same page once more: nothing new.
    expect((await s.library.addUrl(url)).status).toBe('duplicate');
  });

  it('removes by id and by URL: the file is deleted and the article is never cited again', async () => {
    const tp = await s.library.addUrl(server.url(TIENPHONG.path));
    const tt = await s.library.addUrl(server.url(`${TUOITRE.path}?utm_source=zalo`));
    expect([tp.status, tt.status]).toEqual(['added', 'added']);
    expect(tt.article.url).toBe(TUOITRE.canonical);
    expect(citedIds(await s.library.engine.ask(TIENPHONG.question))[0]).toBe(tp.article.id);
    expect(citedIds(await s.library.engine.ask(TUOITRE.question))[0]).toBe(tt.article.id);
    const count = s.library.list().length;

    const byId = await s.library.remove(tp.article.id);
    expect(byId).toEqual(tp.article);
    // By its URL as people paste it: tracking parameters and a fragment do not matter.
    const byUrl = await s.library.remove(`${TUOITRE.canonical}?utm_source=facebook#comments`);
    expect(byUrl).toEqual(tt.article);

    const names = await readdir(s.corpusDir);
    expect(names.filter((n) => n.startsWith(tp.article.id) || n.startsWith(tt.article.id))).toEqual([]);
    expect(s.library.list()).toHaveLength(count - 2);
    expect(s.library.list().map((a) => a.id)).not.toEqual(expect.arrayContaining([tp.article.id]));
    for (const question of [TIENPHONG.question, TUOITRE.question, 'rà phá bom mìn Quảng Trị', 'tàu huấn luyện Indonesia cảng Nhà Rồng']) {
      const answer = await s.library.engine.ask(question, { topK: 10 });
      expect(citedIds(answer)).not.toContain(tp.article.id);
      expect(citedIds(answer)).not.toContain(tt.article.id);
      await expectQuotesOnDisk(answer, s.corpusDir);
    }
    // A page without canonical is removed by the address it was fetched from.
    const qdndId = s.library.list().find((a) => a.url === server.url(QDND.path))!.id;
    expect((await s.library.remove(server.url(QDND.path)))?.id).toBe(qdndId);
    expect(citedIds(await s.library.engine.ask(QDND.question, { topK: 10 }))).not.toContain(qdndId);

    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    expect(await s.library.remove('nothing')).toBeNull();
    expect(await s.library.remove(tp.article.id)).toBeNull(); // already gone
    expect(await s.library.remove('https://vnexpress.net/khong-co-bai-nay.html')).toBeNull();
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
  });

  it('addPaths copies a file, or the .txt/.md files of a folder, and indexes them; again is unchanged, the same text elsewhere a duplicate', async () => {
    const outside = await tempDir('trichdan-files-');
    const single = generatedArticle(1);
    await writeFile(path.join(outside, 'cau-cb-1.md'), articleMarkdown(single, 'https://bao-thu.vn/cau-cb-1.html'));
    const folder = path.join(outside, 'folder');
    await mkdir(folder);
    for (const n of [2, 3, 4]) await writeFile(path.join(folder, `cau-cb-${n}.md`), articleMarkdown(generatedArticle(n), `https://bao-thu.vn/cau-cb-${n}.html`));
    await writeFile(path.join(folder, 'cau-cb-5.txt'), [generatedArticle(5).title, '', ...generatedArticle(5).paragraphs.map((p) => `${p}\n`)].join('\n'));
    await writeFile(path.join(folder, 'notes.json'), '{"not": "an article"}');

    const one = await s.library.addPaths([path.join(outside, 'cau-cb-1.md')]);
    expect(one).toEqual([{ status: 'added', article: expect.objectContaining({ id: 'cau-cb-1', title: single.title, date: single.date, source: single.source, url: 'https://bao-thu.vn/cau-cb-1.html' }) }]);
    const many = await s.library.addPaths([folder]);
    expect(many.map((o) => [o.status, o.article.id])).toEqual([
      ['added', 'cau-cb-2'],
      ['added', 'cau-cb-3'],
      ['added', 'cau-cb-4'],
      ['added', 'cau-cb-5'],
    ]);
    expect(many[3].article.title).toBe(generatedArticle(5).title);
    const names = await readdir(s.corpusDir);
    expect(names).toEqual(expect.arrayContaining(['cau-cb-1.md', 'cau-cb-2.md', 'cau-cb-3.md', 'cau-cb-4.md', 'cau-cb-5.txt']));
    expect(names).not.toContain('notes.json');
    for (const n of [1, 3, 5]) {
      const answer = await s.library.engine.ask(generatedArticle(n).question);
      expect(answer.results[0]?.article.id, `question of CB-${n}`).toBe(`cau-cb-${n}`);
      expect(answer.results[0].quote).toContain(`${1000 + n} mét`);
    }

    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    expect((await s.library.addPaths([folder])).map((o) => o.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    await writeFile(path.join(outside, 'ban-sao.md'), articleMarkdown(generatedArticle(2), 'https://bao-khac.vn/ban-sao.html'));
    const copy = await s.library.addPaths([path.join(outside, 'ban-sao.md')]);
    expect(copy).toEqual([{ status: 'duplicate', article: expect.objectContaining({ id: 'cau-cb-2' }) }]);
    const after = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    expect(after.corpusFiles).toEqual(before.corpusFiles);
    expect(after.listed).toEqual(before.listed);
  });

  it('addPaths refuses what is not an article with a clear message and adds nothing', async () => {
    const outside = await tempDir('trichdan-files-');
    await writeFile(path.join(outside, 'report.pdf'), '%PDF-1.4');
    await mkdir(path.join(outside, 'empty'));
    await writeFile(path.join(outside, 'empty', 'readme.json'), '{}');
    await writeFile(path.join(outside, 'blank.md'), '---\ntitle: "Trống"\n---\n\n');
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    const cases: [string, IngestError['kind'], RegExp][] = [
      [path.join(outside, 'missing.md'), 'bad_url', /missing\.md: no such file or folder$/u],
      [path.join(outside, 'report.pdf'), 'no_article', /report\.pdf: only \.txt and \.md files are articles$/u],
      [path.join(outside, 'empty'), 'no_article', /empty: the folder has no \.txt or \.md articles$/u],
      [path.join(outside, 'blank.md'), 'no_article', /blank\.md: /u],
    ];
    for (const [target, kind, message] of cases) {
      const error = await ingestFailure(s.library.addPaths([target]));
      expect(error.kind, target).toBe(kind);
      expect(error.message).toMatch(message);
    }
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
  });

  it('addPaths with one bad file among good ones adds none of them', async () => {
    const outside = await tempDir('trichdan-files-');
    await writeFile(path.join(outside, 'cau-cb-20.md'), articleMarkdown(generatedArticle(20), 'https://bao-thu.vn/cau-cb-20.html'));
    await writeFile(path.join(outside, 'cau-cb-21.md'), '---\ntitle: "Bài trống"\n---\n\n');
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    const error = await ingestFailure(s.library.addPaths([path.join(outside, 'cau-cb-20.md'), path.join(outside, 'cau-cb-21.md')]));
    expect(error.kind).toBe('no_article');
    expect(error.message).toMatch(/cau-cb-21\.md: no article text/u);
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
    // And nothing of it shows up at the next change either.
    await s.library.refresh();
    expect(s.library.list().map((a) => a.id)).not.toContain('cau-cb-20');
  });

  it('addPaths of a file whose id is already in the corpus under the other extension updates that article: one file, indexed', async () => {
    const outside = await tempDir('trichdan-files-');
    const replacement = generatedArticle(22);
    await writeFile(path.join(outside, 'cau-cb-5.md'), articleMarkdown(replacement, 'https://bao-thu.vn/cau-cb-5-moi.html'));
    const [outcome] = await s.library.addPaths([path.join(outside, 'cau-cb-5.md')]);
    expect(outcome).toMatchObject({ status: 'updated', article: { id: 'cau-cb-5', title: replacement.title } });
    expect((await readdir(s.corpusDir)).filter((n) => n.startsWith('cau-cb-5.'))).toHaveLength(1);
    expect(citedIds(await s.library.engine.ask(replacement.question))[0]).toBe('cau-cb-5');
    for (const r of (await s.library.engine.ask(generatedArticle(5).question, { topK: 10 })).results) expect(r.passage).not.toContain('CB-5 dài 1005 mét');
    const reopened = await CorpusLibrary.open(s.config, quiet);
    expect(reopened.current.actions).toEqual([]);
  });

  it('refresh() picks up files dropped in, changed and deleted by hand', async () => {
    const dropped = generatedArticle(40);
    await writeFile(path.join(s.corpusDir, 'tha-tay.md'), articleMarkdown(dropped, 'https://bao-thu.vn/tha-tay.html'));
    await appendFile(path.join(s.corpusDir, 'cau-cb-3.md'), '\nĐến cuối năm, xã còn trồng thêm 777 cây sao đen dọc hai đầu cầu CB-3 để tạo bóng mát.\n');
    await rm(path.join(s.corpusDir, 'cau-cb-4.md'));
    const before = s.library.list().find((a) => a.id === 'cau-cb-3')!;

    const report = await s.library.refresh();
    expect(report).toEqual({ added: ['tha-tay'], updated: ['cau-cb-3'], removed: ['cau-cb-4'] });
    expect(s.library.list().find((a) => a.id === 'cau-cb-3')?.addedAt).toBe(before.addedAt);
    expect(citedIds(await s.library.engine.ask(dropped.question))[0]).toBe('tha-tay');
    const trees = await s.library.engine.ask('Xã trồng thêm bao nhiêu cây sao đen ở hai đầu cầu CB-3?');
    expect(trees.results[0]).toMatchObject({ article: { id: 'cau-cb-3' } });
    expect(trees.results[0].quote).toContain('777 cây sao đen');
    expect(citedIds(await s.library.engine.ask(generatedArticle(4).question, { topK: 10 }))).not.toContain('cau-cb-4');
    // Nothing more to do.
    expect(await s.library.refresh()).toEqual({ added: [], updated: [], removed: [] });
  });

  it('a question in flight during a swap finishes, on the snapshot it started with', async () => {
    const oldEngine = s.library.engine.snapshot;
    const asking = Array.from({ length: 8 }, () => s.library.engine.ask(VNEXPRESS.question));
    const adding = s.library.addUrl(server.url('/fixtures/baochinhphu-broken-html.html'));
    const [answers, added] = await Promise.all([Promise.all(asking), adding]);
    for (const answer of answers) expect(answer.results[0].quote).toContain(VNEXPRESS.quote);
    expect(added.status).toBe('added');
    expect(s.library.engine.snapshot).not.toBe(oldEngine);
    // The old engine still answers (from the index it was made on), the new one knows the new article.
    const question = 'Bệnh viện dã chiến cấp 2 mang theo bao nhiêu tấn trang thiết bị y tế?';
    const oldAnswer = await oldEngine.ask(question, { topK: 10 });
    expect(citedIds(oldAnswer)).not.toContain(added.article.id);
    expect(citedIds(await s.library.engine.ask(question))[0]).toBe(added.article.id);
  });

  it('list() gives id, title, date, source, url, addedAt and passages of every article', async () => {
    const list = s.library.list();
    expect(list).toHaveLength(s.library.current.articles.length);
    expect(new Set(list.map((a) => a.id)).size).toBe(list.length);
    for (const a of list) {
      expect(Object.keys(a).sort()).toEqual(['addedAt', 'date', 'id', 'passages', 'source', 'title', 'url']);
      expect(a.title.length).toBeGreaterThan(0);
      expect(a.date === null || /^\d{4}-\d\d(-\d\d)?$/u.test(a.date), `${a.id}: ${a.date}`).toBe(true); // seed articles may give only the month
      expect(new Date(a.addedAt).toISOString()).toBe(a.addedAt);
      expect(Number.isInteger(a.passages) && a.passages >= 1).toBe(true);
    }
    const vne = list.find((a) => a.url === VNEXPRESS.canonical);
    expect(vne).toMatchObject({ title: VNEXPRESS.title, date: VNEXPRESS.date, source: VNEXPRESS.source });
    const seed = list.find((a) => a.id.startsWith('002_'));
    expect(seed).toMatchObject({ title: 'Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ bàn về hợp tác quốc phòng song phương', date: '2025-11-02', source: 'Tiền Phong' });
    // One file per listed article, and one listed article per file.
    const files = (await readdir(s.corpusDir)).filter((n) => /\.(md|txt)$/u.test(n) && !n.startsWith('.'));
    expect(files.map((n) => n.replace(/\.(md|txt)$/u, '')).sort()).toEqual(list.map((a) => a.id).sort());
  });

  it('a fresh open on the same folders reads the index as it is (nothing re-indexed) and answers the same', async () => {
    const questions = [VNEXPRESS.question, TIENPHONG.question, generatedArticle(3).question, 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?', 'Tuần đầu vận hành nhà máy điện gió phát lên lưới bao nhiêu điện?'];
    const answersBefore = await Promise.all(questions.map((q) => s.library.engine.ask(q)));
    const logs: string[] = [];
    const again = await CorpusLibrary.open(s.config, { log: (l) => logs.push(l), progress: false });
    expect(again.current.actions).toEqual([]);
    expect(logs.filter((l) => /index/u.test(l))).toEqual([]);
    expect(again.current.manifest).toEqual(s.library.current.manifest);
    const sortById = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(sortById(again.list())).toEqual(sortById(s.library.list()));
    const answersAfter = await Promise.all(questions.map((q) => again.engine.ask(q)));
    const shape = (a: Answer) => ({ answered: a.answered, results: a.results.map((r) => [r.article, r.quote, r.chunkId]) });
    expect(answersAfter.map(shape)).toEqual(answersBefore.map(shape));
  });
});

describe('CorpusLibrary: bad input is refused with a clear message and nothing half-added', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await openLibrary();
    // One web article already there, for the duplicate case.
    expect((await s.library.addUrl(server.url(VNEXPRESS.path))).status).toBe('added');
    server.set('/bai-khong-co-chu.html', { body: '<html><head><title>Bảo trì</title></head><body><nav><a href="/">Trang chủ</a></nav><p>Trang đang bảo trì.</p></body></html>' });
  });

  const cases: [string, () => string, IngestError['kind'], RegExp][] = [
    ['a 404', () => server.url('/status/404'), 'http_status', /^the server answered 404 Not Found$/u],
    ['a 500', () => server.url('/status/500'), 'http_status', /^the server answered 500 Internal Server Error$/u],
    ['a page that never answers (1 s limit)', () => server.url('/hang'), 'timeout', /^127\.0\.0\.1:\d+ did not send the page within 1 s$/u],
    ['a page whose body never ends', () => server.url('/hang-body'), 'timeout', /did not send the page within 1 s$/u],
    ['a redirect loop', () => server.url('/loop/a'), 'too_many_redirects', /^the page redirects in a loop \(back to http:\/\/127\.0\.0\.1:\d+\/loop\/a\)$/u],
    ['too many redirects', () => server.url('/redirect/9'), 'too_many_redirects', /^the page redirects more than 5 times$/u],
    ['a 50 MB body', () => server.url('/huge'), 'too_large', /^the page is larger than 5 MB$/u],
    ['a 50 MB body with its length declared', () => server.url('/huge-with-length'), 'too_large', /^the page is larger than 5 MB$/u],
    ['a PDF', () => server.url('/pdf'), 'not_html', /^the address gives application\/pdf, not a web page \(HTML\)$/u],
    ['an image', () => server.url('/png'), 'not_html', /^the address gives image\/png, not a web page \(HTML\)$/u],
    ['a category listing', () => server.url('/fixtures/vnexpress-category-quan-su.html'), 'no_article', /^no article text found on the page$/u],
    ['a page with no text', () => server.url('/bai-khong-co-chu.html'), 'no_article', /^no article text found on the page$/u],
    ['a file:// URL', () => 'file:///etc/passwd', 'bad_url', /^only http:\/\/ and https:\/\/ addresses can be fetched, not file:$/u],
    ['an ftp:// URL', () => 'ftp://127.0.0.1/bai-bao.html', 'bad_url', /^only http:\/\/ and https:\/\/ addresses can be fetched, not ftp:$/u],
    ['not a URL', () => 'bài báo hôm nay', 'bad_url', /is not a web address: give one starting with https:\/\//u],
    ['a closed port', () => 'http://127.0.0.1:9/bai.html', 'network', /^127\.0\.0\.1:9 refused the connection$/u],
  ];

  it.each(cases)('%s', async (_name, url, kind, message) => {
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    const started = Date.now();
    const error = await ingestFailure(s.library.addUrl(url()));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/\n|\bat \S+:\d+/u);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
  });

  it('a private address is refused when private addresses are not allowed', async () => {
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    const requests = server.requests.length;
    const strict = await CorpusLibrary.open(testConfig({ TRICHDAN_CORPUS_DIR: s.corpusDir, TRICHDAN_INDEX_DIR: s.indexDir, TRICHDAN_MODELS_DIR: s.config.model.modelsDir, TRICHDAN_ALLOW_PRIVATE_URLS: 'false' }), quiet);
    expect(strict.current.actions).toEqual([]);
    for (const url of [server.url(VNEXPRESS.path), server.url(TIENPHONG.path), `http://localhost:${server.port}${TIENPHONG.path}`, 'http://10.0.0.1/bai.html', 'http://[::1]/bai.html']) {
      const error = await ingestFailure(strict.addUrl(url));
      expect(error.kind, url).toBe('private_address');
      expect(error.message).toMatch(/is a local or private network address, which is not fetched$/u);
    }
    // Refused before any connection is made.
    expect(server.requests.length).toBe(requests);
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
  });

  it('broken HTML that still holds an article is added', async () => {
    const outcome = await s.library.addUrl(server.url('/fixtures/baochinhphu-broken-html.html'));
    expect(outcome.status).toBe('added');
    expect(outcome.article).toMatchObject({ title: 'Việt Nam cử thêm bệnh viện dã chiến cấp 2 tham gia gìn giữ hòa bình tại Nam Sudan', date: '2025-11-17' });
    const answer = await s.library.engine.ask('Việt Nam có bao nhiêu lượt quân nhân đã tham gia các phái bộ gìn giữ hòa bình?');
    expect(answer.results[0]?.article.id).toBe(outcome.article.id);
    expect(answer.results[0].quote).toContain('gần 1.000 lượt quân nhân');
  });

  it('a duplicate article changes nothing', async () => {
    const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
    const outcome = await s.library.addUrl(server.url(`${VNEXPRESS.path}?utm_source=rss`));
    expect(outcome.status).toBe('duplicate');
    expect(outcome.article.url).toBe(VNEXPRESS.canonical);
    expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
  });

  describe('feeds', () => {
    let feeds: FeedServer;
    beforeAll(async () => {
      feeds = await startFeedServer();
    });
    afterAll(() => feeds.close());

    const withFeeds = (urls: string[]): Config => ({ ...s.config, ingest: { ...s.config.ingest, feeds: urls } });

    it('a malformed feed is an error report with a clear message, and nothing is added', async () => {
      feeds.route('/malformed.rss', { body: readFileSync(path.join(FIXTURES, 'feeds', 'malformed.rss'), 'utf8') });
      const before = await libraryState(s.corpusDir, s.indexDir, () => s.library.list());
      const logs: string[] = [];
      const connected = connectFeeds(withFeeds([feeds.url('/malformed.rss')]), s.library, (l) => logs.push(l));
      try {
        const [report] = await connected.poller.pollOnce({ force: true });
        expect(report).toMatchObject({ url: feeds.url('/malformed.rss'), status: 'error', newItems: 0, added: 0, failed: 0 });
        expect(report.error).toBe(`${feeds.url('/malformed.rss')} is not well-formed XML (cut off or broken), so it cannot be read as a feed; check it in a browser or remove it from TRICHDAN_FEEDS.`);
        expect(s.library.stats().feeds).toEqual([expect.objectContaining({ url: feeds.url('/malformed.rss'), lastStatus: 'error', lastError: report.error, itemsAdded: 0 })]);
        expect(logs.join('\n')).toContain('is not well-formed XML');
      } finally {
        await connected.close();
      }
      expect(await libraryState(s.corpusDir, s.indexDir, () => s.library.list())).toEqual(before);
    });

    it('a feed of 5,000 items brings in at most 30 articles, skips the rest, quickly', async () => {
      const total = 5000;
      const items = Array.from({ length: total }, (_, i) => {
        const n = 1000 + i;
        return { guid: `bai-${n}`, link: server.url(`/tin/cau-${n}.html`), title: generatedArticle(n).title, pubDate: new Date(Date.UTC(2025, 10, 18, 12) - i * 60_000).toUTCString() };
      });
      for (let i = 0; i < total; i++) server.set(`/tin/cau-${1000 + i}.html`, { body: articlePage(generatedArticle(1000 + i)) });
      feeds.route('/nhieu.rss', { body: rssFeed(items) });
      const before = s.library.list().length;
      const asked = () => server.requests.filter((r) => r.path.startsWith('/tin/cau-')).length;
      const askedBefore = asked();
      const connected = connectFeeds(withFeeds([feeds.url('/nhieu.rss')]), s.library, () => {});
      const started = Date.now();
      try {
        const [report] = await connected.poller.pollOnce({ force: true });
        const seconds = (Date.now() - started) / 1000;
        expect(report).toMatchObject({ status: 'ok', newItems: total, added: 30, duplicates: 0, failed: 0, skipped: total - 30 });
        expect(asked() - askedBefore).toBe(30);
        expect(seconds).toBeLessThan(20);
        expect(s.library.list().length).toBe(before + 30);
        // The newest 30 (the feed's first items), cited with the feed's link as their URL.
        const newest = await s.library.engine.ask(generatedArticle(1000).question);
        expect(newest.results[0]?.article.url).toBe(server.url('/tin/cau-1000.html'));
        expect(citedIds(await s.library.engine.ask(generatedArticle(1031).question, { topK: 10 })).every((id) => s.library.list().some((a) => a.id === id))).toBe(true);
        expect(s.library.list().some((a) => a.url === server.url('/tin/cau-1030.html'))).toBe(false);
        // A second poll fetches nothing: every item was recorded (added or skipped).
        const [second] = await connected.poller.pollOnce({ force: true });
        expect(second).toMatchObject({ status: 'ok', newItems: 0, added: 0, skipped: 0 });
        expect(asked() - askedBefore).toBe(30);
      } finally {
        await connected.close();
      }
    });
  });
});
