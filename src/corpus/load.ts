/**
 * One article file's bytes into an article, or the reason it cannot be one: unreadable,
 * empty or whitespace-only, binary (NUL bytes or mostly control characters; UTF-16 is named as
 * such), not valid UTF-8, or nothing left after cleaning. Listing and reading a folder is in
 * scan.ts.
 */
import { createHash } from 'node:crypto';
import type { Article, SkippedFile } from './article.ts';
import { cleanArticleText } from './clean.ts';
import { UserError } from '../errors.ts';

/** The corpus directory itself cannot be used; the message says what to do. */
export class CorpusError extends UserError {
  override name = 'CorpusError';
}

/** File extensions read as articles. */
export const ARTICLE_EXTENSIONS: readonly string[] = ['.txt', '.md'];

/** Share of control bytes (other than tab, LF, FF, CR) above which a file is binary. */
const MAX_CONTROL_SHARE = 0.1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that breaks UTF-8, for the skip message (-1 when valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need === 0) {
      i++;
      continue;
    }
    if (i + need >= bytes.length) return i;
    const second = bytes[i + 1];
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes one file's bytes as article text, or says why it cannot be one.
 * A UTF-8 BOM is dropped; line endings are left to the cleaner.
 */
export function decodeArticleBytes(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes.length === 0) return { problem: 'empty file' };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { problem: 'UTF-16 text, not UTF-8: save the file as UTF-8' };
  }
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) return { problem: 'binary file (contains NUL bytes), not text' };
  let control = 0;
  for (const b of sample) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) control++;
  if (control / sample.length > MAX_CONTROL_SHARE) return { problem: 'binary file (mostly control characters), not text' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { problem: `not valid UTF-8 (first bad byte 0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'} at offset ${at}; Latin-1 or Windows-1258?): save the file as UTF-8` };
  }
  text = text.replace(/^\uFEFF/u, '');
  if (!text.trim()) return { problem: 'empty file (only whitespace)' };
  return { text };
}

/**
 * Turns one file's bytes into an article, or a reason to skip it.
 * `id` is the file name without extension; `contentHash` the sha256 of the bytes.
 */
export function articleFromBytes(path: string, id: string, bytes: Uint8Array): Article | SkippedFile {
  const decoded = decodeArticleBytes(bytes);
  if ('problem' in decoded) return { path, reason: decoded.problem };
  const cleaned = cleanArticleText(decoded.text);
  if (!cleaned.body) return { path, reason: 'no article text left after removing boilerplate and metadata' };
  return {
    id,
    path,
    title: cleaned.title || id,
    date: cleaned.date,
    source: cleaned.source,
    url: cleaned.url,
    text: cleaned.body,
    contentHash: createHash('sha256').update(bytes).digest('hex'),
  };
}

/**
 * Articles newest first: by date descending, undated last, then by id. A
 * month-only date (`2025-02`) counts as the start of its month, so it comes
 * after the dated days of that month.
 */
export function sortNewestFirst<T extends Pick<Article, 'date' | 'id'>>(articles: readonly T[]): T[] {
  return [...articles].sort((a, b) => {
    if (a.date !== b.date) {
      if (a.date === null) return 1;
      if (b.date === null) return -1;
      return a.date < b.date ? 1 : -1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
