import { describe, expect, it } from 'vitest';
import { detectLanguage, isVietnameseSyllable, languageScores } from '../../src/text/language.ts';

describe('detectLanguage', () => {
  it('takes words written with Vietnamese diacritics as strong Vietnamese evidence, names aside', () => {
    expect(detectLanguage('Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?')).toBe('vi');
    expect(detectLanguage('Biên Hòa')).toBe('vi');
    expect(detectLanguage('Đà Nẵng')).toBe('vi');
    // A Vietnamese name inside an English question does not make it Vietnamese (issue 11).
    expect(detectLanguage('How much did the US pledge for the Biên Hòa dioxin project?')).toBe('en');
    expect(detectLanguage('what about Hà Nội')).toBe('en');
    // Vietnamese words with their marks outweigh a few English ones.
    expect(detectLanguage('How much tiền hỗ trợ for dioxin ở Biên Hòa airport?')).toBe('vi');
    expect(detectLanguage('dioxin ở Biên Hòa')).toBe('vi');
  });

  it('decides plain-ASCII questions by vocabulary, not by character set', () => {
    expect(detectLanguage('bien hoa dioxin bao nhieu tien')).toBe('vi');
    expect(detectLanguage('how much for dioxin at Bien Hoa')).toBe('en');
    expect(detectLanguage('tim kiem bo doi viet nam hy sinh mat tich')).toBe('vi');
    expect(detectLanguage('my se tiep tuc ho tro viet nam nhung gi')).toBe('vi');
    expect(detectLanguage('Which exhibition does the Vietnamese defence ministry plan to hold at the end of 2026?')).toBe('en');
    expect(detectLanguage('When did General Giang hold talks with the Russian defence minister?')).toBe('en');
    expect(detectLanguage('How do I bake my own sourdough bread?')).toBe('en');
  });

  it('handles short questions and names', () => {
    expect(detectLanguage('who is Pete Hegseth')).toBe('en');
    expect(detectLanguage('Pete Hegseth la ai')).toBe('vi');
    expect(detectLanguage('Pete Hegseth là ai?')).toBe('vi');
    expect(detectLanguage('Bien Hoa?')).toBe('vi');
    expect(detectLanguage('dioxin o dau')).toBe('vi');
    expect(detectLanguage('where is UNCLOS')).toBe('en');
    expect(detectLanguage('UNCLOS la gi')).toBe('vi');
    expect(detectLanguage('what is UNCLOS?')).toBe('en');
    expect(detectLanguage('To Lam visited Washington when?')).toBe('en');
  });

  it('reads a name that opens the question as a name, and Title Case as words', () => {
    expect(detectLanguage('To Lam')).toBe('vi');
    expect(detectLanguage('To Lam la ai')).toBe('vi');
    expect(detectLanguage('Do Muoi la ai')).toBe('vi');
    expect(detectLanguage('Who Is To Lam')).toBe('en');
    expect(detectLanguage('What Is UNCLOS')).toBe('en');
    expect(detectLanguage('What UNCLOS says')).toBe('en');
  });

  it('does not let capitalised names vote', () => {
    // Names alone are undecided, and undecided is Vietnamese.
    expect(languageScores('Pete Hegseth Bien Hoa')).toEqual({ en: 0, vi: 0 });
    expect(detectLanguage('Pete Hegseth')).toBe('vi');
    expect(detectLanguage('')).toBe('vi');
    expect(detectLanguage('???')).toBe('vi');
    expect(detectLanguage('2025')).toBe('vi');
  });

  it('reads a question typed in capitals as words, not names', () => {
    expect(detectLanguage('BIEN HOA DIOXIN BAO NHIEU TIEN')).toBe('vi');
    expect(detectLanguage('HOW MUCH DID THE CLEAN-UP COST')).toBe('en');
  });
});

describe('isVietnameseSyllable', () => {
  it('accepts folded Vietnamese syllables', () => {
    for (const s of ['nguoi', 'khuyen', 'bien', 'hoa', 'nghieng', 'quyet', 'gi', 'gia', 'truong', 'thuong', 'oan', 'uyen', 'ke', 'ghe', 'nghe', 'xoong', 'khuya', 'dau', 'a', 'y']) {
      expect(isVietnameseSyllable(s), s).toBe(true);
    }
  });

  it('rejects English words that cannot be Vietnamese syllables', () => {
    for (const s of ['much', 'sack', 'dioxin', 'how', 'what', 'when', 'password', 'reset', 'ka', 'ce', 'ghu', 'quu', 'str', '', 'abc1']) {
      expect(isVietnameseSyllable(s), s).toBe(false);
    }
  });
});
