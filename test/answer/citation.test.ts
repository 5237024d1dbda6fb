import { describe, expect, it } from 'vitest';
import { citationOf, formatCitationHtml, formatCitationText, formatDate } from '../../src/answer/citation.ts';
import type { Article } from '../../src/corpus/article.ts';

const article: Article = {
  id: 'hai-cot',
  path: '/corpus/hai-cot.txt',
  title: 'Trao trả hài cốt <quân nhân> Mỹ',
  date: '2025-11-02',
  source: 'Tiền Phong',
  url: 'https://tienphong.vn/a?b=1&c=2',
  text: 'Việt Nam đã trao trả cho Mỹ 12 hòm hài cốt.',
  contentHash: '0'.repeat(64),
};

describe('citationOf', () => {
  it("is the article's id, title, date, source and link, nothing of its text", () => {
    expect(citationOf(article)).toEqual({ id: 'hai-cot', title: article.title, date: '2025-11-02', source: 'Tiền Phong', url: article.url });
  });
});

describe('citation formatting', () => {
  it('writes dates the Vietnamese way', () => {
    expect(formatDate('2025-11-02')).toBe('02/11/2025');
    expect(formatDate('2025-02')).toBe('02/2025');
    expect(formatDate(null)).toBeNull();
  });

  it('shows title, date, source and link as one plain line', () => {
    expect(formatCitationText(citationOf(article))).toBe('Trao trả hài cốt <quân nhân> Mỹ — 02/11/2025, Tiền Phong — https://tienphong.vn/a?b=1&c=2');
    expect(formatCitationText({ ...citationOf(article), date: null, source: null, url: null })).toBe('Trao trả hài cốt <quân nhân> Mỹ');
  });

  it('links the escaped title in Telegram HTML, bold when there is no link', () => {
    expect(formatCitationHtml(citationOf(article))).toBe(
      '<a href="https://tienphong.vn/a?b=1&amp;c=2">Trao trả hài cốt &lt;quân nhân&gt; Mỹ</a> — 02/11/2025, Tiền Phong',
    );
    expect(formatCitationHtml({ ...citationOf(article), url: null, date: null, source: null })).toBe('<b>Trao trả hài cốt &lt;quân nhân&gt; Mỹ</b>');
  });
});
