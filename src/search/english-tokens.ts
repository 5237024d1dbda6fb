/**
 * The English question as tokens (words and numbers), and the English number and
 * date words with the forms Vietnamese text writes them in.
 */

/** A word of the question (`initial`: it starts a sentence) or a number as written. */
export type EnToken =
  | { kind: 'word'; surface: string; lower: string; capitalised: boolean; allCaps: boolean; initial: boolean }
  | { kind: 'number'; surface: string; lower: string };

export type WordToken = Extract<EnToken, { kind: 'word' }>;

/** Words (with inner apostrophes, hyphens, ampersands, dots as in "X.25") and numbers. */
const EN_TOKEN = /(?:\p{Lu}\.){2,}|\p{N}+(?:[.,/:]\p{N}+)*(?:st|nd|rd|th|s)?%?|[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}]+)?/gu;

export function englishTokens(question: string): EnToken[] {
  const tokens: EnToken[] = [];
  const text = question.normalize('NFC');
  let sentenceStart = true;
  let last = 0;
  for (const m of text.matchAll(EN_TOKEN)) {
    const between = text.slice(last, m.index);
    if (/[.!?:;"“]\s*$/.test(between) && last > 0) sentenceStart = true;
    last = m.index + m[0].length;
    // "U.S." → "US"; "Warsaw's" → "Warsaw"; "Panthers'" → "Panthers".
    const surface = /^(?:\p{Lu}\.){2,}$/u.test(m[0]) ? m[0].replace(/\./g, '') : m[0].replace(/['’]s?$/i, '').replace(/’/g, "'");
    if (/^\p{N}/u.test(surface)) {
      tokens.push({ kind: 'number', surface, lower: surface.toLowerCase() });
    } else {
      const lower = surface.toLowerCase();
      const capitalised = surface !== lower;
      const allCaps = capitalised && surface.length > 1 && surface === surface.toUpperCase();
      tokens.push({ kind: 'word', surface, lower, capitalised, allCaps, initial: sentenceStart });
    }
    sentenceStart = false;
  }
  return tokens;
}

// ---------------------------------------------------------------------------
// Numbers and dates

export const MONTHS: ReadonlyMap<string, number> = new Map([
  ['january', 1], ['jan', 1], ['february', 2], ['feb', 2], ['march', 3], ['mar', 3], ['april', 4], ['apr', 4],
  ['may', 5], ['june', 6], ['jun', 6], ['july', 7], ['jul', 7], ['august', 8], ['aug', 8], ['september', 9],
  ['sep', 9], ['sept', 9], ['october', 10], ['oct', 10], ['november', 11], ['nov', 11], ['december', 12], ['dec', 12],
]);

/** Month words that are also ordinary words or abbreviations. */
export const AMBIGUOUS_MONTHS = new Set(['may', 'march', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/** Forms of a number as Vietnamese text writes it: "1,435" → "1.435"; "56.2" → "56,2"; "19th" → "19". */
export function numberForms(surface: string): string[] {
  const bare = surface.replace(/%$/, '').replace(/(st|nd|rd|th|s)$/i, '');
  const out = new Set<string>([bare]);
  if (/^\d{1,3}(,\d{3})+$/.test(bare)) {
    out.add(bare.replace(/,/g, '.'));
    out.add(bare.replace(/,/g, ''));
  } else if (/^\d+\.\d+$/.test(bare)) {
    out.add(bare.replace('.', ','));
  }
  return [...out];
}

/**
 * English number words → how Vietnamese text writes them (digits first). Used instead
 * of the lexicon, whose entries for them are mostly idioms ("one" → "nào đó", "người ta").
 */
export const NUMBER_WORDS: ReadonlyMap<string, readonly string[]> = new Map(
  (
    'one:1,một; two:2,hai; three:3,ba; four:4,bốn,tư; five:5,năm; six:6,sáu; seven:7,bảy; eight:8,tám; nine:9,chín; ' +
    'ten:10,mười; eleven:11; twelve:12; thirteen:13; fourteen:14; fifteen:15; sixteen:16; seventeen:17; eighteen:18; ' +
    'nineteen:19; twenty:20; thirty:30; forty:40; fifty:50; sixty:60; seventy:70; eighty:80; ninety:90; ' +
    'hundred:trăm; hundreds:trăm; thousand:nghìn,ngàn; thousands:nghìn,ngàn; million:triệu; millions:triệu; ' +
    'billion:tỷ,tỉ; billions:tỷ,tỉ; dozen:tá; half:nửa,rưỡi; ' +
    'second:thứ hai,thứ nhì,giây; third:thứ ba; fourth:thứ tư; fifth:thứ năm; sixth:thứ sáu; seventh:thứ bảy; ' +
    'eighth:thứ tám; ninth:thứ chín; tenth:thứ mười'
  )
    .split('; ')
    .map((entry) => {
      const [word, forms] = entry.split(':');
      return [word, forms.split(',')] as [string, string[]];
    }),
);
