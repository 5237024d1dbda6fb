/**
 * RSS 2.0 and Atom documents → the articles they link to (`parseFeed`), and a feed's bytes → text
 * (`decodeFeed`). Parsing is done by @extractus/feed-extractor; this file picks the fields we trust
 * from its raw entries, because its normalised ones guess wrong for us (Atom's first `<link>` even
 * when it is `rel="edit"`, `updated` before `published`, a hash id when there is no guid).
 */
import { extractFromXml, type FeedEntry } from '@extractus/feed-extractor';
import { IngestError } from './types.ts';

/** One article a feed links to. */
export interface FeedItem {
  /** RSS `<guid>` / Atom `<id>`, else the URL: what "already seen" is keyed by. */
  id: string;
  /** Absolute http(s) link to the article (no fragment, no utm_* parameters). */
  url: string;
  title: string | null;
  /** ISO instant the item was published (Atom: `published`, else `updated`), or null. */
  published: string | null;
}

/** A parsed feed: its title and its items, newest first. */
export interface ParsedFeed {
  title: string | null;
  items: FeedItem[];
}

/** What we keep of each raw entry (collected through feed-extractor's getExtraEntryFields). */
type RawFields = {
  rawId: unknown;
  rawLinks: unknown;
  rawDate: unknown;
};

/**
 * Parses an RSS 2.0 or Atom document. Items without a usable http(s) link are left out, relative
 * links are resolved against `feedUrl`, repeated ids are kept once, and items are ordered newest
 * first (items without a date follow the dated ones, in the feed's order).
 * Throws IngestError('bad_feed') for malformed XML or a document that is not RSS or Atom.
 */
export function parseFeed(xml: string, feedUrl: string): ParsedFeed {
  const text = xml.replace(/^\uFEFF/, '').trimStart();
  if (isEmptyAtomFeed(text)) return { title: null, items: [] };
  let data;
  try {
    data = extractFromXml(text, {
      baseUrl: feedUrl,
      descriptionMaxLen: 0,
      // Keep every text as a string: a numeric guid like 102251201093000123 must not become a lossy number.
      xmlParserOptions: { parseTagValue: false },
      getExtraEntryFields: (entry): RawFields => ({
        rawId: entry.guid ?? entry.id,
        rawLinks: entry.link,
        rawDate: entry.published ?? entry.pubDate ?? entry['dc:date'] ?? entry.updated,
      }),
    });
  } catch (err) {
    throw badFeed(text, feedUrl, err as Error);
  }

  const items: FeedItem[] = [];
  const ids = new Set<string>();
  for (const raw of (data.entries ?? []) as (FeedEntry & RawFields)[]) {
    const url = httpUrl(alternateLink(raw.rawLinks) ?? raw.link ?? '', feedUrl);
    if (!url) continue;
    const id = textOf(raw.rawId) || url;
    if (ids.has(id)) continue;
    ids.add(id);
    items.push({ id, url, title: raw.title?.replace(/\s+/g, ' ').trim() || null, published: isoDate(textOf(raw.rawDate)) });
  }
  return { title: data.title?.trim() || null, items: newestFirst(items) };
}

/**
 * Decodes a feed's bytes: the charset of the Content-Type header, else the XML declaration's
 * `encoding`, else UTF-8 (an unknown label also falls back to UTF-8). A byte-order mark is dropped.
 */
export function decodeFeed(body: Uint8Array, charset: string | null): string {
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(
    Buffer.from(body.subarray(0, 200)).toString('latin1'),
  )?.[1];
  for (const label of [charset, declared, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label.trim().toLowerCase()).decode(body);
    } catch {
      // unknown label: try the next one
    }
  }
  return new TextDecoder().decode(body);
}

/** feed-extractor only recognises Atom with at least one `<entry>`; an empty Atom feed is still a feed. */
function isEmptyAtomFeed(text: string): boolean {
  const root = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<feed\b[^>]*xmlns\s*=\s*["']http:\/\/www\.w3\.org\/2005\/Atom["']/.exec(
    text,
  );
  return root !== null && !/<entry\b/.test(text) && /<\/feed>\s*$/.test(text);
}

function badFeed(text: string, feedUrl: string, err: Error): IngestError {
  if (!text) return new IngestError('bad_feed', `${feedUrl} returned an empty document instead of a feed.`);
  const head = text.slice(0, 500).toLowerCase();
  if (head.startsWith('<!doctype html') || /^(?:<\?xml[^>]*\?>\s*)?<html\b/.test(head))
    return new IngestError('bad_feed', `${feedUrl} is a web page, not an RSS or Atom feed: use the feed's own address (often linked as "RSS" on the site).`);
  if (/not well-formed/i.test(err.message) || !text.startsWith('<'))
    return new IngestError('bad_feed', `${feedUrl} is not well-formed XML (cut off or broken), so it cannot be read as a feed; check it in a browser or remove it from TRICHDAN_FEEDS.`);
  return new IngestError('bad_feed', `${feedUrl} is XML but not an RSS 2.0 or Atom feed; check the address or remove it from TRICHDAN_FEEDS.`);
}

/** Text of a parsed XML node: a string, or the `#text` of an element that has attributes. */
function textOf(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node).trim();
  if (node && typeof node === 'object' && '#text' in node) return textOf((node as { '#text': unknown })['#text']);
  return '';
}

/** Atom: the `rel="alternate"` link (a link without `rel` is alternate); null when there is none or it is RSS. */
function alternateLink(links: unknown): string | null {
  const list = Array.isArray(links) ? links : [links];
  for (const link of list) {
    if (!link || typeof link !== 'object' || !('@_href' in link)) continue;
    const rel = (link as Record<string, unknown>)['@_rel'];
    if (rel === undefined || rel === 'alternate') return textOf((link as Record<string, unknown>)['@_href']);
  }
  return null;
}

/** Absolute http(s) URL without fragment and utm_* parameters, or null when the link is not one. */
function httpUrl(link: string, feedUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(link.trim(), feedUrl);
  } catch {
    return null;
  }
  if (!link.trim() || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
  url.hash = '';
  for (const key of [...url.searchParams.keys()]) if (key.toLowerCase().startsWith('utm_')) url.searchParams.delete(key);
  return url.toString();
}

/**
 * RFC 822 (`Mon, 01 Dec 2025 08:30:00 +0700`) or ISO 8601 date → ISO instant. Slash dates
 * (`01/12/2025`) are refused: JavaScript would read them month first, Vietnamese sites mean day first.
 */
function isoDate(value: string): string | null {
  if (!value || /^\d{1,2}\/\d{1,2}\/\d{2,4}/.test(value)) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** Dated items newest first, then undated ones in feed order (a stable sort keeps ties in feed order). */
function newestFirst(items: FeedItem[]): FeedItem[] {
  const dated = items.filter((i) => i.published !== null);
  const undated = items.filter((i) => i.published === null);
  dated.sort((a, b) => Date.parse(b.published!) - Date.parse(a.published!));
  return [...dated, ...undated];
}
