/**
 * A web article as a corpus file: Markdown whose front matter carries what the
 * cleaner reads (title, date, source, url; see `readFrontMatter` in
 * `corpus/clean.ts`) and what people want to know (fetched_from, added, feed),
 * then the body paragraphs.
 */
import { createHash } from 'node:crypto';
import type { WebArticle } from './types.ts';

/**
 * One front-matter value on one line, in double quotes. The cleaner strips
 * exactly one quote at each end and unescapes nothing, so inner quotes and
 * colons stay as they are and the value reads back unchanged.
 */
function frontMatterValue(value: string): string {
  return `"${value.replace(/\s+/gu, ' ').trim()}"`;
}

/** The cleaner takes a URL up to the first bracket or quote; those are percent-encoded so it reads the whole URL. */
function frontMatterUrl(url: string): string {
  return url.replace(/[()[\]']/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The file text for `article`, added at `addedAt`, optionally found through a feed. */
export function articleFileText(article: WebArticle, addedAt: Date, via: { feed?: string } = {}): string {
  const fields: [string, string | null | undefined][] = [
    ['title', article.title],
    ['date', article.date],
    ['source', article.source],
    ['url', frontMatterUrl(article.canonicalUrl)],
    ['fetched_from', article.requestedUrl === article.canonicalUrl ? null : article.requestedUrl],
    ['feed', via.feed],
    ['added', addedAt.toISOString()],
  ];
  const lines = fields.filter(([, value]) => value?.trim()).map(([key, value]) => `${key}: ${frontMatterValue(value!)}`);
  return ['---', ...lines, '---', '', article.text.trim(), ''].join('\n');
}

/**
 * A file-system-safe ASCII id: publication date (or "undated"), host without
 * "www." with dots as dashes, and 8 hex digits of the canonical URL's sha256,
 * e.g. `2025-11-02_tienphong-vn_1a2b3c4d`. The same article always gets the same id.
 */
export function articleIdFor(article: WebArticle): string {
  const host = new URL(article.canonicalUrl).hostname
    .replace(/^www\./u, '')
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-|-$/gu, '');
  const hash = createHash('sha256').update(article.canonicalUrl).digest('hex').slice(0, 8);
  return `${article.date ?? 'undated'}_${host || 'web'}_${hash}`;
}
