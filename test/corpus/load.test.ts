import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../src/corpus/article.ts';
import { CorpusError, decodeArticleBytes, firstInvalidUtf8, sortNewestFirst } from '../../src/corpus/load.ts';
import { loadCorpus } from '../../src/corpus/scan.ts';

const GOOD = 'Tiêu đề bài viết\n\nĐại tướng Phan Văn Giang hội đàm với Bộ trưởng Quốc phòng.\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trichdan-corpus-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const put = (name: string, content: string | Uint8Array) => writeFileSync(join(dir, name), content);
const reasonFor = (skipped: { path: string; reason: string }[], name: string) => skipped.find((s) => s.path === join(dir, name))?.reason;

describe('loadCorpus', () => {
  it('reads .txt and .md sorted by name; ignores other extensions, dot-files and subdirectories', async () => {
    put('b.md', '# Bài B\n\nNội dung bài B.\n');
    put('a.txt', GOOD);
    put('notes.json', '{}');
    put('.hidden.txt', GOOD);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'c.txt'), GOOD);
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => a.id)).toEqual(['a', 'b']);
    expect(skipped).toEqual([]);
    const a = articles[0];
    expect(a).toMatchObject({ id: 'a', path: join(dir, 'a.txt'), title: 'Tiêu đề bài viết', date: null, source: null, url: null });
    expect(a.text).toBe('Đại tướng Phan Văn Giang hội đàm với Bộ trưởng Quốc phòng.');
    expect(a.contentHash).toBe(createHash('sha256').update(GOOD).digest('hex'));
    expect(articles[1].title).toBe('Bài B');
  });

  it('does not follow a symbolic link (it could point at any file on the machine)', async () => {
    put('real.txt', GOOD);
    symlinkSync(join(dir, 'real.txt'), join(dir, 'link.txt'));
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => a.id)).toEqual(['real']);
    expect(skipped).toEqual([{ path: join(dir, 'link.txt'), reason: expect.stringMatching(/symbolic link, not followed/) }]);
  });

  it('skips bad files with a reason and keeps the good ones', async () => {
    put('01-good.txt', GOOD);
    put('02-empty.txt', '');
    put('03-blank.txt', ' \n\t\r\n  \n');
    put('04-binary.txt', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    put('05-latin1.txt', Buffer.from('Tiêu đề\n\nCà phê Việt\n', 'latin1'));
    put('06-controls.txt', Uint8Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41)));
    put('07-utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Tiêu đề\n\nNội dung.\n', 'utf16le')]));
    put('08-boilerplate.txt', 'In bài viết\n\nẢnh: Nguyễn Minh\n\nChia sẻ\n');
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => a.id)).toEqual(['01-good']);
    expect(skipped).toHaveLength(7);
    expect(reasonFor(skipped, '02-empty.txt')).toMatch(/empty/);
    expect(reasonFor(skipped, '03-blank.txt')).toMatch(/empty/);
    expect(reasonFor(skipped, '04-binary.txt')).toMatch(/binary/);
    expect(reasonFor(skipped, '05-latin1.txt')).toMatch(/not valid UTF-8 .*offset 2\b/);
    expect(reasonFor(skipped, '06-controls.txt')).toMatch(/binary .*control/);
    expect(reasonFor(skipped, '07-utf16.txt')).toMatch(/UTF-16/);
    expect(reasonFor(skipped, '08-boilerplate.txt')).toMatch(/no article text/);
  });

  it('strips a BOM and normalises CRLF; the hash is of the raw bytes', async () => {
    const bytes = Buffer.from('\uFEFFTiêu đề\r\n\r\nĐoạn một.\r\n\r\nĐoạn hai.\r\n', 'utf8');
    put('bom.txt', bytes);
    const { articles } = await loadCorpus(dir);
    expect(articles[0].title).toBe('Tiêu đề');
    expect(articles[0].text).toBe('Đoạn một.\n\nĐoạn hai.');
    expect(articles[0].contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('normalises decomposed (NFD) files to NFC', async () => {
    put('nfd.txt', 'Biên Hòa\n\nSân bay Biên Hòa có dioxin.\n'.normalize('NFD'));
    const { articles } = await loadCorpus(dir);
    expect(articles[0].title).toBe('Biên Hòa'.normalize('NFC'));
    expect(articles[0].text).toBe('Sân bay Biên Hòa có dioxin.'.normalize('NFC'));
  });

  it('keeps the first of two files with the same id', async () => {
    put('x.md', GOOD);
    put('x.txt', GOOD);
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => a.path)).toEqual([join(dir, 'x.md')]);
    expect(skipped[0].reason).toMatch(/same article id "x"/);
  });

  // Root reads every file whatever its mode, so this can only be shown as another user.
  it.skipIf(process.getuid?.() === 0)('skips an unreadable file instead of failing', async () => {
    put('a.txt', GOOD);
    put('b.txt', GOOD);
    chmodSync(join(dir, 'b.txt'), 0o000);
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles).toHaveLength(1);
    expect(skipped[0].reason).toMatch(/cannot be read/);
  });

  it('throws a CorpusError for a missing directory, a file, or a directory without articles', async () => {
    await expect(loadCorpus(join(dir, 'nope'))).rejects.toThrow(CorpusError);
    await expect(loadCorpus(join(dir, 'nope'))).rejects.toThrow(/Corpus directory .*nope does not exist/);
    put('file.txt', GOOD);
    await expect(loadCorpus(join(dir, 'file.txt'))).rejects.toThrow(/is not a directory/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'readme.pdf'), 'x');
    await expect(loadCorpus(empty)).rejects.toThrow(/has no \.txt or \.md articles/);
  });
});

describe('decodeArticleBytes', () => {
  it('finds the first bad UTF-8 byte', () => {
    expect(firstInvalidUtf8(Buffer.from('Việt Nam'))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xe9, 0x41]))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xe1, 0xba]))).toBe(1); // truncated sequence
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(decodeArticleBytes(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ text: 'A' });
  });
});

describe('sortNewestFirst', () => {
  it('orders by date descending, undated last, then by id', () => {
    const a = (id: string, date: string | null) => ({ id, date }) as Pick<Article, 'id' | 'date'>;
    const sorted = sortNewestFirst([a('e', null), a('b', '2025-02'), a('a', null), a('c', '2025-11-03'), a('d', '2025-02-15'), a('f', '2025-11-03')]);
    expect(sorted.map((x) => x.id)).toEqual(['c', 'f', 'd', 'b', 'a', 'e']);
  });
});
