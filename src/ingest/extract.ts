/**
 * From a news page to its article: title, date, source, canonical URL and body paragraphs.
 *
 * Metadata comes from what Vietnamese news sites publish: JSON-LD
 * (`NewsArticle` and kin, also inside arrays and `@graph`), Open Graph,
 * `<link rel=canonical>`, `<meta name=pubdate>` and `<time datetime>`. The body is the
 * article Mozilla's Readability picks, cut into paragraphs, without photo captions,
 * link lists ("Tin liên quan"), date lines and furniture labels.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { isKnownSource, isoDate, resolveSourceName, sourceFromUrl } from '../corpus/metadata.ts';
import { safeFetch } from './safe-fetch.ts';
import { type FetchPolicy, IngestError, type WebArticle } from './types.ts';

/** The part of the DOM used here (linkedom provides it; the project compiles without the DOM library). */
interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}
interface DomElement extends DomNode {
  tagName: string;
  getAttribute(name: string): string | null;
  remove(): void;
}
interface DomDocument {
  title: string;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

/** What a page says about its article, JSON-LD first. */
interface PageMetadata {
  titles: (string | null | undefined)[];
  dates: (string | null | undefined)[];
  sourceNames: (string | null | undefined)[];
  urls: (string | null | undefined)[];
}

/** An extracted article, before the fetch adds where it was requested and found. */
export type ExtractedArticle = Omit<WebArticle, 'requestedUrl' | 'finalUrl'>;

/** Fewest characters of body text that count as an article. */
export const MIN_ARTICLE_CHARS = 200;
/** Fewest sentences of body text that count as an article. */
export const MIN_ARTICLE_SENTENCES = 2;
/** Vietnamese sites publish in +07:00; a UTC ("Z") timestamp is moved there before its date is taken. */
const SITE_UTC_OFFSET_HOURS = 7;

const ARTICLE_TYPES = new Set(['Article', 'NewsArticle', 'ReportageNewsArticle', 'AnalysisNewsArticle', 'OpinionNewsArticle', 'BackgroundNewsArticle', 'BlogPosting']);
const TRACKING_PARAMS = new Set(['fbclid', 'gclid']);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

const BLOCK_TAGS = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'DD', 'DIV', 'DL', 'DT', 'FIGURE', 'FOOTER', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6',
  'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TBODY', 'TD', 'TH', 'THEAD', 'TR', 'UL',
]);
const SKIPPED_TAGS = new Set(['AUDIO', 'BUTTON', 'FIGCAPTION', 'FORM', 'IFRAME', 'IMG', 'INPUT', 'NOSCRIPT', 'PICTURE', 'SCRIPT', 'SELECT', 'STYLE', 'SVG', 'TEMPLATE', 'TEXTAREA', 'VIDEO']);
/** Headings of related-article boxes: the links under them are dropped as link lists, the heading by this. */
const BOX_LABELS = new Set(['tin liên quan', 'bài liên quan', 'tin cùng chuyên mục', 'xem thêm', 'đọc thêm', 'đọc tiếp', 'có thể bạn quan tâm', 'tin khác']);
/** A paragraph that is only a date and time ("Thứ tư, 12/11/2025, 20:45 (GMT+7)"). */
const DATE_LINE = /^(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật|ngày|cập nhật|lúc|gmt\s*[+-]\s*\d{1,2}|\d{1,4}|[\s,:/().|h+–-])+)$/iu;
/** Share of a paragraph's letters inside links above which it is a link list, not text. */
const MAX_LINK_SHARE = 0.8;

/** Whitespace collapsed, trimmed, NFC. */
function tidy(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/gu, ' ').trim().normalize('NFC');
}

function meta(document: DomDocument, key: string): string | null {
  const element = document.querySelector(`meta[property="${key}"], meta[name="${key}"], meta[itemprop="${key}"]`);
  return element?.getAttribute('content') ?? null;
}

const asString = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

/** The first JSON-LD node typed as an article, searching arrays and `@graph`. */
function findArticleNode(data: unknown): Record<string, unknown> | null {
  if (Array.isArray(data)) {
    for (const item of data) {
      const found = findArticleNode(item);
      if (found) return found;
    }
    return null;
  }
  if (!data || typeof data !== 'object') return null;
  const node = data as Record<string, unknown>;
  const types = ([] as unknown[]).concat(node['@type'] ?? []);
  if (types.some((t) => typeof t === 'string' && ARTICLE_TYPES.has(t))) return node;
  return findArticleNode(node['@graph']);
}

/** Reads a JSON-LD `url`-like value: a string, or an object with `@id`/`url`. */
function ldUrl(value: unknown): string | null {
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return asString(object['@id']) ?? asString(object.url);
  }
  return asString(value);
}

