import type { Article } from '../corpus/article.ts';
import { normalizeText } from '../text/normalize.ts';
import { splitSentences } from '../text/sentences.ts';

/** A verbatim extract of an article: `article.text.slice(start, end) === text` (before any ellipsis). */
export interface Summary {
  text: string;
  start: number;
  end: number;
  /** True when the extract was cut short (show an ellipsis after it). */
  truncated: boolean;
}

const ENDS_LIKE_A_SENTENCE = /[.!?…]["'”’»)\]]*$/u;
const STARTS_LIKE_A_SENTENCE = /^["'“‘«(\[]?[\p{Lu}\p{N}]/u;
const PHOTO_CREDIT = /(^|\s)(Ảnh|Photo|Nguồn ảnh)\s*:/iu;
const MIN_SENTENCE_CHARS = 30;

/**
 * The lead of an article in one or two sentences, quoted verbatim: the first sentences that
 * read like prose. Such a sentence starts with a capital or a digit and ends with a full stop
 * (so a clause after a semicolon does not count), is not the title again nor the sentence a
 * shortened title was cut from, and is not in a photo caption. A second sentence is added when
 * the first is short and the two are adjacent in one paragraph, so the extract is always one
 * contiguous substring of the text. A first sentence longer than `maxChars` is cut at a word
 * boundary (`truncated`).
 */
export function leadSummary(article: Article, maxChars = 320): Summary | null {
  const text = article.text;
  const title = normalizeText(article.title);
  // A title made from the first sentence ("Tối 7/2, Đại tướng …") would be repeated by the summary.
  const titleStem = title.endsWith('…') ? title.slice(0, -1).trim() : null;
  const spans = splitSentences(text);
  /** The line (paragraph) around a sentence: a caption is recognised by its credit, anywhere in it. */
  const lineOf = (start: number, end: number): string => {
    const lineEnd = text.indexOf('\n', end);
    return text.slice(text.lastIndexOf('\n', start - 1) + 1, lineEnd < 0 ? text.length : lineEnd);
  };
  const isProse = (start: number, end: number): boolean => {
    const s = text.slice(start, end);
    return (
      s.length >= MIN_SENTENCE_CHARS &&
      STARTS_LIKE_A_SENTENCE.test(s) &&
      ENDS_LIKE_A_SENTENCE.test(s) &&
      !PHOTO_CREDIT.test(lineOf(start, end)) &&
      normalizeText(s) !== title &&
      !(titleStem && normalizeText(s).startsWith(titleStem))
    );
  };
  const first = spans.findIndex((s) => isProse(s.start, s.end));
  if (first < 0) return null;
  const a = spans[first];
  if (a.end - a.start > maxChars) {
    const window = text.slice(a.start, a.start + maxChars);
    const space = window.lastIndexOf(' ');
    const end = a.start + (space > maxChars / 2 ? space : maxChars);
    const cut = text.slice(a.start, end).replace(/[\s,;:–-]+$/u, '');
    return { text: cut, start: a.start, end: a.start + cut.length, truncated: true };
  }
  let end = a.end;
  const b = spans[first + 1];
  if (
    b &&
    a.end - a.start < maxChars / 2 &&
    b.end - a.start <= maxChars &&
    !/\n/.test(text.slice(a.end, b.start)) &&
    isProse(b.start, b.end)
  ) {
    end = b.end;
  }
  return { text: text.slice(a.start, end), start: a.start, end, truncated: false };
}
