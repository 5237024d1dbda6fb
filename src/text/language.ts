import { foldDiacritics } from './normalize.ts';

/**
 * Question language detection by vocabulary, not by character set.
 *
 * A word with Vietnamese diacritics is strong Vietnamese evidence, unless it is part of
 * a name ("How much did the US pledge for the Biên Hòa project?" is English). Otherwise it
 * is plain ASCII either way ("bien hoa dioxin bao nhieu tien" is Vietnamese typed without
 * diacritics; "how much for dioxin at Bien Hoa" is English), so each word votes:
 * English function and common words for English, words that cannot be a
 * Vietnamese syllable (mostly) for English, valid folded Vietnamese syllables
 * for Vietnamese (frequent Vietnamese function syllables count double).
 * Capitalised words inside the sentence are names and do not vote. A tie goes to
 * Vietnamese, since most readers are Vietnamese.
 */

/**
 * English stopwords: function words, question words, auxiliaries and pronouns.
 * Used here as English evidence and by the English query analyser as the words to drop.
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can cannot could did do does doing done down during each either else ever every few for from ' +
    'further had has have having he her here hers herself him himself his how however i if in into is it its itself ' +
    'just let me more most much my myself neither no nor not now of off on once only or other ot our ours ourselves ' +
    'out over own per same shall she should so some such than that the their theirs them themselves then there ' +
    'these they this those though through thus to too under until up upon us very via was we were what whatever when ' +
    'whence where whereas whether which while who whoever whom whose why will with within without would yet you your ' +
    'yours yourself yourselves s t d ll m re ve'
  ).split(' '),
);

/** English question words: they open a question, never a name. */
const QUESTION_WORDS = new Set(['what', 'who', 'whom', 'whose', 'when', 'where', 'which', 'why', 'how']);

/**
 * Common English content words that are frequent in questions (verbs of asking and
 * reporting, quantities, time). Evidence of English only; they are not dropped from queries.
 */
const ENGLISH_COMMON = new Set(
  (
    'according another ask asked become became called come came country day did first found get give given go ' +
    'happen happened held help include included including kind known last later like long made main make many mean ' +
    'means name named new number old one part people place play played say said see seen show since state take ' +
    'taken team tell than time two three type use used want way well went win won work world year years'
  ).split(' '),
);

/**
 * Very frequent Vietnamese function syllables, folded (no diacritics). They count
 * double as Vietnamese evidence because they are what diacritic-less Vietnamese is made of.
 */
const VIETNAMESE_FUNCTION_SYLLABLES = new Set(
  (
    'cua la va co khong nhung cac mot duoc cho voi trong nay do thi ma de den tu ra vao nao gi ai dau bao nhieu ' +
    'the nhu sao khi da dang se cung rat nhat hon nua cai con nguoi nhieu bi tai sau truoc theo ve hay hoac neu vi ' +
    'nen lai chi moi toi minh ban anh chung ho day kia'
  ).split(' '),
);

/** Vietnamese onsets (initial consonants), folded: "đ" is "d". Longest first. */
const ONSETS = ['ngh', 'ng', 'gh', 'gi', 'kh', 'nh', 'ph', 'th', 'tr', 'ch', 'qu', 'b', 'c', 'd', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'x', ''];

/**
 * Vietnamese rhymes, folded (ă/â → a, ê → e, ô/ơ → o, ư → u), including the medial
 * glide (o/u) where it belongs to the rhyme ("oan", "uyên"). Closed set.
 */
const RHYMES = new Set(
  (
    // a, ă, â
    'a ac ach ai am an ang anh ao ap at au ay ' +
    // e, ê
    'e ec ech em en eng enh eo ep et eu ' +
    // i, iê/ia
    'i ia ich iec iem ien ieng iep iet ieu im in inh ip it iu ' +
    // y, yê
    'y yem yen yet yeu ynh yt ' +
    // o, ô, ơ (and oo in "xoong", "soóc")
    'o oc oi om on ong op ot oong ooc ' +
    // u, ư, uô/ươ/ưa
    'u ua uc ui um un ung up ut uu uo uoc uoi uom uon uong uop uot uou ' +
    // medial o
    'oa oac oach oai oam oan oang oanh oao oap oat oay oe oen oeo oet ' +
    // medial u
    'uan uang uat uay ue uech uenh uy uya uych uyen uyet uynh uyt uyu'
  ).split(' '),
);

/** Onsets written only before front vowels (e, ê, i, y) and those never written there. */
const FRONT_ONLY = new Set(['k', 'gh', 'ngh']);
const NOT_BEFORE_FRONT = new Set(['c', 'g', 'ng', 'q']);

