import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/text/sentences.ts';

/** The sentences of `text` as strings. */
const sentences = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

describe('splitSentences: where a sentence ends', () => {
  it('splits on . ! ? …, not on ;', () => {
    expect(sentences('Một. Hai! Ba? Bốn… Năm; sáu')).toEqual(['Một.', 'Hai!', 'Ba?', 'Bốn…', 'Năm; sáu']);
  });

  it('keeps a run of terminators together ("?!", "...")', () => {
    expect(sentences('Thật sao?! Vâng... Được')).toEqual(['Thật sao?!', 'Vâng...', 'Được']);
  });

  it('a line break always ends a sentence; titles and paragraphs are their own sentences', () => {
    const text = 'Hợp tác và phát triển bền vững\n\nTại hội đàm, hai bên thống nhất. Câu hai\r\nDòng cuối';
    expect(sentences(text)).toEqual([
      'Hợp tác và phát triển bền vững',
      'Tại hội đàm, hai bên thống nhất.',
      'Câu hai',
      'Dòng cuối',
    ]);
  });

  it('keeps a list joined by semicolons in one sentence, so a quote is never a clause torn from its sentence', () => {
    const text =
      'Nổi bật trên các lĩnh vực: Trao đổi đoàn các cấp; đào tạo; hợp tác quân binh chủng. Câu sau.';
    expect(sentences(text)).toEqual(['Nổi bật trên các lĩnh vực: Trao đổi đoàn các cấp; đào tạo; hợp tác quân binh chủng.', 'Câu sau.']);
  });
});

describe('splitSentences: where a sentence does not end', () => {
  it.each([
    ['abbreviation without space', 'Ông ở TP.HCM. Bà ở Hà Nội.', ['Ông ở TP.HCM.', 'Bà ở Hà Nội.']],
    ['abbreviation with space', 'Họp tại TP. HCM hôm qua. Xong.', ['Họp tại TP. HCM hôm qua.', 'Xong.']],
    ['English titles', 'Gặp Mr. Smith và Dr. Jones ở St. Louis. Hết.', ['Gặp Mr. Smith và Dr. Jones ở St. Louis.', 'Hết.']],
    ['academic titles', 'PGS.TS. Nguyễn Văn An và Th.S Lan, ThS. Bình phát biểu. Hết.', ['PGS.TS. Nguyễn Văn An và Th.S Lan, ThS. Bình phát biểu.', 'Hết.']],
    ['v.v. before lower case', 'Đào tạo, quân y v.v. đều tốt. Hết.', ['Đào tạo, quân y v.v. đều tốt.', 'Hết.']],
    ['initial joined to a name', 'Thứ trưởng Elbridge A.Colby. Theo ông', ['Thứ trưởng Elbridge A.Colby.', 'Theo ông']],
    ['initial before a name', 'Theo ông Elbridge A. Colby, Mỹ cam kết. Hết.', ['Theo ông Elbridge A. Colby, Mỹ cam kết.', 'Hết.']],
    ['a one-letter word is not an initial', 'Đoàn thăm ba nước châu Á. Sau đó đến nước Ý. Hết.', ['Đoàn thăm ba nước châu Á.', 'Sau đó đến nước Ý.', 'Hết.']],
    ['thousands separator', 'Có 1.000 người dự. Hết.', ['Có 1.000 người dự.', 'Hết.']],
    ['decimal point', 'Tăng 3.5 điểm. Hết.', ['Tăng 3.5 điểm.', 'Hết.']],
    ['amount then sentence end', 'Trị giá 130 triệu USD. Đây là dấu mốc.', ['Trị giá 130 triệu USD.', 'Đây là dấu mốc.']],
    ['dates', 'Tối 7/2, ngày 31/10/2025. Hết.', ['Tối 7/2, ngày 31/10/2025.', 'Hết.']],
    ['URL', 'Nguồn: https://tienphong.vn/lanh-dao-post1821943.tpo?a=1 tham khảo. Hết.', ['Nguồn: https://tienphong.vn/lanh-dao-post1821943.tpo?a=1 tham khảo.', 'Hết.']],
    ['period before a lower-case word', 'Số 5. và tiếp. Hết.', ['Số 5. và tiếp.', 'Hết.']],
    ['ellipsis before a lower-case word', 'giáo dục và đào tạo… cùng nhiều lĩnh vực... khác. Xong', ['giáo dục và đào tạo… cùng nhiều lĩnh vực... khác.', 'Xong']],
  ])('%s', (_name, text, expected) => {
    expect(sentences(text)).toEqual(expected);
  });
});

