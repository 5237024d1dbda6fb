import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenize, tokenizeNorm } from '../../src/text/tokens.ts';

const surfaces = (text: string) => tokenize(text).map((t) => text.slice(t.start, t.end));

describe('tokenize: syllables and words', () => {
  it('splits Vietnamese text into syllables with norm and folded forms', () => {
    const tokens = tokenize('Biên Hòa, dioxin!');
    expect(tokens).toEqual([
      { norm: 'biên', folded: 'bien', start: 0, end: 4 },
      { norm: 'hòa', folded: 'hoa', start: 5, end: 8 },
      { norm: 'dioxin', folded: 'dioxin', start: 10, end: 16 },
    ]);
  });

  it('a question without diacritics matches the folded tokens of the article text', () => {
    const article = tokenize('xử lý ô nhiễm dioxin tại khu vực sân bay Biên Hòa');
    const articleFolded = new Set(article.map((t) => t.folded));
    const question = tokenize('bien hoa dioxin bao nhieu tien');
    for (const word of ['bien', 'hoa', 'dioxin']) {
      expect(question.map((t) => t.folded)).toContain(word);
      expect(articleFolded.has(word)).toBe(true);
    }
  });

  it('unifies tone placement in norm ("hoà" and "hòa")', () => {
    expect(tokenizeNorm('Hoà bình, thuỷ chung, khoẻ')).toEqual(['hòa', 'bình', 'thủy', 'chung', 'khỏe']);
    expect(tokenizeNorm('hòa bình, thủy chung, khỏe')).toEqual(['hòa', 'bình', 'thủy', 'chung', 'khỏe']);
  });

  it('keeps offsets into the original string, even when it is not NFC', () => {
    const text = 'Đại  tướng\nPhan Văn Giang'.normalize('NFD');
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.norm)).toEqual(['đại', 'tướng', 'phan', 'văn', 'giang']);
    for (const t of tokens) expect(text.slice(t.start, t.end).normalize('NFC').toLowerCase()).toBe(t.norm);
  });
});

describe('tokenize: numbers keep their inner separators', () => {
  it.each([
    ['Tối 7/2, Đại tướng', ['Tối', '7/2', 'Đại', 'tướng']],
    ['ngày 31/10/2025, Thứ trưởng', ['ngày', '31/10/2025', 'Thứ', 'trưởng']],
    ['1.000 người', ['1.000', 'người']],
    ['tăng 3,5%', ['tăng', '3,5']],
    ['trị giá 130 triệu USD.', ['trị', 'giá', '130', 'triệu', 'USD']],
    ['xác minh 44/45 bộ hồ sơ', ['xác', 'minh', '44/45', 'bộ', 'hồ', 'sơ']],
    ['năm 2025.', ['năm', '2025']],
  ])('%s', (text, expected) => {
    expect(surfaces(text)).toEqual(expected);
  });

  it('splits on hyphens and on a period between letters', () => {
    expect(surfaces('(1995-2025)')).toEqual(['1995', '2025']);
    expect(tokenizeNorm('Diễn đàn ARMY-2024')).toEqual(['diễn', 'đàn', 'army', '2024']);
    expect(tokenizeNorm('Elbridge A.Colby')).toEqual(['elbridge', 'a', 'colby']);
    expect(tokenizeNorm('TP.HCM')).toEqual(['tp', 'hcm']);
  });
});

describe('tokenize: no tokens from noise', () => {
  it('emoji, punctuation and whitespace produce nothing', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   \n\t ')).toEqual([]);
    expect(tokenize('😀🇻🇳 ... !!! ??? — “” ()')).toEqual([]);
    expect(tokenizeNorm('<b>Hòa</b> *bình*')).toEqual(['b', 'hòa', 'b', 'bình']);
  });
});

describe('tokenize: every seed article', () => {
  const dir = join(import.meta.dirname, '../../corpus');
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

  it.each(files)('%s: tokens point at their text and are ordered', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const tokens = tokenize(text);
    expect(tokens.length).toBeGreaterThan(100);
    let last = 0;
    for (const t of tokens) {
      expect(t.start).toBeGreaterThanOrEqual(last);
      expect(t.end).toBeGreaterThan(t.start);
      expect(t.norm.normalize('NFC')).toBe(t.norm);
      expect(t.folded).toMatch(/^[a-z0-9.,/]+$/);
      last = t.end;
    }
    expect(tokenizeNorm(text)).toEqual(tokens.map((t) => t.norm));
  });
});

describe('tokenize: matches its reference pattern', () => {
  const reference = /\p{N}+(?:[.,/]\p{N}+)+[\p{L}\p{M}\p{N}]*|[\p{L}\p{M}\p{N}]+/gu;
  const spans = (text: string) => [...text.matchAll(reference)].map((m) => [m.index, m.index + m[0].length]);
  const alphabet = ['a', 'Đ', 'ệ', '\u0301', '7', '٣', '.', ',', '/', '-', ' ', '\n', '😀', '𝐀', '\ud800', '”'];

  it('on random strings of tricky characters (seeded)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 5000; round++) {
      let s = '';
      const len = Math.floor(random() * 20);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      expect(tokenize(s).map((t) => [t.start, t.end]), JSON.stringify(s)).toEqual(spans(s));
    }
  });
});
