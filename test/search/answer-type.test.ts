import { describe, expect, it } from 'vitest';
import { expectedAnswerType, holdsAnswerType } from '../../src/search/answer-type.ts';

describe('expectedAnswerType', () => {
  it('reads quantity and time questions in Vietnamese, with and without diacritics', () => {
    expect(expectedAnswerType('Mỹ viện trợ bao nhiêu tiền?', 'vi')).toBe('quantity');
    expect(expectedAnswerType('co may tau tham gia', 'vi')).toBe('quantity');
    expect(expectedAnswerType('Hiệp định được ký năm nào?', 'vi')).toBe('time');
    expect(expectedAnswerType('khi nao hai ben ky ket', 'vi')).toBe('time');
  });

  it('does not take "máy" (machine) for "mấy" (how many) when diacritics are typed', () => {
    expect(expectedAnswerType('Máy bay nào đã hạ cánh?', 'vi')).toBeNull();
  });

  it('reads English cues, and says nothing when the wording does not ask for a number or date', () => {
    expect(expectedAnswerType('How many soldiers took part?', 'en')).toBe('quantity');
    expect(expectedAnswerType('In which year was it signed?', 'en')).toBe('time');
    expect(expectedAnswerType('When did the visit happen?', 'en')).toBe('time');
    expect(expectedAnswerType('Who met the minister?', 'en')).toBeNull();
    expect(expectedAnswerType('Ai đã tiếp Bộ trưởng?', 'vi')).toBeNull();
  });
});

describe('holdsAnswerType', () => {
  it('finds numbers for quantities and dates or years for times', () => {
    expect(holdsAnswerType('khoản hỗ trợ 130 triệu USD', 'quantity')).toBe(true);
    expect(holdsAnswerType('khoản hỗ trợ mới', 'quantity')).toBe(false);
    expect(holdsAnswerType('ký vào tháng 10/2025', 'time')).toBe(true);
    expect(holdsAnswerType('Ngày 19 tháng Hai', 'time')).toBe(true);
    expect(holdsAnswerType('có 3 đoàn', 'time')).toBe(false);
  });
});
