import { mkdir, readdir, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError } from '../../src/corpus/load.ts';
import { articleIdOf, isArticleFileName, readCorpusFile, scanCorpus } from '../../src/corpus/scan.ts';
import { corpusChanges } from '../../src/index/build.ts';
import { emptyIndex } from '../../src/index/update.ts';
import { SEED_CORPUS, copySeedCorpus, tempDir } from '../helpers/engine.ts';

const ARTICLE = 'Cầu Rồng Đà Nẵng phun lửa\n\nTối thứ Bảy, Cầu Rồng phun lửa và phun nước chín lần trước hàng nghìn du khách.\n';
const SYMLINK_REASON = 'symbolic link, not followed: copy the file into the corpus instead';

describe('scanCorpus', () => {
  it('lists the .txt/.md files with their ids, sizes and modification times, in name order, without reading them', async () => {
    const dir = await tempDir('trichdan-scan-');
    await writeFile(path.join(dir, 'b.md'), ARTICLE);
    await writeFile(path.join(dir, 'a.txt'), `${ARTICLE}Thêm một câu.\n`);
    await writeFile(path.join(dir, 'C.TXT'), ARTICLE);
    await writeFile(path.join(dir, '2025-11-02_tienphong-vn_1a2b3c4d.txt'), ARTICLE);
    // Not UTF-8 at all: listing does not read it, so it is listed (reading it is what skips it).
    await writeFile(path.join(dir, 'binary.txt'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]));
    const when = new Date('2024-05-06T07:08:09.000Z');
    await utimes(path.join(dir, 'b.md'), when, when);

    const { files, skipped } = await scanCorpus(dir);
    expect(skipped).toEqual([]);
    expect(files.map((f) => f.id)).toEqual(['2025-11-02_tienphong-vn_1a2b3c4d', 'C', 'a', 'b', 'binary']);
    for (const f of files) {
      const info = await stat(f.path);
      expect(f).toEqual({ id: f.id, path: f.path, size: info.size, mtimeMs: info.mtimeMs });
      expect(path.dirname(f.path)).toBe(dir);
    }
    expect(files.find((f) => f.id === 'b')!.mtimeMs).toBe(when.getTime());
    expect(files.find((f) => f.id === 'a')!.size).toBe(Buffer.byteLength(`${ARTICLE}Thêm một câu.\n`));
  });

  it('ignores dot-files (ingests in progress), other extensions and sub-folders, without a warning', async () => {
    const dir = await tempDir('trichdan-scan-');
    await writeFile(path.join(dir, 'keep.txt'), ARTICLE);
    for (const name of ['.draft.txt', '.keep.txt.1234.abcd.tmp', '.hidden.md', 'notes.json', 'page.html', 'README', 'keep.txt.bak']) {
      await writeFile(path.join(dir, name), ARTICLE);
    }
    await mkdir(path.join(dir, 'folder.txt'));
    await writeFile(path.join(dir, 'folder.txt', 'inner.txt'), ARTICLE);
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'deep.md'), ARTICLE);
    const { files, skipped } = await scanCorpus(dir);
    expect(files.map((f) => f.id)).toEqual(['keep']);
    expect(skipped).toEqual([]);
  });

  it('skips symbolic links with a reason, whether they point at a file inside or outside the folder, a folder, or nothing', async () => {
    const dir = await tempDir('trichdan-scan-');
    const outside = await tempDir('trichdan-outside-');
    await writeFile(path.join(outside, 'secret.txt'), 'Mật khẩu máy chủ\n\nĐây là tệp ngoài kho bài viết, không được trích dẫn.\n');
    await writeFile(path.join(dir, 'real.txt'), ARTICLE);
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'secret.txt'));
    await symlink(path.join(dir, 'real.txt'), path.join(dir, 'alias.md'));
    await symlink(outside, path.join(dir, 'dir-link.txt'));
    await symlink(path.join(outside, 'gone.txt'), path.join(dir, 'broken.txt'));
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, '.hidden-link.txt'));

    const { files, skipped } = await scanCorpus(dir);
    expect(files.map((f) => f.id)).toEqual(['real']);
    expect(skipped).toEqual(
      ['alias.md', 'broken.txt', 'dir-link.txt', 'secret.txt'].map((name) => ({ path: path.join(dir, name), reason: SYMLINK_REASON })),
    );

    // The index never reads through them either: the linked file's words are not indexed, and the link is a warning.
    const index = emptyIndex({
      indexDir: await tempDir('trichdan-index-'),
      chunking: { maxChars: 1600, overlapSentences: 1 },
      embedder: null,
      embedderProblem: 'no model',
      model: { quantized: false, prefixes: false },
      hnsw: { m: 16, efConstruction: 100, efSearch: 100 },
    });
    const { changes, skipped: warned, files: count } = await corpusChanges(index, dir, false);
    expect(count).toBe(1);
    expect(changes.upsert.map((u) => u.article.id)).toEqual(['real']);
    expect(warned.map((s) => path.basename(s.path))).toEqual(['alias.md', 'broken.txt', 'dir-link.txt', 'secret.txt']);
  });

  it('reports an id used by two files (a.txt and a.md) and keeps the first by name', async () => {
    const dir = await tempDir('trichdan-scan-');
    await writeFile(path.join(dir, 'a.txt'), ARTICLE);
    await writeFile(path.join(dir, 'a.md'), ARTICLE);
    await writeFile(path.join(dir, 'b.txt'), ARTICLE);
    await writeFile(path.join(dir, 'b.TXT'), ARTICLE).catch(() => undefined); // a case-insensitive file system has one file
    const { files, skipped } = await scanCorpus(dir);
    const names = await readdir(dir);
    expect(files.map((f) => path.basename(f.path))).toEqual(names.includes('b.TXT') ? ['a.md', 'b.TXT'] : ['a.md', 'b.txt']);
    expect(skipped[0]).toEqual({ path: path.join(dir, 'a.txt'), reason: 'same article id "a" as a.md: rename one of them' });
    expect(skipped.map((s) => path.basename(s.path))).toEqual(names.includes('b.TXT') ? ['a.txt', 'b.txt'] : ['a.txt']);
  });

  it('a symbolic link does not claim an id: the real file with that id is listed', async () => {
    const dir = await tempDir('trichdan-scan-');
    const outside = await tempDir('trichdan-outside-');
    await writeFile(path.join(outside, 'x.txt'), ARTICLE);
    await symlink(path.join(outside, 'x.txt'), path.join(dir, 'a.md'));
    await writeFile(path.join(dir, 'a.txt'), ARTICLE);
    const { files, skipped } = await scanCorpus(dir);
    expect(files.map((f) => path.basename(f.path))).toEqual(['a.txt']);
    expect(skipped).toEqual([{ path: path.join(dir, 'a.md'), reason: SYMLINK_REASON }]);
  });

  it('an empty folder lists nothing; a missing folder or a file is a CorpusError that says what to do', async () => {
    const dir = await tempDir('trichdan-scan-');
    expect(await scanCorpus(dir)).toEqual({ files: [], skipped: [] });
    await expect(scanCorpus(path.join(dir, 'missing'))).rejects.toThrow(CorpusError);
    await expect(scanCorpus(path.join(dir, 'missing'))).rejects.toThrow(/does not exist: create it with your articles, or set TRICHDAN_CORPUS_DIR/);
    await writeFile(path.join(dir, 'file.txt'), ARTICLE);
    await expect(scanCorpus(path.join(dir, 'file.txt'))).rejects.toThrow(/is not a directory/);
  });

  it('lists the seed corpus as its five articles', async () => {
    const { files, skipped } = await scanCorpus(SEED_CORPUS);
    expect(skipped).toEqual([]);
    expect(files).toHaveLength(5);
    expect(files.every((f) => /^00\d_[0-9a-f]{16}$/.test(f.id) && f.size > 1000)).toBe(true);
  });
});