function jsonLdArticle(document: DomDocument): PageMetadata {
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    let data: unknown;
    try {
      data = JSON.parse(script.textContent ?? '');
    } catch {
      continue; // Sites often ship broken JSON-LD; the other metadata still counts.
    }
    const article = findArticleNode(data);
    if (!article) continue;
    const publisher = ([] as unknown[]).concat(article.publisher ?? [])[0] as Record<string, unknown> | undefined;
    return {
      titles: [asString(article.headline)],
      dates: [asString(article.datePublished)],
      sourceNames: [asString(publisher?.name)],
      urls: [asString(article.url) ?? ldUrl(article.mainEntityOfPage)],
    };
  }
  return { titles: [], dates: [], sourceNames: [], urls: [] };
}

/** Every metadata candidate of the page, in priority order per field (Readability's title is added later). */
function readMetadata(document: DomDocument): PageMetadata {
  const ld = jsonLdArticle(document);
  return {
    titles: [...ld.titles, meta(document, 'og:title')],
    dates: [
      ...ld.dates,
      meta(document, 'article:published_time'),
      meta(document, 'datePublished'),
      meta(document, 'pubdate'),
      document.querySelector('time[datetime]')?.getAttribute('datetime'),
    ],
    sourceNames: [...ld.sourceNames, meta(document, 'og:site_name')],
    urls: [document.querySelector('link[rel="canonical"]')?.getAttribute('href'), meta(document, 'og:url'), ...ld.urls],
  };
}

/**
 * The calendar date of a timestamp where it was published: the written date
 * when it carries an offset or none ("2025-11-02T23:30:00+07:00" → 2025-11-02),
 * the +07:00 date for UTC ("2025-11-02T17:30:00Z" → 2025-11-03). Also reads
 * `DD/MM/YYYY`. Null when unreadable or impossible.
 */
export function pageLocalDate(timestamp: string): string | null {
  const text = timestamp.trim();
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?/iu.exec(text);
  if (iso) {
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const written = isoDate(year, month, day);
    if (written === null || iso[6]?.toUpperCase() !== 'Z') return written;
    const utc = Date.UTC(year, month - 1, day, Number(iso[4]), Number(iso[5]));
    return new Date(utc + SITE_UTC_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 10);
  }
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\b/u.exec(text);
  return vn ? isoDate(Number(vn[3]), Number(vn[2]), Number(vn[1])) : null;
}

/** An article URL made absolute, without fragment and without utm_*, fbclid and gclid parameters; null when not http(s). */
export function normalizeArticleUrl(href: string, base?: string): string | null {
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  const tracking = [...url.searchParams.keys()].filter((key) => /^utm_/iu.test(key) || TRACKING_PARAMS.has(key.toLowerCase()));
  for (const key of tracking) url.searchParams.delete(key);
  return url.href;
}

/** Lower case, no diacritics, letters and digits only, without a leading "báo": for comparing site names. */
function siteKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/giu, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/gu, '')
    .replace(/^bao(?=.)/u, '');
}

/** "Tiêu đề - VnExpress" → "Tiêu đề" when the part after the last separator is one of the site's names. */
function stripSiteSuffix(title: string, siteNames: string[]): string {
  const m = /^(.*\S)\s+[-|–—»]\s+([^|–—»]+)$/u.exec(title);
  if (!m) return title;
  const suffix = siteKey(m[2]);
  return siteNames.some((name) => siteKey(name) === suffix) ? m[1] : title;
}

/** The known source name for the page when there is one, else the name it gives itself, else its host. */
function chooseSource(names: string[], canonicalUrl: string): string | null {
  const resolved = names.map(resolveSourceName);
  const fromHost = sourceFromUrl(canonicalUrl);
  return resolved.find(isKnownSource) ?? (fromHost && isKnownSource(fromHost) ? fromHost : resolved[0] ?? fromHost);
}

/**
 * The lead paragraph ("sapo") most Vietnamese sites print above the body in its own
 * element, which Readability often leaves out. The first one in the page is the article's.
 */
function findLead(document: DomDocument): string | null {
  for (const element of document.querySelectorAll('[class*="sapo"]')) {
    const text = tidy(element.textContent);
    if (text.length >= 60) return text;
  }
  return null;
}

/**
 * Takes photo captions and reader comments out before Readability: it strips class names, captions
 * are not always in <figcaption>, and on a short article a comment box can outweigh the body.
 */
const NOT_ARTICLE_TEXT = [
  'figcaption',
  '[class*="caption" i]',
  '[class*="comment" i]',
  '[id*="comment" i]',
  '[class*="binh-luan" i]',
  '[id*="binh-luan" i]',
  '[class*="binhluan" i]',
].join(', ');

function removeCaptions(document: DomDocument): void {
  for (const element of [...document.querySelectorAll(NOT_ARTICLE_TEXT)]) element.remove();
}

