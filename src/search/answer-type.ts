import type { Language } from '../text/language.ts';
import { foldDiacritics, hasVietnameseDiacritics, normalizeFolded, normalizeText } from '../text/normalize.ts';

/**
 * What kind of answer a question asks for, when its wording says so: a quantity ("bao
 * nhiêu", "how many"), a time ("khi nào", "năm nào", "when"), a person ("ai", "who") or a
 * place ("ở đâu", "where"). A sentence that holds
 * such a thing is a likelier answer than one that only repeats the question's words
 * (the classic expected-answer-type check of extractive QA).
 */
export type AnswerType = 'quantity' | 'time' | 'person' | 'place';

/** Whole-word match of any of the phrases (letters or digits around them do not count); texts are lower-cased first. */
function phrases(list: readonly string[]): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.join('|')})(?![\\p{L}\\p{N}])`, 'u');
}

/** Vietnamese cues in normalised form; a question typed without diacritics is matched against their folded forms. */
const VIETNAMESE_CUES: readonly [string[], AnswerType][] = [
  [['khi nào', 'bao giờ', 'lúc nào', '(?:năm|ngày|tháng|thời điểm|thời gian) (?:nào|bao nhiêu|mấy)'], 'time'],
  [['bao nhiêu', 'mấy'], 'quantity'],
  [['ai', 'người nào', 'những người nào', 'nhân vật nào', 'vị nào'], 'person'],
  [['ở đâu', 'tại đâu', 'nơi nào', 'chỗ nào', 'đâu', 'quốc gia nào', 'nước nào', 'thành phố nào'], 'place'],
];

const ENGLISH_CUES: readonly [string[], AnswerType][] = [
  [['when', '(?:in )?(?:what|which) (?:year|date|month|day|century|decade)', 'since when', 'how long ago'], 'time'],
  [['how (?:many|much|long|far|old|large|big|tall|high)', 'what (?:percentage|percent|number|amount|share)'], 'quantity'],
  [['who', 'whom', 'whose'], 'person'],
  [['where', '(?:what|which) (?:country|city|place|town|region|state)'], 'place'],
];

const compiled = {
  vi: VIETNAMESE_CUES.map(([list, type]) => [phrases(list), type] as const),
  // Bare "đâu" (where) folds like "đầu" (first, head: "lần đầu tiên", "dẫn đầu"): folded, only "ở đâu", "tại đâu"… count.
  folded: VIETNAMESE_CUES.map(([list, type]) => [phrases(list.filter((cue) => cue !== 'đâu').map(foldDiacritics)), type] as const),
  en: ENGLISH_CUES.map(([list, type]) => [phrases(list), type] as const),
};

/** The answer type the question asks for, or null when its wording does not say. */
export function expectedAnswerType(question: string, language: Language): AnswerType | null {
  let cues = compiled.en;
  let text = question.toLowerCase();
  if (language !== 'en') {
    // "mấy" (how many) and "máy" (machine) fold alike: fold only a question typed without diacritics.
    const folded = !hasVietnameseDiacritics(question);
    cues = folded ? compiled.folded : compiled.vi;
    text = folded ? normalizeFolded(question) : normalizeText(question);
  }
  for (const [cue, type] of cues) if (cue.test(text)) return type;
  return null;
}

/** Words that make a text a question ("gì", "nào", "sao", "ai", "đâu", "mấy", "bao nhiêu"; "what", "how"…), in normalised form. */
const INTERROGATIVE_WORDS = ['gì', 'nào', 'sao', 'ai', 'đâu', 'mấy', 'bao nhiêu', 'bao giờ', 'what', 'which', 'who', 'whom', 'whose', 'where', 'when', 'why', 'how'];
const INTERROGATIVE = phrases(INTERROGATIVE_WORDS);
/** The same, folded, for a text typed without diacritics. */
const INTERROGATIVE_FOLDED = phrases(INTERROGATIVE_WORDS.map(foldDiacritics));

/**
 * Whether a text asks something (a question mark or a question word), rather than listing a few
 * keywords. A text typed with diacritics is matched as written: folded, "Chân Mây" would hold "mấy".
 */
export function asksSomething(text: string): boolean {
  if (/[?？]\s*$/.test(text)) return true;
  return hasVietnameseDiacritics(text) ? INTERROGATIVE.test(normalizeText(text)) : INTERROGATIVE_FOLDED.test(normalizeFolded(text));
}

/** A year, a day/month date, or "tháng 7", "ngày 19" (folded: "thang 7", "ngay 19"). */
const TIME_IN_TEXT = /\b(1[0-9]{3}|20[0-9]{2})\b|\b\d{1,2}\/\d{1,2}\b|\b(thang|ngay|nam|the ky) \d|\b(january|february|march|april|may|june|july|august|september|october|november|december) \d/;
const NUMBER_IN_TEXT = /\d/;
/**
 * A number written out in words ("chín quốc gia", "ba lượt", "hơn một nửa"), lower case as in
 * running text ("Ba Lan" is a name); "một" (also "a") and "năm" (also "year") are left out.
 */
const NUMBER_WORD_IN_TEXT = /(?<![\p{L}\p{N}])(?:hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|chục|trăm|nghìn|ngàn|triệu|tỷ|tỉ|nửa|một nửa)(?![\p{L}\p{N}])/u;

/**
 * Whether a sentence holds something of the expected type: a number for quantities, a date
 * or year for times, and for persons and places a capitalised word (past the first) for
 * which `newName` is true, i.e. a name the question does not use (without it: false).
 */
export function holdsAnswerType(text: string, type: AnswerType, newName?: (word: string) => boolean): boolean {
  switch (type) {
    case 'time':
      return TIME_IN_TEXT.test(normalizeFolded(text));
    case 'quantity':
      return NUMBER_IN_TEXT.test(text) || NUMBER_WORD_IN_TEXT.test(text.normalize('NFC'));
    default:
      return newName ? holdsNewName(text, newName) : false;
  }
}

/** A capitalised word past the sentence's first one that the question does not use (a person's or place's name). */
function holdsNewName(text: string, newName: (word: string) => boolean): boolean {
  for (const m of text.matchAll(/(?<=[\p{L}\p{N},;:()"“”'‘’-]\s+)\p{Lu}[\p{L}\p{M}]*/gu)) if (newName(m[0])) return true;
  return false;
}
