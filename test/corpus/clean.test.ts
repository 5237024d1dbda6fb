import { describe, expect, it } from 'vitest';
import { cleanArticleText } from '../../src/corpus/clean.ts';

const LONG =
  'Đại tướng Phan Văn Giang khẳng định hợp tác khắc phục hậu quả chiến tranh là điểm sáng trong quan hệ quốc phòng hai nước, được lãnh đạo cấp cao hai nước cam kết mạnh mẽ.';

/** Joins paragraphs with blank lines, like the seed files. */
const doc = (...ps: string[]) => ps.join('\n\n') + '\n';
const paras = (body: string) => body.split('\n\n');

describe('text normalisation', () => {
  it('produces NFC from decomposed input, and trims and collapses spaces', () => {
    const decomposed = 'Tin\n\nBie\u0302\u0300n Ho\u0300a  có   nhiều\u00a0sân bay.'.normalize('NFD');
    const c = cleanArticleText(decomposed);
    expect(c.title).toBe('Tin');
    expect(c.body).toBe('Biền Hòa có nhiều sân bay.'.normalize('NFC'));
    expect(c.body).toBe(c.body.normalize('NFC'));
  });

  it('handles a BOM, CRLF, zero-width characters and runs of blank lines', () => {
    const c = cleanArticleText('\uFEFFTiêu đề\r\n\r\n\r\n\r\nĐoạn\u200b một.\r\n\r\n\r\nĐoạn hai.\r\n');
    expect(c.title).toBe('Tiêu đề');
    expect(c.body).toBe('Đoạn một.\n\nĐoạn hai.');
  });

  it('removes bidi controls and other invisible characters inside words (issue 12)', () => {
    const c = cleanArticleText('Tiêu đề\n\nXử lý dio\u200exin ở Bi\u202aên\u202c Hòa\u2066\u2069 và di\u00adoxin\u2063.\n');
    expect(c.body).toBe('Xử lý dioxin ở Biên Hòa và dioxin.');
  });

  it('joins soft-wrapped lines inside a paragraph with one space', () => {
    const c = cleanArticleText('Oxygen\n\nNăm 1891 ông tạo ra đủ O\n2 lỏng để nghiên cứu.\n\nĐoạn hai.');
    expect(paras(c.body)).toEqual(['Năm 1891 ông tạo ra đủ O 2 lỏng để nghiên cứu.', 'Đoạn hai.']);
  });

  it('takes every line as a paragraph when the file has no blank line', () => {
    const c = cleanArticleText('Tiêu đề bài\nCâu thứ nhất.\nCâu thứ hai.\nIn bài viết');
    expect(c.title).toBe('Tiêu đề bài');
    expect(paras(c.body)).toEqual(['Câu thứ nhất.', 'Câu thứ hai.']);
  });
});

