import { describe, expect, it } from 'vitest';
import { answerHighlights } from '../../src/answer/highlight.ts';

const marked = (quote: string, spans: [number, number][]) => spans.map(([s, e]) => quote.slice(s, e));
const any = () => true;

describe('answerHighlights', () => {
  it('marks the amount for a quantity question', () => {
    const q = 'Mỹ công bố khoản hỗ trợ mới trị giá 130 triệu USD cho dự án.';
    expect(marked(q, answerHighlights(q, 'quantity', any))).toEqual(['130 triệu USD']);
  });

  it('marks dates and years for a time question', () => {
    const q = 'Bộ trưởng thăm Mỹ vào tháng 9/2024, sau chuyến thăm ngày 19/2.';
    expect(marked(q, answerHighlights(q, 'time', any))).toEqual(['tháng 9/2024', 'ngày 19/2']);
  });

  it('marks names the question does not use for a person question, not the first word alone', () => {
    const q = 'Đại tướng Phan Văn Giang hội đàm với đồng chí Andrey Removich Belousov.';
    const notAsked = (w: string) => !['Phan', 'Văn', 'Giang', 'Đại'].includes(w);
    expect(marked(q, answerHighlights(q, 'person', notAsked))).toEqual(['Andrey Removich Belousov']);
  });

  it('marks nothing when the question does not say what it asks for', () => {
    expect(answerHighlights('Có 130 triệu USD.', null, any)).toEqual([]);
  });
});
