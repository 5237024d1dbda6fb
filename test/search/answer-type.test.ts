import { describe, expect, it } from 'vitest';
import { asksSomething, expectedAnswerType, holdsAnswerType } from '../../src/search/answer-type.ts';

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

  it('reads English cues, and says nothing when the wording does not ask for a number, date, person or place', () => {
    expect(expectedAnswerType('How many soldiers took part?', 'en')).toBe('quantity');
    expect(expectedAnswerType('In which year was it signed?', 'en')).toBe('time');
    expect(expectedAnswerType('When did the visit happen?', 'en')).toBe('time');
    expect(expectedAnswerType('Who met the minister?', 'en')).toBe('person');
    expect(expectedAnswerType('Ai đã tiếp Bộ trưởng?', 'vi')).toBe('person');
    expect(expectedAnswerType('Hội nghị diễn ra ở đâu?', 'vi')).toBe('place');
    expect(expectedAnswerType('What did the minister sign?', 'en')).toBeNull();
  });
});

describe('expectedAnswerType without diacritics', () => {
  it('does not take "dau" in "lan dau tien" or "dan dau" (first, lead) for "đâu" (where)', () => {
    expect(expectedAnswerType('Nha khoa hoc nao tim ra chat nay lan dau tien?', 'vi')).toBeNull();
    expect(expectedAnswerType('Hoi nghi dien ra o dau?', 'vi')).toBe('place');
    expect(expectedAnswerType('Hội nghị lần đầu tiên diễn ra đâu?', 'vi')).toBe('place');
  });
});

describe('asksSomething', () => {
  it('tells a question from a few keywords', () => {
    expect(asksSomething('Mỹ tài trợ dự án gì?')).toBe(true);
    expect(asksSomething('du an nay do ai tai tro')).toBe(true);
    expect(asksSomething('What did the minister sign')).toBe(true);
    expect(asksSomething('Mỹ tài trợ dự án tẩy độc dioxin ở Biên Hòa')).toBe(false);
    // Typed with diacritics, a name is read as written: "Mây" (cloud) is not "mấy" (how many).
    expect(asksSomething('tàu du lịch cập cảng Chân Mây')).toBe(false);
    expect(asksSomething('tàu du lịch cập cảng Chân Mây mấy lần')).toBe(true);
  });
});

describe('holdsAnswerType', () => {
  it('counts a number written out in words as a quantity, but not a name that spells like one', () => {
    expect(holdsAnswerType('Khu vực này bao gồm lãnh thổ thuộc chín quốc gia.', 'quantity')).toBe(true);
    expect(holdsAnswerType('Đội bị giữ ngoài vạch trong ba lượt chơi.', 'quantity')).toBe(true);
    expect(holdsAnswerType('Rừng chiếm hơn một nửa diện tích.', 'quantity')).toBe(true);
    expect(holdsAnswerType('Đoàn đại biểu Ba Lan đến Hà Nội.', 'quantity')).toBe(false);
    expect(holdsAnswerType('Một đoàn đại biểu đến Hà Nội năm ngoái.', 'quantity')).toBe(false);
  });

  it('finds numbers for quantities and dates or years for times', () => {
    expect(holdsAnswerType('khoản hỗ trợ 130 triệu USD', 'quantity')).toBe(true);
    expect(holdsAnswerType('khoản hỗ trợ mới', 'quantity')).toBe(false);
    expect(holdsAnswerType('ký vào tháng 10/2025', 'time')).toBe(true);
    expect(holdsAnswerType('Ngày 19 tháng Hai', 'time')).toBe(true);
    expect(holdsAnswerType('có 3 đoàn', 'time')).toBe(false);
  });

  it('finds a name the question does not use for persons and places', () => {
    const notInQuestion = (w: string) => w !== 'Bộ';
    expect(holdsAnswerType('Bộ trưởng Andrey Belousov phát biểu', 'person', notInQuestion)).toBe(true);
    expect(holdsAnswerType('Ông phát biểu tại Bộ', 'person', notInQuestion)).toBe(false);
    expect(holdsAnswerType('Andrey Belousov phát biểu', 'person')).toBe(false);
  });
});
