import { describe, expect, it } from 'vitest';
import { QUOTE_BONUSES, RERANK_BONUSES, scoreSentence, type SentenceQuery } from '../../src/search/sentence-score.ts';
import { passageLibrary } from '../helpers/passages.ts';

const library = passageLibrary([
  { id: 'a', title: 'Giá cà phê', body: 'Giá cà phê Robusta ở Đắk Lắk lên 132.000 đồng. Ông Nguyễn Văn Nam bán cà phê ở Buôn Ma Thuột.' },
  { id: 'b', title: 'Mưa lớn', body: 'Mưa lớn kéo dài khiến nhiều tuyến đường ở Quảng Ngãi bị ngập sâu.' },
  { id: 'c', title: 'Tàu điện', body: 'Tuyến tàu điện số 1 chở hơn một triệu lượt khách.' },
]);

function queryFor(question: string, newName?: (word: string) => boolean): SentenceQuery {
  const q = library.analyze(question);
  return { lexical: library.lexical, prepared: library.lexical.prepareCoverage(q.terms, true), answerType: q.answerType ?? null, newName };
}

describe('scoreSentence', () => {
  it("is the share of the question's weight the sentence holds, without an answer type", () => {
    const query = queryFor('giá cà phê Robusta Đắk Lắk');
    expect(scoreSentence('Giá cà phê Robusta Đắk Lắk tăng.', query, QUOTE_BONUSES)).toBeCloseTo(1, 9);
    expect(scoreSentence('Mưa lớn ở Quảng Ngãi.', query, QUOTE_BONUSES)).toBe(0);
    const part = scoreSentence('Giá cà phê tăng.', query, QUOTE_BONUSES);
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(1);
  });

  it('adds the bonus of its weight set when the sentence holds the amount asked for', () => {
    const query = queryFor('giá cà phê Robusta bao nhiêu');
    const plain = scoreSentence('Giá cà phê Robusta tăng mạnh.', query, QUOTE_BONUSES);
    expect(scoreSentence('Giá cà phê Robusta lên 132.000 đồng.', query, QUOTE_BONUSES)).toBeCloseTo(plain + QUOTE_BONUSES.quantityOrTime, 9);
    expect(scoreSentence('Giá cà phê Robusta lên 132.000 đồng.', query, RERANK_BONUSES)).toBeCloseTo(plain + RERANK_BONUSES.quantityOrTime, 9);
    // A number alone, with none of the question's words, is no answer.
    expect(scoreSentence('Tuyến tàu điện số 1.', query, QUOTE_BONUSES)).toBe(0);
  });

  it('adds the name bonus for "ai" only where a new name is looked for (the quote), not in re-ranking', () => {
    const asked = new Set(['Ông', 'Giá']);
    const query = queryFor('ai bán cà phê', (w) => !asked.has(w));
    expect(query.answerType).toBe('person');
    const withName = 'Ông Nguyễn Văn Nam bán cà phê ở Buôn Ma Thuột.';
    const without = 'Ông bán cà phê ở chợ.';
    expect(scoreSentence(withName, query, QUOTE_BONUSES)).toBeCloseTo(scoreSentence(without, query, QUOTE_BONUSES) + QUOTE_BONUSES.name, 9);
    expect(scoreSentence(withName, query, RERANK_BONUSES)).toBe(scoreSentence(without, query, RERANK_BONUSES));
  });
});
