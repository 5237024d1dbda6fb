import type { Lexicon } from './lexicon.ts';

/**
 * English words → lexicon heads: as written, British/American spelling, suffix rules,
 * irregular forms, derivations, and the Porter stem as the last resort.
 */

/** Irregular English forms → their base form (the ones questions use). */
const IRREGULAR: ReadonlyMap<string, string> = new Map(
  (
    'was:be were:be been:be is:be are:be am:be did:do does:do done:do had:have has:have ' +
    'won:win became:become began:begin begun:begin held:hold led:lead built:build made:make took:take taken:take ' +
    'gave:give given:give found:find sold:sell bought:buy brought:bring fought:fight thought:think taught:teach ' +
    'caught:catch wrote:write written:write spoke:speak spoken:speak chose:choose chosen:choose drove:drive ' +
    'driven:drive grew:grow grown:grow knew:know known:know threw:throw thrown:throw flew:fly flown:fly ran:run ' +
    'sang:sing sung:sing fell:fall fallen:fall met:meet left:leave lost:lose paid:pay said:say sent:send spent:spend ' +
    'stood:stand told:tell understood:understand went:go gone:go saw:see seen:see ate:eat eaten:eat broke:break ' +
    'broken:break came:come forgot:forget got:get gotten:get hid:hide kept:keep laid:lay lay:lie lent:lend ' +
    'meant:mean rose:rise risen:rise shot:shoot slept:sleep struck:strike swore:swear swam:swim wore:wear worn:wear ' +
    'heard:hear felt:feel fed:feed fled:flee dealt:deal drew:draw drawn:draw froze:freeze frozen:freeze hung:hang ' +
    'sought:seek shook:shake shaken:shake stole:steal stolen:steal woke:wake bore:bear born:bear borne:bear ' +
    'beat:beat beaten:beat bent:bend bound:bind bred:breed dug:dig forbade:forbid forgave:forgive ' +
    'overcame:overcome overtook:overtake undertook:undertake withdrew:withdraw withdrawn:withdraw ' +
    'men:man women:woman children:child feet:foot teeth:tooth mice:mouse geese:goose people:people ' +
    'lives:life wives:wife knives:knife leaves:leaf halves:half wolves:wolf thieves:thief ' +
    'criteria:criterion phenomena:phenomenon data:data media:media analyses:analysis crises:crisis theses:thesis ' +
    'better:good best:good worse:bad worst:bad larger:large largest:large'
  )
    .split(' ')
    .map((p) => p.split(':') as [string, string]),
);

/** British ↔ American spelling rewrites (suffix patterns). */
const SPELLING_SWAPS: readonly [RegExp, string][] = [
  [/is(e|es|ed|ing|ation|ations|er|ers)$/, 'iz$1'],
  [/iz(e|es|ed|ing|ation|ations|er|ers)$/, 'is$1'],
  [/yse(s|d)?$/, 'yze$1'],
  [/yze(s|d)?$/, 'yse$1'],
  [/ence$/, 'ense'],
  [/ense$/, 'ence'],
  [/our(s|ed|ing|ite|ites|able)?$/, 'or$1'],
  [/([^aeiou])or(s|ed|ing|ite|ites|able)?$/, '$1our$2'],
  [/([^aeiou])re(s)?$/, '$1er$2'],
  [/([^aeiou])er(s)?$/, '$1re$2'],
  [/ogue(s)?$/, 'og$1'],
  [/ll(ed|ing|er|ers)$/, 'l$1'],
  [/([aeiou])l(ed|ing|er|ers)$/, '$1ll$2'],
  [/amme(s)?$/, 'am$1'],
  [/([^aeiou])ae([^aeiou])/, '$1e$2'],
  [/([^aeiou])oe([^aeiousy])/, '$1e$2'],
];

/** British ↔ American spellings of `word` (including itself first). */
export function spellingVariants(word: string): string[] {
  const out = new Set([word]);
  for (const [re, replacement] of SPELLING_SWAPS) {
    if (re.test(word)) out.add(word.replace(re, replacement));
  }
  return [...out];
}