describe('boilerplate', () => {
  it('removes print/share furniture only when it is the whole paragraph', () => {
    const c = cleanArticleText(doc('In bài viết', 'Tiêu đề', LONG, 'Chia sẻ | Lưu', 'Theo dõi Báo Tiền Phong trên Google News', 'In bài viết này ra giấy là việc của bạn.'));
    expect(paras(c.body)).toEqual([LONG, 'In bài viết này ra giấy là việc của bạn.']);
  });

  it('removes both copies of a duplicated caption, indented or adjacent', () => {
    const c = cleanArticleText(doc('Tiêu đề', LONG, ' Quang cảnh buổi tiếp.', 'Quang cảnh buổi tiếp.', 'Đoạn cuối cùng của bài viết.'));
    expect(paras(c.body)).toEqual([LONG, 'Đoạn cuối cùng của bài viết.']);
    expect(c.removed.filter((r) => r.rule === 'duplicate-caption')).toHaveLength(2);
  });

  it('keeps the first real copy when a caption repeats a body paragraph', () => {
    const c = cleanArticleText(doc('Tiêu đề', LONG, 'Đoạn giữa bài.', ` ${LONG}`, LONG, 'Đoạn cuối.'));
    expect(paras(c.body)).toEqual([LONG, 'Đoạn giữa bài.', 'Đoạn cuối.']);
  });

  it('keeps a lone indented paragraph: indentation alone is no evidence', () => {
    const c = cleanArticleText(doc('Tiêu đề', `  ${LONG}`, 'Đoạn hai.'));
    expect(paras(c.body)).toEqual([LONG, 'Đoạn hai.']);
  });

  it('removes photo credits, alone, in brackets or after a caption, but never "ảnh hưởng"', () => {
    const c = cleanArticleText(
      doc(
        'Tiêu đề',
        LONG,
        'Ảnh: Nguyễn Minh',
        'Ảnh minh họa',
        'Hai Bộ trưởng tại lễ đón (Ảnh: TTXVN)',
        'Bộ trưởng phát biểu. Ảnh: Thống Nhất – TTXVN',
        'Ảnh hưởng của bão số 3: nhiều tuyến đường bị ngập.',
      ),
    );
    expect(paras(c.body)).toEqual([LONG, 'Ảnh hưởng của bão số 3: nhiều tuyến đường bị ngập.']);
  });

  it('strips only the credit from a long paragraph that ends with one', () => {
    const long = `${LONG} ${LONG} ${LONG}`;
    const c = cleanArticleText(doc('Tiêu đề', `${long} Ảnh: Nguyễn Minh`));
    expect(c.body).toBe(long);
    expect(c.removed).toContainEqual({ text: 'Ảnh: Nguyễn Minh', rule: 'photo-credit' });
  });

  it('removes "- Ảnh N." lines and the short caption after them, but keeps headings and long sentences', () => {
    const c = cleanArticleText(
      doc(
        'Hội đàm quốc phòng',
        LONG,
        'Hội đàm quốc phòng- Ảnh 1.',
        'Bộ trưởng A và Bộ trưởng B.',
        'Một tiêu đề mục không có dấu chấm',
        'Hội đàm quốc phòng - Ảnh 2.',
        'Tiếp tục thúc đẩy hợp tác quốc phòng',
        'Hội đàm quốc phòng – Ảnh 3',
        `Ngoài ra, ${LONG}`,
      ),
    );
    expect(paras(c.body)).toEqual([LONG, 'Một tiêu đề mục không có dấu chấm', 'Tiếp tục thúc đẩy hợp tác quốc phòng', `Ngoài ra, ${LONG}`]);
  });

  it('takes a chain of short captions after a lone credit, stopping at body text', () => {
    const c = cleanArticleText(doc('Tiêu đề', LONG, 'Ảnh: Nguyễn Minh', 'Hai Bộ trưởng duyệt Đội danh dự.', 'Quang cảnh lễ đón.', LONG.replace('Đại', 'Ông')));
    expect(paras(c.body)).toEqual([LONG, LONG.replace('Đại', 'Ông')]);
  });

  it('keeps short sentences that have no photo marker near them', () => {
    const c = cleanArticleText(doc('Tiêu đề', LONG, 'Bộ trưởng phát biểu tại hội đàm.', 'Kết thúc hội đàm, hai bên trao đổi kỷ vật.'));
    expect(paras(c.body)).toEqual([LONG, 'Bộ trưởng phát biểu tại hội đàm.', 'Kết thúc hội đàm, hai bên trao đổi kỷ vật.']);
  });

  it('keeps the title when its alt-text copy follows it directly', () => {
    const c = cleanArticleText(doc('Vì sao giá vàng tăng?', 'Vì sao giá vàng tăng?', LONG));
    expect(c).toMatchObject({ title: 'Vì sao giá vàng tăng?', titleFrom: 'line', body: LONG });
  });

  it('removes decoration lines and a repeat of the title', () => {
    const c = cleanArticleText(doc('Tiêu đề bài', LONG, '***', 'Tiêu đề bài', 'Đoạn hai.'));
    expect(paras(c.body)).toEqual([LONG, 'Đoạn hai.']);
  });

  it('removes bylines only at the very end', () => {
    const c = cleanArticleText(doc('Tiêu đề', 'Nguyễn Minh', LONG, 'Trần Văn An - Lê Hoa', 'Bài và ảnh: Minh Anh'));
    expect(paras(c.body)).toEqual(['Nguyễn Minh', LONG]);
  });

  it('keeps a closing sentence that starts with "Theo"', () => {
    const last = 'Theo Đại tướng Phan Văn Giang, hai bên sẽ tiếp tục hợp tác.';
    const c = cleanArticleText(doc('Tiêu đề', LONG, last));
    expect(paras(c.body)).toEqual([LONG, last]);
    expect(c.source).toBeNull();
  });
});

