/**
 * Sentence segmentation for Vietnamese news text, as offsets into the text
 * so that quotes can be cut from it verbatim.
 *
 * A sentence ends at a line break (a title line or a paragraph is always its
 * own sentence), or at `.`, `!`, `?`, `…` or `...` followed by
 * whitespace. A `;` does not end a sentence: Vietnamese news joins long lists with
 * it, and a quote must not be a clause torn from its sentence (measured: XQuAD-vi
 * R@1 is also slightly higher without it), unless the period belongs to a title abbreviation ("TP. HCM",
 * "Mr. Smith", "PGS.TS. Lan") or an initial ("A. Colby"), or the next word
 * starts with a lower-case letter (then it was not a sentence end). A
 * terminator followed directly by a character ("TP.HCM", "1.000", "A.Colby",
 * a URL) never ends a sentence. Closing quotes and brackets after the
 * terminator stay with the sentence. Sentences inside a short quotation stay
 * together (see MAX_QUOTATION_CHARS).
 */
/** A sentence as character offsets into a text (an article's `text`, for the index). */
export interface SentenceSpan {
  start: number;
  end: number;
}

/**
 * Abbreviations that stand before a name or a place, so a period after them
 * never ends a sentence. Lower case, without the final period.
 */
const TITLE_ABBREVIATIONS = new Set([
  'tp', 'tx', 'tt', 'q', 'p', 'h', 'mr', 'mrs', 'ms', 'dr', 'st', 'prof', 'jr', 'sr',
  'gs', 'pgs', 'ts', 'ths', 'th.s', 'bs', 'ks', 'ls', 'cn', 'pgs.ts', 'gs.ts', 'gs.tskh',
  'pgs.tskh', 'ths.bs', 'ts.bs', 'bs.ckii', 'no', 'vs', 'gen', 'col', 'lt', 'capt', 'sgt', 'rev',
  'nxb', 'tr',
]);

const CLOSERS = new Set(['"', "'", '”', '’', '»', ')', ']', '}', '›']);
const OPENERS = new Set(['"', "'", '“', '‘', '«', '(', '[', '{', '‹']);

function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029 || c === 0x85;
}

function isSpace(c: number): boolean {
  return (
    c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x0b || c === 0x0c || c === 0x3000 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0xfeff
  );
}

function isTerminator(ch: string): boolean {
  return ch === '.' || ch === '!' || ch === '?' || ch === '…';
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const LOWER_START = /^\p{Ll}/u;
/**
 * An initial: one capital letter without tone or vowel marks ("A", "J", "Đ"). "Á" and "Ý" are
 * words (châu Á, nước Ý), so "…ở châu Á. Tiếp…" ends a sentence.
 */
const INITIAL = /^[A-ZĐ]$/;

/**
 * The abbreviation-like word just before `dot`: letters and inner periods,
 * e.g. "TP", "PGS.TS", "v.v", "A".
 */
function wordBefore(text: string, dot: number, lineStart: number): string {
  let i = dot;
  while (i > lineStart) {
    const ch = text[i - 1];
    if (ch === '.' || WORD_CHAR.test(ch)) i--;
    else break;
  }
  return text.slice(i, dot);
}

/** True when `word` (before a period) is a title abbreviation or initials ("A", "J.R"). */
function isNonTerminalAbbreviation(word: string): boolean {
  if (word === '') return false;
  if (TITLE_ABBREVIATIONS.has(word.toLowerCase())) return true;
  const parts = word.split('.');
  return parts.every((p) => INITIAL.test(p));
}

/**
 * Decides whether the terminator run `text[from, to)` followed by whitespace
 * ends the sentence, given the first character of the next word at `next`.
 */
function endsSentence(text: string, from: number, to: number, next: number, lineStart: number): boolean {
  const run = text.slice(from, to);
  let k = next;
  while (k < text.length && OPENERS.has(text[k])) k++;
  const nextStartsLower = LOWER_START.test(text.slice(k, k + 2));
  if (nextStartsLower) return false;
  const isSinglePeriod = run.replace(/[^.!?…]/g, '') === '.';
  if (isSinglePeriod && isNonTerminalAbbreviation(wordBefore(text, from, lineStart))) return false;
  return true;
}

/**
 * A quotation of a few sentences is one utterance: inside quotation marks opened up to this many
 * characters before, a terminator does not end the sentence ("…trả lời phỏng vấn: "Tất nhiên!
 * Và như thế nào!… Ví dụ như mười lần.""), so a quote never tears a speaker's words apart. Past
 * it (or at a line break) the quotation is taken as unclosed. Tuning folds (XQuAD-vi, 300–1,000):
 * quote level vi 320 → 321, no diacritics 319 → 320 at 450–600; held-out folds vi 258 → 259,
 * no diacritics 255 → 256.
 */
const MAX_QUOTATION_CHARS = 500;

/** True when the span has no letter or digit (a stray "…" or "”"). */
function isPunctuationOnly(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (WORD_CHAR.test(text[i])) return false;
  return true;
}

/**
 * Splits `text` into sentences. Each span is trimmed of surrounding
 * whitespace, never empty, and its offsets are into `text` plus `offset`
 * (pass the position of `text` inside a larger string).
 */
export function splitSentences(text: string, offset = 0): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let lineStart = 0;
  let segStart = 0;
  let lineHasSentence = false;

  const push = (start: number, end: number): void => {
    while (start < end && (isSpace(text.charCodeAt(start)) || isLineBreak(text.charCodeAt(start)))) start++;
    while (end > start && (isSpace(text.charCodeAt(end - 1)) || isLineBreak(text.charCodeAt(end - 1)))) end--;
    if (start >= end) return;
    const last = spans[spans.length - 1];
    if (lineHasSentence && last !== undefined && isPunctuationOnly(text, start, end)) {
      last.end = end + offset;
      return;
    }
    spans.push({ start: start + offset, end: end + offset });
    lineHasSentence = true;
  };

  const n = text.length;
  // Where the quotation still open on this line began ("…phỏng vấn: "Tất nhiên! Và như thế nào!…""), or -1.
  let quoteOpenAt = -1;
  const track = (at: number): void => {
    const ch = text[at];
    if (ch === '“' || (ch === '"' && quoteOpenAt < 0)) quoteOpenAt = at;
    else if (ch === '”' || ch === '"') quoteOpenAt = -1;
  };
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (isLineBreak(code)) {
      push(segStart, i);
      segStart = lineStart = i + 1;
      lineHasSentence = false;
      quoteOpenAt = -1;
      continue;
    }
    track(i);
    if (!isTerminator(text[i])) continue;

    let j = i + 1;
    while (j < n && (isTerminator(text[j]) || CLOSERS.has(text[j]))) track(j++);
    if (quoteOpenAt >= 0 && i - quoteOpenAt < MAX_QUOTATION_CHARS) {
      i = j - 1; // inside a quotation: its sentences stay together
      continue;
    }
    if (j < n && !isSpace(text.charCodeAt(j)) && !isLineBreak(text.charCodeAt(j))) {
      i = j - 1; // "TP.HCM", "1.000", "A.Colby", a URL: not a boundary
      continue;
    }
    let k = j;
    while (k < n && isSpace(text.charCodeAt(k))) k++;
    if (k >= n || isLineBreak(text.charCodeAt(k)) || endsSentence(text, i, j, k, lineStart)) {
      push(segStart, j);
      segStart = j;
    }
    i = j - 1;
  }
  push(segStart, n);
  return spans;
}
