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
 * (spaces, punctuation, hyphens, emoji) separates tokens.
 */
const TOKEN_PATTERN = /\p{N}+(?:[.,/]\p{N}+)+[\p{L}\p{M}\p{N}]*|[\p{L}\p{M}\p{N}]+/gu;

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
  TOKEN_PATTERN.lastIndex = 0;
  for (let m = TOKEN_PATTERN.exec(text); m !== null; m = TOKEN_PATTERN.exec(text)) {
    const { norm, folded } = formsOf(m[0]);
    tokens.push({ norm, folded, start: m.index, end: m.index + m[0].length });
  }
  return tokens;
}

/** The normalised forms of `text`'s tokens, in order (no offsets). */
export function tokenizeNorm(text: string): string[] {
  const out: string[] = [];
  TOKEN_PATTERN.lastIndex = 0;
  for (let m = TOKEN_PATTERN.exec(text); m !== null; m = TOKEN_PATTERN.exec(text)) {
    out.push(formsOf(m[0]).norm);
  }
  return out;
}
