/**
 * The one normaliser for Vietnamese text, used both when indexing and when
 * reading a question, so that both sides always agree.
 *
 * Canonical tone placement is the traditional ("old") style that Vietnamese
 * news mostly uses: in an open syllable ending in oa, oe or uy the tone sits
 * on the first vowel ("hòa", "khỏe", "thủy"); everywhere else it sits on the
 * main vowel ("hoàng", "quý", "thuở", "người"). Input in the "new" style
 * ("hoà", "khoẻ", "thuỷ") and misplaced marks ("qúy", "gìa") are rewritten
 * into that form. Words that are not Vietnamese syllables ("café") are left
 * alone.
 */

/** The five tone marks as combining characters, in tone order 1..5 (0 = level tone). */
const TONE_MARKS = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'] as const;

/** Vowels with their quality marks but no tone. */
const BASE_VOWELS = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'] as const;

/** Vowels whose quality mark makes them the main vowel of a cluster. */
const MARKED_VOWELS = new Set(['ă', 'â', 'ê', 'ô', 'ơ', 'ư']);

/** Lower-case vowel (any tone) → its base vowel and tone number. */
const VOWEL_INFO = new Map<string, { base: string; tone: number }>();
/** `${base}${tone}` → the NFC vowel carrying that tone. */
const WITH_TONE = new Map<string, string>();

for (const base of BASE_VOWELS) {
  VOWEL_INFO.set(base, { base, tone: 0 });
  WITH_TONE.set(`${base}0`, base);
  TONE_MARKS.forEach((mark, i) => {
    const toned = (base + mark).normalize('NFC');
    VOWEL_INFO.set(toned, { base, tone: i + 1 });
    WITH_TONE.set(`${base}${i + 1}`, toned);
  });
}

/**
 * Every lower-case vowel that carries a tone mark, or a stray tone mark left
 * uncomposed after NFC (typed after a consonant): a cheap pre-check.
 */
const TONED_VOWEL = /[àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ\u0300\u0301\u0303\u0309\u0323]/;
/** Combining tone mark → tone number. */
const STRAY_TONE = new Map<string, number>(TONE_MARKS.map((mark, i) => [mark, i + 1]));

const ONSETS = new Set([
  '', 'b', 'c', 'ch', 'd', 'đ', 'g', 'gh', 'gi', 'h', 'k', 'kh', 'l', 'm', 'n', 'ng', 'ngh',
  'nh', 'p', 'ph', 'qu', 'r', 's', 't', 'th', 'tr', 'v', 'x',
]);
const CODAS = new Set(['', 'c', 'ch', 'm', 'n', 'ng', 'nh', 'p', 't']);

/** Combining marks of the Latin "Combining Diacritical Marks" block. */
const COMBINING_DIACRITICS = /[\u0300-\u036f]/g;
const VIETNAMESE_MARKS = /[\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323đĐ]/;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const WHITESPACE_RUN = /\s+/g;
const LETTER_RUN = /[\p{L}\p{M}]+/gu;

/**
 * Index (within the vowel cluster, onset "qu"/"gi" excluded) of the vowel
 * that carries the tone, in canonical (traditional) placement:
 * 1. a vowel with a quality mark wins (the last one: "ươ" → ơ, "uyê" → ê);
 * 2. before a final consonant, the last vowel ("hoàng", "huỳnh");
 * 3. an open two-vowel cluster takes it on the first vowel: the falling
 *    diphthongs ("hài", "của", "mía") and, in the traditional style, also
 *    oa/oe/uy ("hòa", "khỏe", "thủy"; the new style would write "hoà");
 * 4. an open three-vowel cluster on the middle one ("hoài", "khuỷu", "ngoẹo").
 */
function tonePosition(cluster: string[], hasCoda: boolean): number {
  if (cluster.length === 1) return 0;
  for (let i = cluster.length - 1; i >= 0; i--) {
    if (MARKED_VOWELS.has(cluster[i])) return i;
  }
  if (hasCoda) return cluster.length - 1;
  return cluster.length === 2 ? 0 : 1;
}

/**
 * Rewrites one lower-case NFC syllable so its tone mark sits in the
 * canonical place; returns it unchanged when it is not a Vietnamese syllable.
 */
