import type { AnswerType } from '../search/answer-type.ts';

/** Offsets `[start, end)` inside a quote of the words that answer the question's type, for bold in the renderers. */
export type Highlight = [start: number, end: number];

/** A number with its separators, and a multiplier or unit after it ("130 triệu USD", "5,5%", "994 hòm" → "994"). */
const QUANTITY = /(?<![\p{L}\p{N}])\p{N}+(?:[.,]\p{N}+)*(?:\s?%|\s(?:triệu|tỷ|tỉ|nghìn|ngàn|trăm|million|billion|thousand)(?:\s(?:USD|đồng|euro|EUR|đô la))?|\s(?:USD|đồng|EUR|km|m|kg|tấn))?(?![\p{L}\p{N}])/gu;

/** A date or a year: "31/10/2025", "7/2", "tháng 9/2024", "ngày 19", "năm 1995", "1941 - 1945". */
const TIME =
  /(?<![\p{L}\p{N}])(?:(?:ngày|tháng|năm|thế kỷ|Ngày|Tháng|Năm|Thế kỷ)\s)?(?:\p{N}{1,2}\/\p{N}{1,2}(?:\/\p{N}{2,4})?|\p{N}{1,2}\/\p{N}{4}|1\p{N}{3}|20\p{N}{2}|\p{N}{1,2}(?=\s(?:tháng|năm)))(?:\s?[-–]\s?(?:1\p{N}{3}|20\p{N}{2}))?(?![\p{L}\p{N}])/gu;

/** A run of capitalised words ("Andrey Removich Belousov", "Elbridge A.Colby", "Liên bang Nga" → "Liên", "Nga"). */
const NAME = /\p{Lu}[\p{L}\p{M}]*(?:\.?\s?\p{Lu}[\p{L}\p{M}]*)*/gu;

/**
 * Where the answer sits in a quote, by what the question asks for: the amounts for "bao nhiêu"/"how many", the
 * dates for "khi nào"/"when", and for "ai"/"ở đâu"/"who"/"where" the names (past a sentence's first word) the
 * question does not use (`newName`). The quote itself is untouched; renderers mark these spans.
 */
export function answerHighlights(quote: string, type: AnswerType | null | undefined, newName: (word: string) => boolean): Highlight[] {
  if (!type) return [];
  const spans: Highlight[] = [];
  if (type === 'quantity' || type === 'time') {
    for (const m of quote.matchAll(type === 'time' ? TIME : QUANTITY)) spans.push([m.index, m.index + m[0].length]);
    return spans;
  }
  for (const m of quote.matchAll(NAME)) {
    const sentenceStart = /(?:^|[.!?…:;]\s+|[“"(]|\n\s*)$/u.test(quote.slice(0, m.index));
    const words = m[0].split(/[\s.]+/).filter(Boolean);
    // A sentence's first word is capitalised anyway: it counts only as part of a longer name.
    if (sentenceStart && words.length < 2) continue;
    if (words.every((w) => !newName(w))) continue;
    spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}