/**
 * Whether a folded, lower-case ASCII word is a possible Vietnamese syllable
 * (onset + rhyme from Vietnamese phonotactics), e.g. "nguoi", "khuyen", "bien";
 * not "much", "sack", "dioxin".
 */
export function isVietnameseSyllable(word: string): boolean {
  if (word.length === 0 || word.length > 7 || !/^[a-z]+$/.test(word)) return false;
  for (const onset of ONSETS) {
    if (!word.startsWith(onset)) continue;
    const rhyme = word.slice(onset.length);
    if (rhyme === '' ) {
      // "gi" alone is a syllable ("gì"); no other onset stands alone.
      if (onset === 'gi') return true;
      continue;
    }
    if (!RHYMES.has(rhyme)) continue;
    const front = /^[eiy]/.test(rhyme);
    if (FRONT_ONLY.has(onset) && !front) continue;
    if (NOT_BEFORE_FRONT.has(onset) && front) continue;
    // "qu" already holds the medial u: "qua", "quyen", not "quua".
    if (onset === 'qu' && rhyme.startsWith('u')) continue;
    return true;
  }
  return false;
}

/** Tokens of a question with their original case (letters only; digits and signs dropped). */
function words(question: string): string[] {
  return question.normalize('NFC').match(/[\p{L}]+(?:'[\p{L}]+)?/gu) ?? [];
}

/** Per-word vote weights (chosen so short questions decide on one or two clear words). */
const WEIGHT = {
  englishStopword: 1.5,
  englishCommon: 1,
  notVietnamese: 0.75,
  vietnameseSyllable: 1,
  vietnameseFunction: 2,
  vietnameseWithDiacritics: 3,
};

/** English and Vietnamese evidence in a question; exported for tests and diagnostics. */
export function languageScores(question: string): { en: number; vi: number } {
  const tokens = words(question);
  // In a question typed in capitals or Title Case ("Who Is To Lam"), capitals mark no names.
  const inner = tokens.slice(1).filter((t) => ENGLISH_STOPWORDS.has(t.toLowerCase()));
  const allCaps = tokens.length > 1 && tokens.every((t) => t === t.toUpperCase());
  const titleCase = inner.length >= 2 && inner.filter((t) => t !== t.toLowerCase()).length >= 0.8 * inner.length;
  const caseless = allCaps || titleCase;
  let en = 0;
  let vi = 0;
  tokens.forEach((token, i) => {
    const lower = token.toLowerCase();
    const capitalised = !caseless && token !== lower;
    // Names and acronyms inside the sentence do not vote ("Pete Hegseth", "UNCLOS").
    if (capitalised && i > 0) return;
    // Nor does the first word of a name that opens the question ("To Lam la ai"),
    // unless it is a question word ("What UNCLOS says").
    const next = tokens[i + 1];
    if (
      capitalised &&
      !QUESTION_WORDS.has(lower) &&
      next !== undefined &&
      next !== next.toLowerCase() &&
      !ENGLISH_STOPWORDS.has(next.toLowerCase())
    ) {
      return;
    }
    // A sentence-initial capital is either a name or an ordinary word: it votes only
    // when it is a known function/common word.
    const folded = foldDiacritics(lower);
    // A word written with Vietnamese diacritics (not a name: those returned above) is Vietnamese.
    if (folded !== lower) {
      vi += WEIGHT.vietnameseWithDiacritics;
      return;
    }
    const isStop = ENGLISH_STOPWORDS.has(lower);
    const isCommon = ENGLISH_COMMON.has(lower);
    const isViFunction = VIETNAMESE_FUNCTION_SYLLABLES.has(folded);
    if (capitalised && !isStop && !isCommon && !isViFunction) return;
    if (isStop) en += WEIGHT.englishStopword;
    else if (isCommon) en += WEIGHT.englishCommon;
    if (isViFunction) vi += WEIGHT.vietnameseFunction;
    else if (isVietnameseSyllable(folded)) vi += WEIGHT.vietnameseSyllable;
    else if (!isStop && !isCommon) en += WEIGHT.notVietnamese;
  });
  return { en, vi };
}

/** Vietnamese or English: the language of a question, of a reply, of a chat's digests. */
export type Language = 'vi' | 'en';

/**
 * The language of a question: `'vi'` when it has a Vietnamese diacritic or its words
 * are mostly Vietnamese syllables, `'en'` when English words outweigh them.
 * Undecided (no words, only names) is `'vi'`.
 */
export function detectLanguage(question: string): Language {
  const { en, vi } = languageScores(question);
  return en > vi ? 'en' : 'vi';
}
