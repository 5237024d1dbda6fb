import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkArticle } from '../../src/index/chunk.ts';
import type { Chunk } from '../../src/index/chunk-types.ts';
import { splitSentences } from '../../src/text/sentences.ts';

const sentenceTexts = (text: string, chunk: Chunk) => chunk.sentences.map((s) => text.slice(s.start, s.end));

describe('chunkArticle: packing', () => {
  const text = 'Câu một ngắn. Câu hai ngắn. Câu ba ngắn. Câu bốn ngắn.';

  it('packs consecutive sentences up to maxChars', () => {
    const chunks = chunkArticle('a', text, { maxChars: 27, overlapSentences: 0 });
    expect(chunks.map((c) => c.text)).toEqual(['Câu một ngắn. Câu hai ngắn.', 'Câu ba ngắn. Câu bốn ngắn.']);
    expect(chunks.map((c) => c.id)).toEqual(['a#0', 'a#1']);
    expect(chunks.every((c) => c.articleId === 'a')).toBe(true);
  });

  it('a whole short article is one chunk', () => {
    const chunks = chunkArticle('a', text, { maxChars: 600, overlapSentences: 1 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ id: 'a#0', start: 0, end: text.length, text });
    expect(chunks[0].sentences).toHaveLength(4);
  });

  it('keeps a sentence longer than maxChars whole, in a chunk of its own', () => {
    const long = 'Đây là một câu rất dài ' + 'và còn dài nữa '.repeat(20) + 'cho đến hết.';
    const t = `Mở đầu. ${long} Kết thúc.`;
    const chunks = chunkArticle('x', t, { maxChars: 50, overlapSentences: 1 });
    expect(chunks.map((c) => c.text)).toEqual(['Mở đầu.', long, 'Kết thúc.']);
  });

  it('may cross a paragraph break, keeping it in the chunk text', () => {
    const t = 'Tiêu đề\n\nĐoạn một có câu.\n\nĐoạn hai.';
    const [chunk] = chunkArticle('p', t, { maxChars: 600, overlapSentences: 0 });
    expect(chunk.text).toBe(t);
    expect(sentenceTexts(t, chunk)).toEqual(['Tiêu đề', 'Đoạn một có câu.', 'Đoạn hai.']);
  });

  it('yields no chunk for empty or blank text', () => {
    expect(chunkArticle('e', '', { maxChars: 600, overlapSentences: 1 })).toEqual([]);
    expect(chunkArticle('e', ' \n\n ', { maxChars: 600, overlapSentences: 1 })).toEqual([]);
  });

  it('rejects nonsense options with a message naming the setting', () => {
    expect(() => chunkArticle('a', text, { maxChars: 0, overlapSentences: 0 })).toThrow(/TRICHDAN_CHUNK_CHARS/);
    expect(() => chunkArticle('a', text, { maxChars: 100, overlapSentences: -1 })).toThrow(/TRICHDAN_CHUNK_OVERLAP/);
  });
});

describe('chunkArticle: overlap', () => {
  const text = 'Một một. Hai hai. Ba ba. Bốn bốn. Năm năm.';

  it('repeats the trailing sentences of a chunk at the start of the next', () => {
    const chunks = chunkArticle('o', text, { maxChars: 26, overlapSentences: 1 });
    expect(chunks.map((c) => c.text)).toEqual(['Một một. Hai hai. Ba ba.', 'Ba ba. Bốn bốn. Năm năm.']);
  });

  it('never makes a chunk that is only overlap', () => {
    for (let maxChars = 1; maxChars <= text.length + 1; maxChars++) {
      for (const overlapSentences of [0, 1, 2, 5]) {
        const chunks = chunkArticle('o', text, { maxChars, overlapSentences });
        let covered = -1;
        for (const c of chunks) {
          expect(c.end).toBeGreaterThan(covered);
          covered = c.end;
        }
        expect(covered).toBe(text.length);
      }
    }
  });

  it('drops overlap that would push the next sentence past maxChars', () => {
    const chunks = chunkArticle('o', 'Một một. Hai hai hai hai hai hai.', { maxChars: 25, overlapSentences: 1 });
    expect(chunks.map((c) => c.text)).toEqual(['Một một.', 'Hai hai hai hai hai hai.']);
  });

  it('with more overlap than fits, keeps as many trailing sentences as fit', () => {
    const chunks = chunkArticle('o', text, { maxChars: 17, overlapSentences: 3 });
    expect(chunks.map((c) => c.text)).toEqual([
      'Một một. Hai hai.',
      'Hai hai. Ba ba.',
      'Ba ba. Bốn bốn.',
      'Bốn bốn. Năm năm.',
    ]);
  });
});

describe('chunkArticle: every seed article', () => {
  const dir = join(import.meta.dirname, '../../corpus');
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
  const settings = [
    { maxChars: 600, overlapSentences: 1 },
    { maxChars: 200, overlapSentences: 0 },
    { maxChars: 1000, overlapSentences: 2 },
    { maxChars: 100, overlapSentences: 3 },
  ];

  for (const file of files) {
    const id = file.replace(/\.txt$/, '');
    const text = readFileSync(join(dir, file), 'utf8');

    it.each(settings)(`${id}: offsets point at the right text (%o)`, (options) => {
      const chunks = chunkArticle(id, text, options);
      const allSentences = splitSentences(text);
      expect(chunks.length).toBeGreaterThan(0);
      const seen = new Set<number>();
      chunks.forEach((c, n) => {
        expect(c.id).toBe(`${id}#${n}`);
        expect(c.articleId).toBe(id);
        expect(text.slice(c.start, c.end)).toBe(c.text);
        expect(c.text).toBe(c.text.trim());
        expect(c.sentences[0].start).toBe(c.start);
        expect(c.sentences[c.sentences.length - 1].end).toBe(c.end);
        for (const s of c.sentences) {
          expect(s.start).toBeGreaterThanOrEqual(c.start);
          expect(s.end).toBeLessThanOrEqual(c.end);
          seen.add(s.start);
        }
        // Within maxChars unless it is a single over-long sentence.
        if (c.text.length > options.maxChars) expect(c.sentences).toHaveLength(1);
        if (n > 0) expect(c.start).toBeGreaterThan(chunks[n - 1].start);
      });
      // Every sentence of the article is in some chunk.
      expect(seen.size).toBe(allSentences.length);
    });
  }

  it('a known quote is found inside a chunk of its article', () => {
    const text = readFileSync(join(dir, '002_8639caca932e6f8c.txt'), 'utf8');
    const quote = 'công bố khoản hỗ trợ mới trị giá 130 triệu USD dành cho Dự án xử lý ô nhiễm dioxin tại khu vực sân bay Biên Hòa.';
    const chunks = chunkArticle('002', text, { maxChars: 600, overlapSentences: 1 });
    const hit = chunks.find((c) => c.text.includes(quote));
    expect(hit).toBeDefined();
    const at = text.indexOf(quote);
    expect(at).toBeGreaterThanOrEqual(hit!.start);
    expect(at + quote.length).toBeLessThanOrEqual(hit!.end);
  });
});