describe('metadata found while cleaning', () => {
  it('reads a date header, keeps what follows it on the line', () => {
    const c = cleanArticleText(' date 2025-11-02 Tiêu đề bài viết\n\nĐoạn một.');
    expect(c).toMatchObject({ title: 'Tiêu đề bài viết', titleFrom: 'line', date: '2025-11-02', body: 'Đoạn một.' });
  });

  it('derives a title from the first sentence when the file has no title line', () => {
    const c = cleanArticleText(' date 2025-02 Tối 7/2, hai Bộ trưởng điện đàm. Họ bàn về hợp tác.\n\nĐoạn hai.');
    expect(c).toMatchObject({ title: 'Tối 7/2, hai Bộ trưởng điện đàm', titleFrom: 'first-sentence', date: '2025-02' });
    expect(paras(c.body)[0]).toBe('Tối 7/2, hai Bộ trưởng điện đàm. Họ bàn về hợp tác.');
  });

  it('reads timestamps, datelines, source lines and "Theo X" closers', () => {
    const c = cleanArticleText(doc('Tiêu đề', 'Thứ Tư, 14/08/2024 09:08 (GMT+7)', `HÀ NỘI (TTXVN) - ${LONG}`, 'Đoạn hai.', 'Theo TTXVN'));
    expect(c).toMatchObject({ date: '2024-08-14', source: 'TTXVN', url: null });
    expect(paras(c.body)).toEqual([LONG, 'Đoạn hai.']);
  });

  it('prefers the source line to the dateline, and reads its URL', () => {
    const c = cleanArticleText(doc('Tiêu đề', `TPO - ${LONG}`, 'Nguồn VOV: https://vov.vn/bai-viet-123.vov'));
    expect(c).toMatchObject({ source: 'VOV', url: 'https://vov.vn/bai-viet-123.vov' });
    expect(c.body).toBe(LONG);
  });

  it('takes a link line as the URL and its host as the source', () => {
    const c = cleanArticleText(doc('Tiêu đề', LONG, 'Link bài gốc: https://www.example.com.vn/tin/1.html'));
    expect(c).toMatchObject({ source: 'example.com.vn', url: 'https://www.example.com.vn/tin/1.html', body: LONG });
  });

  it('uses a URL inside the text when nothing better names one, and keeps the text', () => {
    const p = 'Chi tiết xem tại https://tienphong.vn/bai-1.tpo, trang của báo.';
    const c = cleanArticleText(doc('Tiêu đề', LONG, p));
    expect(c).toMatchObject({ source: 'Tiền Phong', url: 'https://tienphong.vn/bai-1.tpo' });
    expect(paras(c.body)).toEqual([LONG, p]);
  });

  it('does not take "Nguồn tin cho biết, …" for a source line', () => {
    const p = 'Nguồn tin cho biết, hai bên sẽ ký kết thỏa thuận.';
    const c = cleanArticleText(doc('Tiêu đề', LONG, p));
    expect(paras(c.body)).toEqual([LONG, p]);
    expect(c.source).toBeNull();
  });

  it('reads Markdown front matter and headings', () => {
    const md = '---\ntitle: "Bài Markdown"\ndate: 14/08/2024\nsource: TPO\nurl: https://tienphong.vn/x.tpo\n---\n\n## Mục một\n\nĐoạn một.\n';
    const c = cleanArticleText(md);
    expect(c).toMatchObject({ title: 'Bài Markdown', titleFrom: 'front-matter', date: '2024-08-14', source: 'Tiền Phong', url: 'https://tienphong.vn/x.tpo' });
    expect(paras(c.body)).toEqual(['Mục một', 'Đoạn một.']);
  });

  it('takes a Markdown "# " heading as the title line', () => {
    expect(cleanArticleText('# Tiêu đề\n\nĐoạn một.')).toMatchObject({ title: 'Tiêu đề', body: 'Đoạn một.' });
  });

  it('returns an empty body when only boilerplate is left', () => {
    expect(cleanArticleText('In bài viết\n\nẢnh: Nguyễn Minh\n').body).toBe('');
    expect(cleanArticleText('Chỉ có tiêu đề').body).toBe('');
  });
});
