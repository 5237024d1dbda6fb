import { describe, expect, it } from 'vitest';
import {
  deriveTitle,
  findUrl,
  parseDateHeader,
  parseDateline,
  parseLinkLine,
  parseSourceLine,
  parseTheoLine,
  parseTimestamp,
  resolveSourceName,
  shortenAtWord,
  sourceFromUrl,
  splitPhotoCredit,
  titleFromCaption,
} from '../../src/corpus/metadata.ts';

describe('dates', () => {
  it('reads the " date " header, month or day precise', () => {
    expect(parseDateHeader(' date 2025-02 Tối 7/2, …')).toEqual({ date: '2025-02', rest: 'Tối 7/2, …' });
    expect(parseDateHeader(' date 2025-11-03 ')).toEqual({ date: '2025-11-03', rest: '' });
    expect(parseDateHeader(' date 2025-13 x')).toBeNull();
    expect(parseDateHeader('Ngày 2025-02 mưa')).toBeNull();
  });

  it('reads timestamp lines in their usual shapes', () => {
    expect(parseTimestamp('09:08 - 14/08/2024')).toBe('2024-08-14');
    expect(parseTimestamp('14/8/2024 09:08')).toBe('2024-08-14');
    expect(parseTimestamp('Thứ Tư, 14/08/2024 - 09:08 (GMT+7)')).toBe('2024-08-14');
    expect(parseTimestamp('31/02/2024')).toBeNull();
    expect(parseTimestamp('Ngày 14/08/2024 hai bên hội đàm.')).toBeNull();
  });
});

describe('sources and links', () => {
  it('resolves dateline abbreviations through one table', () => {
    expect(resolveSourceName('TPO')).toBe('Tiền Phong');
    expect(resolveSourceName('chinhphu.vn')).toBe('Chinhphu.vn');
    expect(resolveSourceName('QĐND')).toBe('Quân đội nhân dân');
    expect(resolveSourceName('Reuters')).toBe('Reuters');
  });

  it('reads datelines, parenthesised or a known bare abbreviation', () => {
    expect(parseDateline('TPO - Chiều 2/11, tại Hà Nội')).toEqual({ source: 'Tiền Phong', rest: 'Chiều 2/11, tại Hà Nội' });
    expect(parseDateline('(Chinhphu.vn) - Đại tướng')).toEqual({ source: 'Chinhphu.vn', rest: 'Đại tướng' });
    expect(parseDateline('HÀ NỘI (TTXVN) – Sáng nay')).toEqual({ source: 'TTXVN', rest: 'Sáng nay' });
    expect(parseDateline('ASEAN - Mỹ tăng cường hợp tác')).toBeNull();
    expect(parseDateline('Việt Nam - Mỹ tăng cường hợp tác')).toBeNull();
  });

  it('reads source lines but not sentences that start with "Nguồn"', () => {
    expect(parseSourceLine('Nguồn Tiền Phong: https://tienphong.vn/a-post1.tpo')).toEqual({ source: 'Tiền Phong', url: 'https://tienphong.vn/a-post1.tpo' });
    expect(parseSourceLine('Nguồn: Chinhphu.vn')).toEqual({ source: 'Chinhphu.vn', url: null });
    expect(parseSourceLine('Nguồn: https://vov.vn/x')).toEqual({ source: null, url: 'https://vov.vn/x' });
    expect(parseSourceLine('Nguồn tin cho biết, hai bên sẽ ký.')).toBeNull();
    expect(parseSourceLine('Nguồn: Bộ Y tế cho biết, số ca mắc giảm.')).toBeNull();
  });

  it('reads link lines, finds URLs and names their hosts', () => {
    expect(parseLinkLine('https://tienphong.vn/x.tpo')).toBe('https://tienphong.vn/x.tpo');
    expect(parseLinkLine('Xem thêm tại https://tienphong.vn/x.tpo về việc hai bên đã ký kết.')).toBeNull();
    expect(findUrl('xem (https://a.vn/b).')).toBe('https://a.vn/b');
    expect(sourceFromUrl('https://baochinhphu.vn/x.htm')).toBe('Chinhphu.vn');
    expect(sourceFromUrl('https://en.vnanet.vn/x')).toBe('VNA');
    expect(sourceFromUrl('https://www.example.org/x')).toBe('example.org');
    expect(sourceFromUrl('not a url')).toBeNull();
  });

  it('reads a short "Theo X" closer, not a sentence', () => {
    expect(parseTheoLine('Theo TTXVN')).toBe('TTXVN');
    expect(parseTheoLine('Theo Đại tướng Phan Văn Giang, hợp tác là điểm sáng.')).toBeNull();
  });
});

describe('titles and credits', () => {
  it('splits a caption from its credit', () => {
    expect(splitPhotoCredit('Tổng Bí thư Tô Lâm tiếp Pete Hegseth. Ảnh: Thống Nhất – TTXVN')).toEqual({
      caption: 'Tổng Bí thư Tô Lâm tiếp Pete Hegseth.',
      credit: 'Thống Nhất – TTXVN',
    });
    expect(splitPhotoCredit('Ảnh: Nguyễn Minh')).toEqual({ caption: '', credit: 'Nguyễn Minh' });
    expect(splitPhotoCredit('Ảnh hưởng của bão: lớn.')).toBeNull();
    expect(titleFromCaption('Tổng Bí thư Tô Lâm tiếp Pete Hegseth.')).toBe('Tổng Bí thư Tô Lâm tiếp Pete Hegseth');
  });

  it('derives a title from the first sentence, cut at a word boundary with "…"', () => {
    expect(deriveTitle('Ông A.Colby đến Hà Nội. Câu hai.')).toBe('Ông A.Colby đến Hà Nội');
    const long = 'Một '.repeat(60).trim() + '.';
    const t = deriveTitle(long);
    expect(t.length).toBeLessThanOrEqual(120);
    expect(t.endsWith('Một…')).toBe(true);
    expect(shortenAtWord('ngắn')).toBe('ngắn');
  });
});
