/**
 * Splits text into word tokens (Vietnamese syllables, foreign words,
 * numbers) that keep their offsets in the original string, so a match can
 * be highlighted in the text it came from.
 */
import { foldDiacritics, normalizeWord } from './normalize.ts';

/** One token: its matching forms and where it sits in the original text. */
export interface Token {
  /** Normalised form ({@link normalizeWord}: NFC, lower case, canonical tone placement). */
  norm: string;
  /** `norm` with every diacritic removed ("hòa" → "hoa"). */
  folded: string;
  /** Offset of the first character in the original string. */
  start: number;
  /** Offset just past the last character: `text.slice(start, end)` is the token as written. */
  end: number;
}

/**
 * A token is either a number that keeps its inner separators ("7/2",
 * "31/10/2025", "1.000", "3,5"), optionally with a letter suffix ("5km"),
 * or a run of letters, combining marks and digits. Everything else
 * (spaces, punctuation, hyphens, emoji) separates tokens. The scanner below
 * implements exactly this pattern with a lookup table, which is several
 * times faster than running the regular expression itself:
 * `\p{N}+(?:[.,/]\p{N}+)+[\p{L}\p{M}\p{N}]*|[\p{L}\p{M}\p{N}]+`.
 */
const OTHER = 0;
const LETTER = 1; // \p{L} or \p{M}
const DIGIT = 2; // \p{N}

/** Class of every BMP code unit, built on first use. */
let bmpClass: Uint8Array | undefined;

function buildBmpClass(): Uint8Array {
  const table = new Uint8Array(0x10000);
  const letter = /[\p{L}\p{M}]/u;
  const digit = /\p{N}/u;
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue; // surrogates: handled by code point
    const ch = String.fromCharCode(c);
    table[c] = letter.test(ch) ? LETTER : digit.test(ch) ? DIGIT : OTHER;
  }
  return table;
}

const ASTRAL_LETTER = /^[\p{L}\p{M}]$/u;
const ASTRAL_DIGIT = /^\p{N}$/u;

/** Class of the character at `i` and its length in code units (2 for astral code points). */
function classAt(text: string, i: number, table: Uint8Array): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return table[c];
  const cp = text.codePointAt(i)!;
  if (cp <= 0xffff) return OTHER; // lone surrogate
  const ch = String.fromCodePoint(cp);
  return ASTRAL_LETTER.test(ch) ? LETTER : ASTRAL_DIGIT.test(ch) ? DIGIT : OTHER;
}

function widthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return 1;
  const next = text.charCodeAt(i + 1); // NaN past the end
  return next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
}

function isNumberSeparator(c: number): boolean {
  return c === 0x2e || c === 0x2c || c === 0x2f; // . , /
}

/** Calls `emit(start, end)` for every token of `text`, in order. */
function scanTokens(text: string, emit: (start: number, end: number) => void): void {
  const table = (bmpClass ??= buildBmpClass());
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cls = classAt(text, i, table);
    if (cls === OTHER) {
      i += widthAt(text, i);
      continue;
    }
    const start = i;
    if (cls === DIGIT) {
      while (i < n && classAt(text, i, table) === DIGIT) i += widthAt(text, i);
      // Separators between digits stay inside the number.
      while (i + 1 < n && isNumberSeparator(text.charCodeAt(i)) && classAt(text, i + 1, table) === DIGIT) {
        i++;
        while (i < n && classAt(text, i, table) === DIGIT) i += widthAt(text, i);
      }
    }
    while (i < n && classAt(text, i, table) !== OTHER) i += widthAt(text, i);
    emit(start, i);
  }
}

/** Recently seen surface forms → their matching forms; vocabularies are small, texts are not. */
const formCache = new Map<string, { norm: string; folded: string }>();
const FORM_CACHE_LIMIT = 50_000;

function formsOf(surface: string): { norm: string; folded: string } {
  let forms = formCache.get(surface);
  if (forms === undefined) {
    const norm = normalizeWord(surface);
    forms = { norm, folded: foldDiacritics(norm) };
    if (formCache.size >= FORM_CACHE_LIMIT) formCache.clear();
    formCache.set(surface, forms);
  }
  return forms;
}

/** Splits `text` into tokens with offsets into `text` itself. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  scanTokens(text, (start, end) => {
    const { norm, folded } = formsOf(text.slice(start, end));
    tokens.push({ norm, folded, start, end });
  });
  return tokens;
}

/** The normalised forms of `text`'s tokens, in order (no offsets). */
export function tokenizeNorm(text: string): string[] {
  const out: string[] = [];
  scanTokens(text, (start, end) => out.push(formsOf(text.slice(start, end)).norm));
  return out;
}
