import { describe, expect, it } from 'vitest';
import {
  foldDiacritics,
  hasVietnameseDiacritics,
  normalizeFolded,
  normalizeText,
  normalizeWord,
  stripInvisible,
} from '../../src/text/normalize.ts';

describe('stripInvisible: zero-width and bidi controls never split a word (issue 12)', () => {
  it('removes them inside words and keeps every visible character', () => {
    const hidden = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u061c'];
    for (const ch of hidden) {
      expect(stripInvisible(`dio${ch}xin`)).toBe('dioxin');
      expect(normalizeText(`Dio${ch}xin Biên${ch} Hòa`)).toBe('dioxin biên hòa');
    }
    expect(stripInvisible('Biên Hòa, 130 triệu USD 🇻🇳')).toBe('Biên Hòa, 130 triệu USD 🇻🇳');
  });
});

describe('normalizeText: one canonical tone placement (traditional style)', () => {
  // [new-style or misplaced spelling, canonical spelling]
  const pairs: Array<[string, string]> = [
    ['hoà', 'hòa'],
    ['hoá', 'hóa'],
    ['thoả', 'thỏa'],
    ['thuỷ', 'thủy'],
    ['uỷ', 'ủy'],
    ['khoẻ', 'khỏe'],
    ['xoè', 'xòe'],
    ['qúy', 'quý'],
    ['qủa', 'quả'],
    ['gìa', 'già'],
    ['gịa', 'giạ'],
    ['tòan', 'toàn'],
    ['hùynh', 'huỳnh'],
    ['thủơ', 'thuở'],
    ['ngừơi', 'người'],
    ['tuỵên', 'tuyện'],
    ['hòai', 'hoài'],
    ['xóay', 'xoáy'],
    ['khủyu', 'khuỷu'],
    ['cuả', 'của'],
    ['miá', 'mía'],
    ['nuí', 'núi'],
    ['quyêt́', 'quyết'],
  ];

  it.each(pairs)('%s and %s normalise identically', (variant, canonical) => {
    expect(normalizeText(variant)).toBe(canonical);
    expect(normalizeText(canonical)).toBe(canonical);
  });

  it('leaves syllables without a placement choice untouched', () => {
    for (const w of ['hoàng', 'quốc', 'giữ', 'gìn', 'nghiêng', 'khuya', 'yêu', 'rượu', 'ngoẹo', 'đường']) {
      expect(normalizeText(w)).toBe(w);
    }
  });

  it('leaves words that are not Vietnamese syllables alone', () => {
    expect(normalizeText('Café Pokémon naïve')).toBe('café pokémon naïve');
  });

  it('composes decomposed input (NFD, combining marks in any order) to NFC', () => {
    expect(normalizeText('Ho\u0300a')).toBe('hòa');
    expect(normalizeText('ba\u0323\u0302n')).toBe('bận');
    expect(normalizeText('Biên Hòa'.normalize('NFD'))).toBe('biên hòa');
  });

  it('lower-cases without a locale and collapses whitespace', () => {
    expect(normalizeText('  ĐẠI TƯỚNG\tPhan  Văn\n\nGiang ')).toBe('đại tướng phan văn giang');
    expect(normalizeText('HOÀ BÌNH')).toBe('hòa bình');
    expect(normalizeText('INDIA')).toBe('india');
  });

  it('keeps digits and punctuation', () => {
    expect(normalizeText('Ngày 31/10/2025, 130 triệu USD.')).toBe('ngày 31/10/2025, 130 triệu usd.');
  });

  it('normalizes a real corpus sentence written in either style to the same text', () => {
    const old = 'Việt Nam triển khai đường lối đối ngoại độc lập, tự chủ, đa dạng hóa, đa phương hóa';
    const modern = 'Việt Nam triển khai đường lối đối ngoại độc lập, tự chủ, đa dạng hoá, đa phương hoá';
    expect(normalizeText(modern)).toBe(normalizeText(old));
  });

  it('is idempotent', () => {
    const s = 'Thuỷ chung, khoẻ mạnh, hoà bình, qúy báu';
    expect(normalizeText(normalizeText(s))).toBe(normalizeText(s));
  });

  it('normalizeWord agrees with normalizeText on single words', () => {
    for (const w of ['Hoà', 'THUỶ', 'qúy', 'Biên']) expect(normalizeWord(w)).toBe(normalizeText(w));
  });
});

describe('foldDiacritics: accent-free matching form', () => {
  it('removes tones, vowel marks and the bar of đ, keeping case', () => {
    expect(foldDiacritics('Biên Hòa')).toBe('Bien Hoa');
    expect(foldDiacritics('Đà Nẵng, đường')).toBe('Da Nang, duong');
    expect(foldDiacritics('Người ƯỚC ơ ă â ê ô')).toBe('Nguoi UOC o a a e o');
  });

  it('returns ASCII unchanged and handles decomposed input', () => {
    expect(foldDiacritics('bien hoa dioxin')).toBe('bien hoa dioxin');
    expect(foldDiacritics('Hòa'.normalize('NFD'))).toBe('Hoa');
  });

  it('leaves other scripts intact', () => {
    expect(foldDiacritics('한국 Москва')).toBe('한국 Москва');
  });
});

describe('normalizeFolded', () => {
  it('a question typed without diacritics matches the text with them', () => {
    expect(normalizeFolded('Biên Hòa bao nhiêu tiền')).toBe('bien hoa bao nhieu tien');
    expect(normalizeFolded('bien hoa bao nhieu tien')).toBe('bien hoa bao nhieu tien');
    expect(normalizeFolded('BIÊN HOÀ')).toBe(normalizeFolded('Biên Hòa'));
  });
});

describe('hasVietnameseDiacritics', () => {
  it('detects tones, vowel marks and đ', () => {
    expect(hasVietnameseDiacritics('Biên Hòa')).toBe(true);
    expect(hasVietnameseDiacritics('di dau')).toBe(false);
    expect(hasVietnameseDiacritics('đi')).toBe(true);
    expect(hasVietnameseDiacritics('ơ')).toBe(true);
    expect(hasVietnameseDiacritics('Hoa'.normalize('NFD') + '\u0300')).toBe(true);
    expect(hasVietnameseDiacritics('')).toBe(false);
    expect(hasVietnameseDiacritics('😀 !!!')).toBe(false);
  });
});
