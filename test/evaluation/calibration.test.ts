import { describe, expect, it } from 'vitest';
import {
  type CalibrationOutcome,
  type CheckedResult,
  calibrationMisses,
  isCorrectResult,
  summarizeCalibration,
} from '../../src/evaluation/calibration.ts';
import type { DevQuestion } from '../../src/evaluation/datasets.ts';

const question = (id: string, lang: string, doc: string, answer = ''): DevQuestion => ({ id, lang, q: `question ${id}`, doc, answer });
const result = (articleId: string, score: number, quote: string): CheckedResult => ({
  article: { id: articleId },
  quote,
  passage: `… ${quote} …`,
  score,
});

const outcomes: CalibrationOutcome[] = [
  // Vietnamese, answerable: correct top at 0.4, answered.
  { question: question('a', 'vi', '002', '130 triệu USD'), top: result('002_x', 0.4, 'trị giá 130 triệu USD'), maxConfidence: 0.4, answered: result('002_x', 0.4, 'trị giá 130 triệu USD') },
  // No diacritics counts as Vietnamese: correct top at 0.25, refused.
  { question: question('b', 'vi-nodiac', '000|001', 'Biên Hòa'), top: result('001_y', 0.25, 'sân bay Biên Hòa'), maxConfidence: 0.25, answered: undefined },
  // Vietnamese, answerable, wrong article on top.
  { question: question('c', 'vi', '004', 'UNCLOS'), top: result('003_z', 0.3, 'UNCLOS'), maxConfidence: 0.3, answered: result('003_z', 0.3, 'UNCLOS') },
  // Vietnamese, out of corpus: a lower-ranked passage is the most confident one, and it is answered.
  { question: question('d', 'vi', 'none'), top: result('000_w', 0.1, 'x'), maxConfidence: 0.31, answered: result('000_w', 0.31, 'y') },
  // English, answerable and out of corpus, nothing retrieved for the latter.
  { question: question('e', 'en', '003', 'trụ cột'), top: result('003_z', 0.6, 'một trong những trụ cột'), maxConfidence: 0.6, answered: result('003_z', 0.6, 'một trong những trụ cột') },
  { question: question('f', 'en', 'none'), top: undefined, maxConfidence: null, answered: undefined },
];

describe('isCorrectResult', () => {
  it('needs one of the gold articles and the answer in the quote or passage', () => {
    const q = question('q', 'vi', '000|002', 'điểm sáng');
    expect(isCorrectResult(q, result('002_a', 0.5, 'là điểm sáng'))).toBe(true);
    expect(isCorrectResult(q, result('003_a', 0.5, 'là điểm sáng'))).toBe(false);
    expect(isCorrectResult(q, result('000_a', 0.5, 'nothing here'))).toBe(false);
    expect(isCorrectResult(q, undefined)).toBe(false);
    expect(isCorrectResult(question('n', 'vi', 'none'), result('000_a', 0.5, 'x'))).toBe(false);
  });
});

describe('summarizeCalibration', () => {
  const [vi, en] = summarizeCalibration(outcomes);

  it('groups no-diacritics questions with Vietnamese ones', () => {
    expect(vi.group).toBe('Vietnamese');
    expect([vi.answerable, vi.outOfCorpus]).toEqual([3, 1]);
  });

  it('gives the confidence range of correct tops, the wrong tops and the out-of-corpus maximum', () => {
    expect(vi.correctRange).toEqual([0.25, 0.4]);
    expect([vi.correctTop, vi.wrongTop]).toEqual([2, 1]);
    expect(vi.outOfCorpusMax).toBe(0.31);
  });

  it('counts what the configured bars did', () => {
    expect(vi.answeredCorrectly).toBe(1);
    expect(vi.outOfCorpusAnswered).toBe(1);
  });

  it('handles an out-of-corpus question that retrieved nothing', () => {
    expect(en).toMatchObject({ group: 'English', answerable: 1, correctRange: [0.6, 0.6], wrongTop: 0, outOfCorpusMax: null, answeredCorrectly: 1, outOfCorpusAnswered: 0 });
  });

  it('leaves out a group without questions', () => {
    expect(summarizeCalibration(outcomes.filter((o) => o.question.lang !== 'en')).map((s) => s.group)).toEqual(['Vietnamese']);
  });
});

describe('calibrationMisses', () => {
  it('lists refused and wrongly answered answerable questions and answered out-of-corpus ones', () => {
    expect(calibrationMisses(outcomes).map((l) => l.trim().split(' ')[0])).toEqual(['b', 'c', 'd']);
  });
});