function placeTone(word: string): string {
  if (word.length < 2 || word.length > 9 || !TONED_VOWEL.test(word)) return word;
  let placed = placedCache.get(word);
  if (placed === undefined) {
    placed = placeToneUncached(word);
    if (placedCache.size >= PLACED_CACHE_LIMIT) placedCache.clear();
    placedCache.set(word, placed);
  }
  return placed;
}

/** Syllables already rewritten: the Vietnamese syllable inventory is small (~7k). */
const placedCache = new Map<string, string>();
const PLACED_CACHE_LIMIT = 20_000;

function placeToneUncached(word: string): string {
  const chars = Array.from(word);
  let tone = 0;
  const bases: string[] = [];
  for (const ch of chars) {
    const info = VOWEL_INFO.get(ch);
    const toneHere = info?.tone ?? STRAY_TONE.get(ch) ?? 0;
    if (toneHere !== 0) {
      if (tone !== 0) return word; // two tone marks: not a Vietnamese syllable
      tone = toneHere;
    }
    if (info !== undefined) bases.push(info.base);
    else if (!STRAY_TONE.has(ch)) bases.push(ch);
  }
  if (tone === 0) return word;

  // Onset: leading consonants, with "qu" and "gi" (before another vowel) as one unit.
  let v = 0;
  while (v < bases.length && !VOWEL_INFO.has(bases[v])) v++;
  if (v === 1 && bases[0] === 'q' && bases[1] === 'u') v = 2;
  else if (v === 1 && bases[0] === 'g' && bases[1] === 'i' && VOWEL_INFO.has(bases[2] ?? '')) v = 2;
  if (!ONSETS.has(bases.slice(0, v).join(''))) return word;

  let c = v;
  while (c < bases.length && VOWEL_INFO.has(bases[c])) c++;
  const cluster = bases.slice(v, c);
  if (cluster.length === 0 || cluster.length > 3) return word;
  const coda = bases.slice(c).join('');
  if (!CODAS.has(coda)) return word;

  const at = v + tonePosition(cluster, coda !== '');
  let out = '';
  for (let i = 0; i < bases.length; i++) {
    out += i === at ? WITH_TONE.get(`${bases[i]}${tone}`)! : bases[i];
  }
  return out;
}

/**
 * Normalises one word-like run (no whitespace): NFC, lower case, canonical
 * tone placement. Cheaper than {@link normalizeText} for tokenisers.
 */
export function normalizeWord(word: string): string {
  return placeTone(word.normalize('NFC').toLowerCase());
}

/**
 * Characters that are invisible and carry no letter: zero-width space, joiners and non-joiner,
 * word joiner and invisible operators, byte-order mark, soft hyphen, Mongolian vowel separator,
 * and the bidirectional controls (LRM, RLM, ALM, embeddings, overrides, isolates). Pasted from a
 * web page or typed to get past a filter, they would split a word ("dio\u200bxin") in two.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;

/**
 * Removes the invisible characters above, so they never split a word. Applied to corpus text
 * when it is cleaned (src/corpus/clean.ts) and to a question before it is read, so index and
 * question agree.
 */
export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '');
}

/**
 * The canonical form of Vietnamese text for matching: no invisible characters, NFC, one tone-mark
 * placement ("hoà" → "hòa", "thuỷ" → "thủy", "qúy" → "quý"), lower case
 * (locale-independent) and single spaces. Lengths and offsets are not
 * preserved; use {@link tokenize} when offsets into the original matter.
 */
export function normalizeText(s: string): string {
  const lower = stripInvisible(s).normalize('NFC').toLowerCase().replace(WHITESPACE_RUN, ' ').trim();
  if (!TONED_VOWEL.test(lower)) return lower;
  return lower.replace(LETTER_RUN, placeTone);
}

/**
 * Removes every diacritic ("Biên Hòa" → "Bien Hoa", "Đà" → "Da") so a
 * question typed without accents can still match. Case is kept.
 */
export function foldDiacritics(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  return s
    .normalize('NFD')
    .replace(COMBINING_DIACRITICS, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/** {@link normalizeText} then {@link foldDiacritics}: the accent-insensitive matching form. */
export function normalizeFolded(s: string): string {
  return foldDiacritics(normalizeText(s));
}

/** True when the text carries any Vietnamese diacritic (tone or vowel mark, or đ). */
export function hasVietnameseDiacritics(s: string): boolean {
  if (ASCII_ONLY.test(s)) return false;
  return VIETNAMESE_MARKS.test(s.normalize('NFD'));
}
