import { describe, expect, it } from 'vitest';
import { LexicalIndex } from '../../src/index/lexical.ts';
import { analyzeVietnamese } from '../../src/search/vietnamese-query.ts';

const passages = [
  'Đoàn sang Hà Nội dự hội nghị về hợp tác quốc phòng.',
  'Việt Nam sẵn sàng đóng vai trò cầu nối hòa bình.',
  'Mỹ hỗ trợ xử lý dioxin tại sân bay Biên Hòa.',
  'Hai bên bàn về hợp tác khắc phục hậu quả chiến tranh.',
];
const index = LexicalIndex.build(passages);
const top = (question: string) => index.search(analyzeVietnamese(question, index).terms, 4)[0]?.doc;

describe('LexicalIndex', () => {
  it('finds a passage from a question typed without diacritics (folded field)', () => {
    expect(top('dioxin o bien hoa')).toBe(2);
  });

  it('ranks a passage holding the question words as an adjacent pair first', () => {
    expect(top('hợp tác quốc phòng')).toBe(0);
  });

  it('in a question typed with diacritics, a plain syllable means itself ("sang" is not "sàng")', () => {
    const query = analyzeVietnamese('Đoàn công tác sang đâu?', index);
    expect(query.terms.find((t) => t.text === 'sang')?.exact).toBe(true);
    const prepared = index.prepareCoverage(query.terms);
    expect(index.coverage(passages[1], prepared).matched).toBe(0);
    expect(index.coverage(passages[0], prepared).matched).toBeGreaterThan(0);
  });

  it('a plain word the corpus lacks as written still matches folded (a name typed without diacritics)', () => {
    const query = analyzeVietnamese('Sân bay Bien Hoa ở đâu?', index);
    expect(query.terms.find((t) => t.text === 'bien')?.exact).toBeUndefined();
    expect(top('Sân bay Bien Hoa ở đâu?')).toBe(2);
  });

  it('a question typed without diacritics keeps matching folded everywhere', () => {
    const query = analyzeVietnamese('doan sang ha noi', index);
    expect(query.terms.every((t) => !t.exact)).toBe(true);
    expect(index.coverage(passages[1], index.prepareCoverage(query.terms)).matched).toBeGreaterThan(0);
  });

  it('coverage weighs the question words by rarity and reports the share found', () => {
    const prepared = index.prepareCoverage(analyzeVietnamese('xử lý dioxin', index).terms);
    expect(index.coverage(passages[2], prepared).ratio).toBeCloseTo(1);
    expect(index.coverage(passages[3], prepared).ratio).toBe(0);
  });

  it('counts a multi-syllable word once: syllables the corpus keeps together share one weight', () => {
    const news = LexicalIndex.build([
      'Chủ tịch Lương Cường tiếp đoàn. Chủ tịch Lương Cường cảm ơn. Chủ tịch Lương Cường đề nghị tăng cường hợp tác.',
      'Phái đoàn của Chủ tịch Lương Cường dự hội nghị thượng đỉnh ở Lima.',
      'Bộ trưởng tiếp đoàn doanh nghiệp.',
    ]);
    const w = new Map(analyzeVietnamese('Chủ tịch Lương Cường dự hội nghị nào?', news).terms.map((t) => [t.text, t.weight]));
    expect(w.get('lương')).toBeCloseTo(0.25);
    expect(w.get('dự')).toBe(1);
    // The repeated name no longer outweighs what the question asks about.
    expect(news.search(analyzeVietnamese('Chủ tịch Lương Cường dự hội nghị nào?', news).terms, 3)[0].doc).toBe(1);
  });
});