/** Candidate base forms of an inflected English word by suffix rules, most likely first. */
export function lemmaCandidates(word: string): string[] {
  const out: string[] = [];
  const add = (w: string) => {
    if (w.length >= 2 && w !== word && !out.includes(w)) out.push(w);
  };
  const irregular = IRREGULAR.get(word);
  if (irregular) add(irregular);
  const undouble = (stem: string) => (/([bdfgklmnprstvz])\1$/.test(stem) ? stem.slice(0, -1) : null);
  if (word.endsWith("'s")) add(word.slice(0, -2));
  if (word.endsWith('ies') && word.length > 4) add(word.slice(0, -3) + 'y');
  if (word.endsWith('ves') && word.length > 4) {
    add(word.slice(0, -3) + 'f');
    add(word.slice(0, -3) + 'fe');
  }
  if (word.endsWith('es') && word.length > 3) {
    add(word.slice(0, -1));
    add(word.slice(0, -2));
  }
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is') && word.length > 3) {
    add(word.slice(0, -1));
  }
  for (const suffix of ['ed', 'ing', 'er', 'est']) {
    if (!word.endsWith(suffix) || word.length < suffix.length + 2) continue;
    const stem = word.slice(0, -suffix.length);
    if (stem.endsWith('i')) add(stem.slice(0, -1) + 'y'); // carried, happier
    add(stem + 'e'); // normalised, making, used (before "us"), hoped (before "hop")
    add(stem);
    const single = undouble(stem);
    if (single) add(single); // planned, running
  }
  if (word.endsWith('ers') && word.length > 5) {
    add(word.slice(0, -3));
    add(word.slice(0, -2));
  }
  if (word.endsWith('ily') && word.length > 5) add(word.slice(0, -3) + 'y');
  if (word.endsWith('ally') && word.length > 6) add(word.slice(0, -2)); // officially → official
  if (word.endsWith('ly') && word.length > 4) add(word.slice(0, -2));
  if (word.endsWith('ically') && word.length > 8) add(word.slice(0, -4)); // historically → historic
  return out;
}

/**
 * The lexicon head an English word (lower case) stands for: the word itself, a
 * British/American variant, a base form by suffix rules or the irregular table, or
 * a head sharing its Porter stem. `null` when none is in the lexicon.
 */
export function resolveHead(word: string, lexicon: Lexicon): string | null {
  let cache = headCache.get(lexicon);
  if (!cache) headCache.set(lexicon, (cache = new Map()));
  const cached = cache.get(word);
  if (cached !== undefined) return cached;
  const head = findHead(word, lexicon);
  if (cache.size >= 20_000) cache.clear();
  cache.set(word, head);
  return head;
}

/** Resolved heads per lexicon (questions repeat their words). */
const headCache = new WeakMap<Lexicon, Map<string, string | null>>();

function findHead(word: string, lexicon: Lexicon): string | null {
  const variants = spellingVariants(word);
  for (const v of variants) if (lexicon.hasWord(v)) return v;
  for (const v of variants) {
    for (const lemma of lemmaCandidates(v)) {
      for (const lv of spellingVariants(lemma)) if (lexicon.hasWord(lv)) return lv;
    }
  }
  for (const v of variants) {
    for (const base of [v, ...lemmaCandidates(v)]) {
      for (const d of derivationCandidates(base)) {
        for (const dv of spellingVariants(d)) if (lexicon.hasWord(dv)) return dv;
      }
    }
  }
  if (word.length >= 5 && /^[a-z]+$/.test(word)) {
    const heads = lexicon.headsWithStem(word);
    if (heads.length > 0) {
      // The shortest head sharing the stem is the likeliest base form.
      return [...heads].sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
    }
  }
  return null;
}

/** Derivational suffixes → what to put back ("settler" → "settle", "efficiency" → "efficient"). */
const DERIVATIONS: readonly [string, readonly string[]][] = [
  ['ations', ['ate', 'e', '']], ['ation', ['ate', 'e', '']], ['ions', ['e', '']], ['ion', ['e', '']],
  ['ers', ['e', '']], ['er', ['e', '']], ['ors', ['e', '']], ['or', ['e', '']], ['ists', ['', 'e', 'y']], ['ist', ['', 'e', 'y']],
  ['ments', ['']], ['ment', ['']], ['ness', ['']], ['ities', ['', 'e']], ['ity', ['', 'e']],
  ['ency', ['ent']], ['ancy', ['ant']], ['acy', ['ate']], ['ual', ['']], ['al', ['', 'e']], ['ive', ['e', '']],
  ['ical', ['ic', 'y']], ['ic', ['', 'y']], ['ism', ['', 'e']], ['ship', ['']], ['hood', ['']],
];

/** Candidate words `word` derives from, for words the lexicon lacks ("settlers" → "settle"). */
function derivationCandidates(word: string): string[] {
  const out: string[] = [];
  for (const [suffix, backs] of DERIVATIONS) {
    if (!word.endsWith(suffix) || word.length < suffix.length + 4) continue;
    const stem = word.slice(0, -suffix.length);
    for (const back of backs) if (!out.includes(stem + back)) out.push(stem + back);
    if (/([bdfgklmnprstvz])\1$/.test(stem)) out.push(stem.slice(0, -1));
  }
  return out;
}

/** A best-effort base form without a lexicon (for keeping the English word). */
export function simpleLemma(word: string): string {
  const irregular = IRREGULAR.get(word);
  if (irregular) return irregular;
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}
