import { describe, expect, it } from 'vitest';
import { foldOf, foldTable, judge, parseTuningFolds, tallyOf, tallyRate, type JudgedQuestion } from '../../src/evaluation/folds.ts';

describe('folds by article', () => {
  it('puts every question of an article in the fold of its leading number', () => {
    expect(foldOf('00-super-bowl-50')).toBe(0);
    expect(foldOf('07-x')).toBe(3);
    expect(foldOf('002')).toBe(2);
    expect(foldOf('n08')).toBe(foldOf('n08'));
  });

  it('judges the top passage and the top quote apart; no answer is a refusal', () => {
    expect(judge({ passage: 'trị giá 130 triệu USD. Khác.', quote: 'Khác.' }, ['130 triệu USD'])).toEqual({ passage: 'right', quote: 'wrong' });
    expect(judge(undefined, ['x'])).toEqual({ passage: 'refused', quote: 'refused' });
  });

  it('tallies per fold and counts a refusal as a miss', () => {
    const judged: JudgedQuestion[] = [
      { style: 'vi', fold: 0, passage: 'right', quote: 'right' },
      { style: 'vi', fold: 2, passage: 'right', quote: 'wrong' },
      { style: 'vi', fold: 3, passage: 'refused', quote: 'refused' },
      { style: 'en', fold: 2, passage: 'wrong', quote: 'wrong' },
    ];
    const held = tallyOf(judged, 'vi', [2, 3], 'passage');
    expect(held).toEqual({ right: 1, wrong: 0, refused: 1 });
    expect(tallyRate(held)).toBe(0.5);
    expect(foldTable(judged, ['vi', 'en'], [0, 1])).toContain('HELD-OUT');
  });

  it('reads --tune-folds and keeps at least one fold held out', () => {
    expect(parseTuningFolds(undefined)).toEqual([0, 1]);
    expect(parseTuningFolds('2,3')).toEqual([2, 3]);
    expect(() => parseTuningFolds('0,1,2,3')).toThrow(/held out/);
    expect(() => parseTuningFolds('5')).toThrow(/0 to 3/);
  });
});