describe('readCorpusFile', () => {
  it('reads and cleans a listed file into an article', async () => {
    const dir = await copySeedCorpus();
    const { files } = await scanCorpus(dir);
    const article = await readCorpusFile(files[2]);
    if ('reason' in article) throw new Error(article.reason);
    expect(article).toMatchObject({ id: files[2].id, path: files[2].path });
    expect(article.title).toMatch(/Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ/);
    expect(article.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says why a file cannot be an article: gone since the listing, empty, not UTF-8', async () => {
    const dir = await tempDir('trichdan-scan-');
    await writeFile(path.join(dir, 'gone.txt'), ARTICLE);
    await writeFile(path.join(dir, 'empty.txt'), '  \n\n ');
    await writeFile(path.join(dir, 'binary.txt'), Buffer.from([0x43, 0xe1, 0xba, 0x41, 0xff, 0xfe]));
    const { files } = await scanCorpus(dir);
    await unlink(path.join(dir, 'gone.txt'));
    const byId = Object.fromEntries(await Promise.all(files.map(async (f) => [f.id, await readCorpusFile(f)] as const)));
    expect(byId.gone).toEqual({ path: path.join(dir, 'gone.txt'), reason: 'cannot be read (ENOENT)' });
    expect(byId.empty).toMatchObject({ path: path.join(dir, 'empty.txt'), reason: expect.stringMatching(/empty/) });
    expect(byId.binary).toMatchObject({ path: path.join(dir, 'binary.txt'), reason: expect.any(String) });
  });
});

describe('article file names', () => {
  it('ids are names without their last extension; only visible .txt/.md files are articles', () => {
    expect(articleIdOf('002_8639caca932e6f8c.txt')).toBe('002_8639caca932e6f8c');
    expect(articleIdOf('a.b.md')).toBe('a.b');
    expect(articleIdOf('Bài viết.TXT')).toBe('Bài viết');
    expect(['a.txt', 'a.md', 'A.MD', 'x.Txt'].every(isArticleFileName)).toBe(true);
    expect(['.a.txt', 'a.txt.tmp', 'a.json', 'a', 'a.markdown', '.txt'].some(isArticleFileName)).toBe(false);
  });
});
