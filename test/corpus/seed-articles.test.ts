import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/corpus/article.ts';
import { loadCorpus } from '../../src/corpus/scan.ts';

const corpusDir = fileURLToPath(new URL('../../corpus/', import.meta.url));

let articles: Map<string, Article>;
beforeAll(async () => {
  const loaded = await loadCorpus(corpusDir);
  expect(loaded.skipped).toEqual([]);
  articles = new Map(loaded.articles.map((a) => [a.id.slice(0, 3), a]));
});

const get = (n: string) => articles.get(n)!;
const paragraphs = (a: Article) => a.text.split('\n\n');

describe('every seed article', () => {
  it('loads all five, in file-name order, with a sha256 of the file', async () => {
    const { articles: list } = await loadCorpus(corpusDir);
    expect(list.map((a) => a.id)).toEqual([
      '000_8c719049391b1fc0',
      '001_9a1c2d64579a2831',
      '002_8639caca932e6f8c',
      '003_576ff9567dded38c',
      '004_0f89e1410a4163cd',
    ]);
    for (const a of list) expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(['000', '001', '002', '003', '004'])('%s: NFC, one blank line between trimmed paragraphs, no boilerplate', (n) => {
    const a = get(n);
    const raw = readFileSync(a.path, 'utf8').normalize('NFC');
    expect(a.text.normalize('NFC')).toBe(a.text);
    expect(a.title.normalize('NFC')).toBe(a.title);
    expect(a.text).not.toMatch(/\n{3,}/);
    for (const p of paragraphs(a)) {
      expect(p).toBe(p.trim());
      expect(p).not.toBe('');
      // Verbatim: the body only loses whole paragraphs or a prefix/suffix of one.
      expect(raw).toContain(p);
    }
    expect(new Set(paragraphs(a)).size).toBe(paragraphs(a).length);
    expect(a.text).not.toContain('In bài viết');
    expect(a.text).not.toContain('Ảnh:');
    expect(a.text).not.toMatch(/[-–]\s*Ảnh\s*\d/u);
    expect(a.text).not.toContain('Nguồn Tiền Phong');
    expect(a.text).not.toMatch(/https?:\/\//);
    expect(a.text).not.toMatch(/^\s*date\s+\d{4}/u);
  });
});

describe('000: date header, no title line', () => {
  it('has its metadata', () => {
    const a = get('000');
    expect(a.date).toBe('2025-02');
    expect(a.source).toBeNull();
    expect(a.url).toBeNull();
    // No title line: the first sentence, cut at a word boundary to 120 characters.
    expect(a.title).toBe(
      'Tối 7/2, Đại tướng Phan Văn Giang, Ủy viên Bộ Chính trị, Phó Bí thư Quân ủy Trung ương, Bộ trưởng Quốc phòng Việt Nam…',
    );
    expect(a.title.length).toBeLessThanOrEqual(120);
  });

  it('keeps the lead sentence (it was on the header line) and the body', () => {
    const a = get('000');
    expect(paragraphs(a)[0]).toBe(
      'Tối 7/2, Đại tướng Phan Văn Giang, Ủy viên Bộ Chính trị, Phó Bí thư Quân ủy Trung ương, Bộ trưởng Quốc phòng Việt Nam điện đàm với Ngài Pete Hegseth, Bộ trưởng Quốc phòng Mỹ.',
    );
    expect(a.text).toContain('xử lý ô nhiễm dioxin tại khu vực sân bay Biên Hòa');
    expect(a.text).toContain('Trước mắt là sớm tổ chức Đối thoại Chính sách Quốc phòng lần thứ 13 tại Việt Nam.');
    expect(paragraphs(a)).toHaveLength(8);
  });
});

describe('001: duplicated captions, byline, source line', () => {
  it('has its metadata', () => {
    const a = get('001');
    expect(a.title).toBe('Lãnh đạo Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ gặp gỡ tại Washington');
    expect(a.date).toBeNull();
    expect(a.source).toBe('Tiền Phong');
    expect(a.url).toBe('https://tienphong.vn/lanh-dao-bo-quoc-phong-viet-nam-va-bo-chien-tranh-my-gap-go-tai-washington-post1821943.tpo');
  });

  it('drops both copies of each duplicated caption, the byline and the source line', () => {
    const a = get('001');
    const ps = paragraphs(a);
    expect(a.text).not.toContain('Quang cảnh buổi tiếp');
    expect(ps).not.toContain('Đại tướng Phan Văn Giang và Thứ trưởng thứ nhất Bộ Chiến tranh Mỹ Elbridge A.Colby.');
    expect(ps.some((p) => p.startsWith('Tại cuộc gặp, lãnh đạo'))).toBe(false);
    expect(ps).not.toContain('Nguyễn Minh');
    expect(a.text).not.toContain('Nguồn');
    expect(a.text).not.toContain(a.title);
  });

  it('keeps the lead and the body verbatim', () => {
    const a = get('001');
    expect(paragraphs(a)[0]).toMatch(/^Tại cuộc gặp ở Washington \(Mỹ\), lãnh đạo Bộ Quốc phòng Việt Nam/u);
    expect(a.text).toContain('đã có buổi tiếp Thứ trưởng thứ nhất Bộ Chiến tranh Mỹ Elbridge A.Colby.');
    expect(a.text).toContain('“Bản ghi nhớ về thúc đẩy hợp tác khắc phục hậu quả chiến tranh” đã ký vào tháng 10/2025');
    expect(a.text).toContain('giáo dục và đào tạo…');
    expect(paragraphs(a).at(-1)).toMatch(/thiết thực và hiệu quả hơn\.$/u);
    expect(paragraphs(a)).toHaveLength(11);
  });
});

describe('002: date header with title, TPO dateline, credits and gallery captions', () => {
  it('has its metadata', () => {
    const a = get('002');
    expect(a.title).toBe('Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ bàn về hợp tác quốc phòng song phương');
    expect(a.date).toBe('2025-11-02');
    expect(a.source).toBe('Tiền Phong');
    expect(a.url).toBeNull();
  });

  it('strips the dateline and removes credits and captions', () => {
    const a = get('002');
    expect(paragraphs(a)[0]).toMatch(/^Chiều 2\/11, tại Hà Nội, Đại tướng Phan Văn Giang/u);
    expect(a.text).not.toContain('TPO');
    expect(a.text).not.toContain('Nguyễn Minh');
    expect(a.text).not.toContain('tới dự hội đàm cấp cao, tại trụ sở Bộ Quốc phòng.');
    expect(a.text).not.toContain('Hai Bộ trưởng duyệt Đội danh dự');
    expect(a.text).not.toContain('Quang cảnh lễ đón');
  });

  it('keeps the section headings and the facts', () => {
    const ps = paragraphs(get('002'));
    expect(ps).toContain('Hợp tác và phát triển bền vững');
    expect(ps).toContain('Tiếp tục thúc đẩy hợp tác quốc phòng');
    const text = get('002').text;
    expect(text).toContain('công bố khoản hỗ trợ mới trị giá 130 triệu USD dành cho Dự án xử lý ô nhiễm dioxin tại khu vực sân bay Biên Hòa.');
    expect(text).toContain('Đặc biệt, ngày 31/10/2025, Thứ trưởng Bộ Quốc phòng Việt Nam và Đại sứ Mỹ tại Việt Nam');
    expect(text).toContain('Việt Nam đã trao trả cho Mỹ 994 hòm đựng hài cốt');
    expect(text).toContain('xác minh 44/45 bộ hồ sơ');
  });
});

describe('003: the title is the opening photo caption', () => {
  it('has its metadata', () => {
    const a = get('003');
    expect(a.title).toBe('Tổng Bí thư Tô Lâm tiếp Bộ trưởng Chiến tranh Hoa Kỳ Pete Hegseth');
    expect(a.date).toBe('2025-11-03');
    // The photo credit names TTXVN, but it credits the photo, not the article.
    expect(a.source).toBeNull();
    expect(a.url).toBeNull();
  });

  it('drops the caption and its credit, collapses the blank-line runs', () => {
    const a = get('003');
    expect(a.text).not.toContain('TTXVN');
    expect(a.text).not.toContain('Thống Nhất');
    expect(paragraphs(a)[0]).toMatch(/^Tổng Bí thư Tô Lâm hoan nghênh chuyến thăm của Bộ trưởng Pete Hegseth/u);
    expect(paragraphs(a)).toHaveLength(5);
    expect(a.text).toContain('Việt Nam luôn coi Hoa Kỳ là một trong những đối tác quan trọng hàng đầu');
  });
});

describe('004: print link, timestamp, (Chinhphu.vn) dateline, numbered photos', () => {
  it('has its metadata', () => {
    const a = get('004');
    expect(a.title).toBe('Đại tướng Phan Văn Giang hội đàm với Bộ trưởng Bộ Quốc phòng Liên bang Nga');
    expect(a.date).toBe('2024-08-14');
    expect(a.source).toBe('Chinhphu.vn');
    expect(a.url).toBeNull();
  });

  it('removes the print link, the timestamp, the photo lines and the caption after photo 1', () => {
    const a = get('004');
    expect(a.text).not.toContain('09:08');
    expect(a.text).not.toContain('Chinhphu.vn');
    expect(a.text).not.toContain('Ảnh 1');
    expect(paragraphs(a)).not.toContain('Bộ trưởng Phan Văn Giang và Bộ trưởng Andrey Removich Belousov.');
    expect(paragraphs(a)[0]).toMatch(/^Đại tướng Phan Văn Giang, Ủy viên Bộ Chính trị, Phó Bí thư Quân ủy Trung ương/u);
  });

  it('keeps the section headings that follow photos, and the body sentence after photo 2', () => {
    const ps = paragraphs(get('004'));
    expect(ps).toContain('“Làm sâu sắc” quan hệ hữu nghị truyền thống, đối tác chiến lược toàn diện Việt Nam - Liên bang Nga');
    expect(ps).toContain('Đại tướng Phan Văn Giang mời Bộ trưởng Quốc phòng Nga sang sự Triển lãm Quốc phòng quốc tế Việt Nam 2024');
    expect(ps).toContain('Nga sẵn sàng xem xét các đề xuất hợp tác của Bộ Quốc phòng Việt Nam');
    expect(ps).toContain('Tiếp tục thúc đẩy quan hệ hợp tác quốc phòng Việt Nam - Liên bang Nga');
    expect(ps).toContain(
      'Bộ trưởng Phan Văn Giang nêu rõ quan điểm và chính sách quốc phòng “4 không” của Việt Nam nhằm mục đích hòa bình, tự vệ, bảo vệ Tổ quốc từ sớm, từ xa.',
    );
    expect(get('004').text).toContain('Công ước của Liên Hợp Quốc về Luật biển (UNCLOS) năm 1982');
  });
});
