import { describe, expect, it } from 'vitest';
import { splitHtml } from '../../src/bot/split.ts';
import { escapeHtml } from '../../src/answer/citation.ts';
import { htmlToText, telegramHtmlProblems } from '../e2e/helpers/telegram-html.ts';

const words = (n: number, seed = 1) => {
  const vocab = ['Biên', 'Hòa', 'dioxin', '&', '<b>', 'x>y', '"trích"', 'quốc', 'phòng', '😀', 'hợp', 'tác.', 'Mỹ;'];
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return vocab[s % vocab.length];
  }).join(' ');
};

const visible = (pieces: string[]) => htmlToText(pieces.join(' ')).replace(/\s+/g, ' ').trim();

describe('splitHtml', () => {
  it('keeps a short message whole', () => {
    expect(splitHtml('<b>a</b>\n\nb')).toEqual(['<b>a</b>\n\nb']);
  });

  it('packs paragraphs into messages and cuts only between them when they fit', () => {
    const paras = Array.from({ length: 30 }, (_, i) => `<blockquote>${escapeHtml(words(40, i + 1))}</blockquote>\n<b>[${i + 1}]</b> nguồn`);
    const pieces = splitHtml(paras.join('\n\n'), 1000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(1000);
      expect(telegramHtmlProblems(piece)).toEqual([]);
      // Every paragraph is whole in exactly one message.
      expect(piece.split('\n\n').every((p) => paras.includes(p))).toBe(true);
    }
    expect(pieces.join('\n\n')).toBe(paras.join('\n\n'));
  });

  it('cuts an over-long quote inside, closing and reopening its tags', () => {
    const quote = escapeHtml(words(3000, 7));
    const html = `<b>Câu hỏi</b>\n\n<blockquote expandable><i>${quote}</i></blockquote>\n— <a href="https://x.org/?a=1&amp;b=2">Tiêu đề</a>`;
    const pieces = splitHtml(html);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4096);
      expect(telegramHtmlProblems(piece)).toEqual([]);
    }
    expect(pieces[2].startsWith('<blockquote expandable><i>')).toBe(true);
    expect(visible(pieces)).toBe(visible([html]));
  });

  it('never cuts an entity or a surrogate pair, even without spaces', () => {
    for (const unit of ['&amp;', '😀', 'a&lt;']) {
      const html = `<blockquote>${unit.repeat(2000)}</blockquote>`;
      const pieces = splitHtml(html, 997);
      for (const piece of pieces) {
        expect(piece.length).toBeLessThanOrEqual(997);
        expect(telegramHtmlProblems(piece)).toEqual([]);
        expect(piece).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      }
      expect(htmlToText(pieces.join(''))).toBe(htmlToText(html));
    }
  });

  it('prefers line breaks and sentence ends for cuts', () => {
    const sentence = 'Hai bên nhất trí tăng cường hợp tác quốc phòng. ';
    const pieces = splitHtml(`<blockquote>${sentence.repeat(200).trim()}</blockquote>`, 1000);
    for (const piece of pieces.slice(0, -1)) expect(piece).toMatch(/\.<\/blockquote>$/);
  });

  it('holds for random inputs', () => {
    for (let seed = 1; seed < 40; seed++) {
      const paras = Array.from({ length: 1 + (seed % 7) }, (_, i) =>
        i % 2 ? `<blockquote>${escapeHtml(words(seed * 37 + i * 101, seed + i))}</blockquote>` : `<b>${escapeHtml(words(seed * 3, seed))}</b> ${escapeHtml(words(seed * 11, i))}`,
      );
      const html = paras.join('\n\n');
      const limit = 200 + seed * 97;
      const pieces = splitHtml(html, limit);
      for (const piece of pieces) {
        expect(piece.length).toBeLessThanOrEqual(limit);
        expect(telegramHtmlProblems(piece)).toEqual([]);
      }
      expect(visible(pieces)).toBe(visible([html]));
    }
  });
});