describe('splitSentences: quotes and brackets', () => {
  it('closing quotes and brackets after the terminator stay with the sentence', () => {
    expect(sentences('Ông nói: “Xin chào.” Bà đáp (đúng vậy.) Họ đi.')).toEqual([
      'Ông nói: “Xin chào.”',
      'Bà đáp (đúng vậy.)',
      'Họ đi.',
    ]);
  });

  it('a terminator after the closing quote ends the sentence', () => {
    const text =
      'Việt Nam luôn nhất quán đường lối đối ngoại “độc lập, tự chủ”. Việt Nam trước sau như một.';
    expect(sentences(text)).toEqual([
      'Việt Nam luôn nhất quán đường lối đối ngoại “độc lập, tự chủ”.',
      'Việt Nam trước sau như một.',
    ]);
  });

  it('keeps the sentences of a short quotation together, so a quote never tears a speaker\'s words apart', () => {
    expect(sentences('Ông nói: “Tất nhiên! Giá sẽ tăng. Ví dụ như mười lần.” Bà im lặng.')).toEqual([
      'Ông nói: “Tất nhiên! Giá sẽ tăng. Ví dụ như mười lần.”',
      'Bà im lặng.',
    ]);
    expect(sentences('Ông nói: "Tất nhiên... Ví dụ như mười lần." Bà im lặng.')).toEqual([
      'Ông nói: "Tất nhiên... Ví dụ như mười lần."',
      'Bà im lặng.',
    ]);
  });

  it('an unclosed quotation holds sentences together only for a while, and never past the line', () => {
    const long = 'Câu dài có nhiều chữ. '.repeat(40);
    const split = sentences(`Ông nói: “${long}`);
    expect(split.length).toBeGreaterThan(10);
    expect(sentences('Ông nói: “Một câu.\nHai câu. Ba câu.')).toEqual(['Ông nói: “Một câu.', 'Hai câu.', 'Ba câu.']);
  });

  it('an opening quote before a lower-case word does not start a sentence', () => {
    expect(sentences('Chủ trương. “làm sâu sắc” quan hệ. Hết')).toEqual(['Chủ trương. “làm sâu sắc” quan hệ.', 'Hết']);
  });
});

describe('splitSentences: spans', () => {
  it('are trimmed, never empty, and shifted by offset', () => {
    const text = '  \n  Một câu.   Hai câu.  \n\n   \n';
    const spans = splitSentences(text, 100);
    expect(spans).toEqual([
      { start: 105, end: 113 },
      { start: 116, end: 124 },
    ]);
  });

  it('empty or blank text has no sentences', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\t\n ')).toEqual([]);
  });

  it('a stray punctuation fragment joins the sentence before it on the same line', () => {
    expect(sentences('Hết. … Tiếp')).toEqual(['Hết. …', 'Tiếp']);
    expect(sentences('…')).toEqual(['…']);
  });
});

describe('splitSentences: every seed article', () => {
  const dir = join(import.meta.dirname, '../../corpus');
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

  it.each(files)('%s: ordered, trimmed, non-empty spans that keep every word', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const spans = splitSentences(text);
    expect(spans.length).toBeGreaterThan(5);
    let last = 0;
    for (const { start, end } of spans) {
      expect(start).toBeGreaterThanOrEqual(last);
      expect(end).toBeGreaterThan(start);
      const s = text.slice(start, end);
      expect(s).toBe(s.trim());
      expect(s).not.toMatch(/\n/);
      last = end;
    }
    // Nothing but whitespace lies between sentences.
    const between = spans.map((s, i) => text.slice(i === 0 ? 0 : spans[i - 1].end, s.start)).join('') + text.slice(last);
    expect(between.trim()).toBe('');
  });

  it('keeps the real sentences of the corpus whole', () => {
    const text = readFileSync(join(dir, '002_8639caca932e6f8c.txt'), 'utf8');
    const all = sentences(text);
    expect(all).toContain(
      'Trong đó, hợp tác khắc phục hậu quả bom mìn, chất độc hóa học sau chiến tranh tiếp tục được triển khai, với việc công bố khoản hỗ trợ mới trị giá 130 triệu USD dành cho Dự án xử lý ô nhiễm dioxin tại khu vực sân bay Biên Hòa.',
    );
    expect(all).toContain(
      'Đặc biệt, ngày 31/10/2025, Thứ trưởng Bộ Quốc phòng Việt Nam và Đại sứ Mỹ tại Việt Nam - thay mặt Bộ Chiến tranh và Bộ Ngoại giao Mỹ, đã ký Bản ghi nhớ về tăng cường hợp tác khắc phục hậu quả chiến tranh.',
    );
    const colby = sentences(readFileSync(join(dir, '001_9a1c2d64579a2831.txt'), 'utf8'));
    expect(colby.some((s) => s.startsWith('Theo ông Elbridge A.Colby, Bộ Chiến tranh Mỹ cam kết'))).toBe(true);
    expect(colby).toContain(
      'Nguồn Tiền Phong: https://tienphong.vn/lanh-dao-bo-quoc-phong-viet-nam-va-bo-chien-tranh-my-gap-go-tai-washington-post1821943.tpo',
    );
  });
});
