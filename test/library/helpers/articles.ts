/**
 * Test articles for the live-library tests: news pages (HTML with JSON-LD) to serve from the
 * local web server, corpus files (the Markdown `trichdan add` writes), generated articles with
 * one fact each that no other article holds, and a snapshot of what is on disk (to prove that a
 * refused input added nothing).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { articleFileText } from '../../../src/ingest/article-file.ts';
import type { ArticleInfo } from '../../../src/library/types.ts';

/** A news article as a test writes it. */
export interface TestArticle {
  title: string;
  /** ISO date. */
  date: string;
  source: string;
  paragraphs: string[];
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A news page: JSON-LD NewsArticle (headline, date, publisher, url), Open Graph, a menu and a
 * footer around an `<article>`. Without `canonical` the page names none (its own URL counts).
 */
export function articlePage(article: TestArticle, canonical?: string): string {
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: article.title,
    datePublished: `${article.date}T08:30:00+07:00`,
    publisher: { '@type': 'Organization', name: article.source },
    ...(canonical ? { url: canonical } : {}),
  };
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>${escapeHtml(article.title)} - ${escapeHtml(article.source)}</title>
<meta property="og:title" content="${escapeHtml(article.title)}">
<meta property="og:site_name" content="${escapeHtml(article.source)}">
${canonical ? `<link rel="canonical" href="${escapeHtml(canonical)}">` : ''}
<script type="application/ld+json">${JSON.stringify(ld)}</script>
</head><body>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li><li><a href="/the-gioi">Thế giới</a></li></ul></nav>
<article>
<h1>${escapeHtml(article.title)}</h1>
${article.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
</article>
<footer><p>© ${escapeHtml(article.source)}. Giấy phép số 123/GP-BTTTT.</p></footer>
</body></html>
`;
}

/** The Markdown file `trichdan add <url>` would write for this article. */
export function articleMarkdown(article: TestArticle, url: string, addedAt = new Date('2025-11-20T03:00:00Z')): string {
  return articleFileText(
    { requestedUrl: url, finalUrl: url, canonicalUrl: url, title: article.title, date: article.date, source: article.source, text: article.paragraphs.join('\n\n') },
    addedAt,
  );
}

const PLACES = ['Tân Lập', 'Phú Mỹ', 'Đông Hòa', 'Bình Minh', 'An Khánh', 'Hòa Phong', 'Thạch Bàn', 'Vĩnh Tuy', 'Long Biên', 'Đức Giang'];
const RIVERS = ['sông Đáy', 'sông Lam', 'sông Mã', 'sông Cầu', 'sông Thương', 'sông Gianh', 'sông Hiếu', 'sông Trà Khúc'];

/**
 * Article number `n`: a bridge opened in a commune, with a number (its length, 1000 + n metres)
 * and a code (CB-<n>) no other generated article holds. `padding` adds paragraphs (bigger files).
 */
export function generatedArticle(n: number, padding = 0): TestArticle & { question: string; fact: string } {
  const place = `${PLACES[n % PLACES.length]} ${n}`;
  const river = RIVERS[n % RIVERS.length];
  const length = 1000 + n;
  const fact = `Cây cầu mang mã hiệu CB-${n} dài ${length} mét`;
  const paragraphs = [
    `Sáng 18/11, Ủy ban nhân dân xã ${place} khánh thành cây cầu bắc qua ${river}, nối hai thôn vốn phải đi đò qua sông.`,
    `${fact}, rộng 9 mét, được xây dựng trong 14 tháng với tổng vốn ${200 + n} tỷ đồng từ ngân sách tỉnh.`,
    `Ông Nguyễn Văn Hùng, Chủ tịch xã ${place}, cho biết cây cầu giúp hơn ${3000 + n} hộ dân rút ngắn quãng đường đến trung tâm huyện. "Bà con đã chờ cây cầu này nhiều năm", ông nói.`,
  ];
  for (let i = 0; i < padding; i++) {
    paragraphs.push(
      `Theo báo cáo số ${n}-${i} của ban quản lý dự án xã ${place}, đơn vị thi công đã hoàn thành hạng mục thứ ${i + 1} đúng tiến độ, bảo đảm an toàn lao động và vệ sinh môi trường trong suốt quá trình thi công. Các hộ dân ven ${river} được hỗ trợ di dời và ổn định cuộc sống trước mùa mưa lũ năm nay.`,
    );
  }
  return {
    title: `Khánh thành cầu CB-${n} qua ${river} ở xã ${place}`,
    date: `2025-11-${String(1 + (n % 28)).padStart(2, '0')}`,
    source: 'Báo Thử Nghiệm',
    paragraphs,
    fact,
    question: `Cây cầu mã hiệu CB-${n} dài bao nhiêu mét?`,
  };
}

/** What is on disk and listed: every name in the corpus folder (dot-files too), the listing, the manifest and the index files. */
export interface LibraryState {
  corpusFiles: string[];
  listed: ArticleInfo[];
  manifest: string;
  indexFiles: string[];
}

export async function libraryState(corpusDir: string, indexDir: string, list: () => ArticleInfo[]): Promise<LibraryState> {
  return {
    corpusFiles: (await readdir(corpusDir)).sort(),
    listed: [...list()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    manifest: await readFile(path.join(indexDir, 'manifest.json'), 'utf8'),
    indexFiles: (await readdir(indexDir)).filter((n) => n !== '.lock').sort(),
  };
}
