import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/corpus/article.ts';
import { articleFromBytes } from '../../src/corpus/load.ts';
import { articleFileText, articleIdFor } from '../../src/ingest/article-file.ts';
import { decodeHtml, extractArticle } from '../../src/ingest/extract.ts';
import type { WebArticle } from '../../src/ingest/types.ts';

const ADDED = new Date('2026-12-01T09:30:00Z');

const ARTICLE: WebArticle = {
  requestedUrl: 'https://tienphong.vn/bai-viet-post1.tpo?utm_source=zalo',
  finalUrl: 'https://tienphong.vn/bai-viet-post1.tpo?utm_source=zalo',
  canonicalUrl: 'https://tienphong.vn/bai-viet-post1.tpo',
  title: 'Bộ trưởng: "Hợp tác quốc phòng là trụ cột" - lời khẳng định tại Hà Nội',
  date: '2025-11-02',
  source: 'Báo Tiền Phong',
  text: 'Chiều 2/11, hai bộ trưởng quốc phòng đã hội đàm tại Hà Nội về hợp tác song phương.\n\nHai bên nhất trí tăng cường trao đổi đoàn các cấp trong năm 2026.',
};

/** Writes the file text and reads it back the way the corpus loader does. */
function roundTrip(article: WebArticle, via?: { feed?: string }): Article {
  const id = articleIdFor(article);
  const result = articleFromBytes(`corpus/${id}.md`, id, Buffer.from(articleFileText(article, ADDED, via)));
  if ('reason' in result) throw new Error(`skipped: ${result.reason}`);
  return result;
}

describe('articleFileText', () => {
  it('writes front matter then the body', () => {
    expect(articleFileText(ARTICLE, ADDED, { feed: 'https://tienphong.vn/rss/quoc-phong.rss' })).toBe(
      [
        '---',
        'title: "Bộ trưởng: "Hợp tác quốc phòng là trụ cột" - lời khẳng định tại Hà Nội"',
        'date: "2025-11-02"',
        'source: "Báo Tiền Phong"',
        'url: "https://tienphong.vn/bai-viet-post1.tpo"',
        'fetched_from: "https://tienphong.vn/bai-viet-post1.tpo?utm_source=zalo"',
        'feed: "https://tienphong.vn/rss/quoc-phong.rss"',
        'added: "2026-12-01T09:30:00.000Z"',
        '---',
        '',
        ARTICLE.text,
        '',
      ].join('\n'),
    );
  });

  it('reads back through the corpus loader with the same title (quotes and colons included), date, source, url and paragraphs', () => {
    const back = roundTrip(ARTICLE);
    expect(back).toMatchObject({ title: ARTICLE.title, date: '2025-11-02', source: 'Tiền Phong', url: ARTICLE.canonicalUrl, text: ARTICLE.text });
  });

  it('keeps values on one line and leaves out empty ones', () => {
    const text = articleFileText({ ...ARTICLE, title: 'Dòng một\nDòng hai', date: null, source: null }, ADDED);
    expect(text).toContain('title: "Dòng một Dòng hai"\n');
    expect(text).not.toMatch(/^(date|source|feed):/mu);
    expect(roundTrip({ ...ARTICLE, title: 'Dòng một\nDòng hai', date: null, source: null })).toMatchObject({ title: 'Dòng một Dòng hai', date: null });
  });

  it('round-trips titles that start or end with quotes, and URLs with brackets', () => {
    const quoted = { ...ARTICLE, title: "'Lá chắn thép' trên biển", canonicalUrl: 'https://a.vn/tin-(1)/bai.html?q=[x]' };
    const back = roundTrip(quoted);
    expect(back.title).toBe("'Lá chắn thép' trên biển");
    expect(back.url).toBe('https://a.vn/tin-%281%29/bai.html?q=%5Bx%5D');
  });

  it('round-trips an article extracted from a fixture page: every paragraph the cleaner keeps is one of the body', () => {
    const html = decodeHtml(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'web', 'tienphong-ra-pha-bom-min.html')), null);
    const url = 'https://tienphong.vn/ra-pha-1200-ha-dat-nhiem-bom-min-o-quang-tri-truoc-mua-mua-post1790123.tpo';
    const web: WebArticle = { requestedUrl: url, finalUrl: url, ...extractArticle(html, url) };
    const back = roundTrip(web);
    expect(back).toMatchObject({ title: web.title, date: web.date, source: 'Tiền Phong', url: web.canonicalUrl });
    const bodyParagraphs = web.text.split('\n\n');
    const kept = back.text.split('\n\n');
    expect(kept).toHaveLength(bodyParagraphs.length);
    for (const paragraph of kept) expect(bodyParagraphs.some((p) => p.endsWith(paragraph))).toBe(true); // the "TPO - " dateline is cut
  });
});

describe('articleIdFor', () => {
  it('is date, host and 8 hex of the canonical URL', () => {
    expect(articleIdFor(ARTICLE)).toMatch(/^2025-11-02_tienphong-vn_[0-9a-f]{8}$/u);
    expect(articleIdFor({ ...ARTICLE, canonicalUrl: 'https://www.vnexpress.net/a.html', date: null })).toMatch(/^undated_vnexpress-net_[0-9a-f]{8}$/u);
  });
  it('is stable and differs between URLs', () => {
    expect(articleIdFor(ARTICLE)).toBe(articleIdFor({ ...ARTICLE, title: 'Khác' }));
    expect(articleIdFor(ARTICLE)).not.toBe(articleIdFor({ ...ARTICLE, canonicalUrl: 'https://tienphong.vn/bai-khac.tpo' }));
  });
  it('is ASCII for internationalised hosts', () => {
    expect(articleIdFor({ ...ARTICLE, canonicalUrl: 'https://báo.vn/a' })).toMatch(/^2025-11-02_xn-[a-z0-9-]+-vn_[0-9a-f]{8}$/u);
  });
});