const letterCount = (text: string) => text.replace(/[^\p{L}\p{N}]/gu, '').length;

/** Splits Readability's content into paragraphs: one per block element, captions and media skipped, link lists dropped. */
function paragraphsOf(root: DomNode): string[] {
  const paragraphs: string[] = [];
  let text = '';
  let linkText = '';
  const flush = () => {
    const paragraph = tidy(text);
    const letters = letterCount(paragraph);
    const isLinkList = letters > 0 && letterCount(linkText) >= MAX_LINK_SHARE * letters;
    const key = paragraph.toLocaleLowerCase('vi').replace(/[\s:.…]+$/u, '');
    if (letters > 0 && !isLinkList && !BOX_LABELS.has(key) && !DATE_LINE.test(paragraph)) paragraphs.push(paragraph);
    text = '';
    linkText = '';
  };
  const walk = (node: DomNode, inLink: boolean) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) {
        text += child.textContent ?? '';
        if (inLink) linkText += child.textContent ?? '';
        continue;
      }
      if (child.nodeType !== 1) continue;
      const tag = (child as DomElement).tagName.toUpperCase();
      if (SKIPPED_TAGS.has(tag)) continue;
      const block = BLOCK_TAGS.has(tag);
      if (block) flush();
      walk(child, inLink || tag === 'A');
      if (block) flush();
    }
  };
  walk(root, false);
  flush();
  return paragraphs;
}

function sentenceCount(text: string): number {
  return (text.match(/[.!?…]["”’)]*(?=\s|$)/gu) ?? []).length;
}

/**
 * Extracts the article of a page. `pageUrl` is where the page was found (after
 * redirects); relative URLs resolve against it. Throws IngestError 'no_article'
 * when the page has no article text (a category listing, an error page).
 */
export function extractArticle(html: string, pageUrl: string): ExtractedArticle {
  const { document: parsed } = parseHTML(html);
  const document = parsed as unknown as DomDocument;
  const metadata = readMetadata(document);
  const lead = findLead(document);
  const pageTitle = document.title;

  removeCaptions(document);
  const parsedArticle = new Readability<DomNode>(parsed, { serializer: (node) => node as unknown as DomNode }).parse();
  const paragraphs = parsedArticle?.content ? paragraphsOf(parsedArticle.content) : [];
  // Judged before the lead is added: a listing page's first teaser must not make it an article.
  const body = paragraphs.join('\n\n');
  if (body.length < MIN_ARTICLE_CHARS || sentenceCount(body) < MIN_ARTICLE_SENTENCES) {
    throw new IngestError('no_article', 'no article text found on the page');
  }
  if (lead && !paragraphs.some((p) => p.includes(lead))) paragraphs.unshift(lead);

  const canonicalUrl = metadata.urls.map((u) => (u ? normalizeArticleUrl(u, pageUrl) : null)).find(Boolean) ?? normalizeArticleUrl(pageUrl) ?? pageUrl;
  const sourceNames = metadata.sourceNames.map(tidy).filter(Boolean);
  const siteNames = [...sourceNames, new URL(canonicalUrl).hostname.replace(/^www\./u, '').split('.')[0]];
  return {
    canonicalUrl,
    title: [...metadata.titles, parsedArticle?.title, pageTitle].map((t) => stripSiteSuffix(tidy(t), siteNames)).find(Boolean) ?? '',
    date: metadata.dates.map((d) => (d ? pageLocalDate(d) : null)).find(Boolean) ?? null,
    source: chooseSource(sourceNames, canonicalUrl),
    text: paragraphs.join('\n\n'),
  };
}

/** Charset declared in the first bytes of a page (`<meta charset>` or `http-equiv` Content-Type), or null. */
function declaredCharset(body: Buffer): string | null {
  const head = body.subarray(0, 4096).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)/iu.exec(head)?.[1] ?? null;
}

/** Decodes a page: the HTTP charset, else the page's own declaration, else UTF-8 (TextDecoder knows windows-1258 and the like). */
export function decodeHtml(body: Buffer, headerCharset: string | null): string {
  for (const label of [headerCharset, declaredCharset(body)]) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(body);
    } catch {
      // Unknown label: try the next declaration.
    }
  }
  return new TextDecoder('utf-8').decode(body);
}

/** Fetches a news page within `policy` and extracts its article. */
export async function fetchArticle(url: string, policy: FetchPolicy): Promise<WebArticle> {
  const response = await safeFetch(url, policy, { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' });
  // A page sent without a type is tried: extraction still refuses one without an article.
  if (response.contentType && !HTML_TYPES.has(response.contentType)) {
    throw new IngestError('not_html', `the address gives ${response.contentType}, not a web page (HTML)`);
  }
  const html = decodeHtml(response.body, response.charset);
  return { requestedUrl: url, finalUrl: response.url, ...extractArticle(html, response.url) };
}
