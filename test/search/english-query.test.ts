import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeQuestion } from '../../src/search/analyze.ts';
import { analyzeEnglish, DEFAULT_ENGLISH_WEIGHTS } from '../../src/search/english-query.ts';
import { lemmaCandidates, resolveHead, spellingVariants } from '../../src/search/english-words.ts';
import { analyzeVietnamese } from '../../src/search/vietnamese-query.ts';
import { Lexicon, loadLexicon } from '../../src/search/lexicon.ts';
import type { AnalyzedQuery } from '../../src/search/query-types.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'lexicon', 'en-vi-small.tsv');
const SHARED = path.resolve(import.meta.dirname, '..', '..', 'lexicons', 'en-vi', 'en-vi.tsv');

/** Term text → weight. */
function weights(q: AnalyzedQuery): Map<string, number> {
  return new Map(q.terms.map((t) => [t.text, t.weight]));
}

let lex: Lexicon;
beforeAll(async () => {
  lex = await loadLexicon(FIXTURE);
});

describe('English words → lexicon heads', () => {
  it('reduces inflections with suffix rules and irregular forms', () => {
    expect(resolveHead('soldiers', lex)).toBe('soldier');
    expect(resolveHead('searching', lex)).toBe('search');
    expect(resolveHead('signed', lex)).toBe('sign');
    expect(resolveHead('carried', lex)).toBe('carry');
    expect(resolveHead('settled', lex)).toBe('settle');
    expect(resolveHead('used', lex)).toBe('use');
    expect(resolveHead('countries', lex)).toBe('country');
    expect(resolveHead('relations', lex)).toBe('relation');
    expect(lemmaCandidates('won')).toContain('win');
    expect(lemmaCandidates('planned')).toContain('plan');
  });

  it('maps British and American spellings onto each other', () => {
    expect(spellingVariants('defence')).toContain('defense');
    expect(spellingVariants('normalised')).toContain('normalized');
    expect(spellingVariants('colour')).toContain('color');
    expect(spellingVariants('centre')).toContain('center');
    expect(resolveHead('defence', lex)).toBe('defense');
    expect(resolveHead('normalised', lex)).toBe('normalize');
    expect(resolveHead('normalising', lex)).toBe('normalize');
  });

  it('falls back to derivations, then to heads sharing a Porter stem', () => {
    const small = Lexicon.fromText('efficient\thiệu quả\nspirit\ttinh thần\nnormalize\tbình thường hóa\n');
    expect(resolveHead('efficiency', small)).toBe('efficient');
    expect(resolveHead('spiritual', small)).toBe('spirit');
    expect(resolveHead('normalizations', small)).toBe('normalize');
  });

  it('returns null for words the lexicon does not know', () => {
    expect(resolveHead('hegseth', lex)).toBeNull();
  });
});

describe('analyzeEnglish', () => {
  it('drops stopwords and keeps content words', () => {
    const q = analyzeEnglish('What is the relation between them?', lex);
    const w = weights(q);
    expect(q.language).toBe('en');
    expect(w.has('quan hệ')).toBe(true);
    for (const stop of ['what', 'is', 'the', 'between', 'them']) expect(w.has(stop)).toBe(false);
    expect(q.denseText).toBe('What is the relation between them?');
  });

  it('matches multi-word heads first, longest match, with spelling variants and inflections', () => {
    const pm = weights(analyzeEnglish('Who is the prime minister?', lex));
    expect(pm.has('thủ tướng')).toBe(true);
    expect(pm.has('mục sư')).toBe(false); // "minister" alone was not translated

    const dm = analyzeEnglish('The defence minister met the President', lex);
    const w = weights(dm);
    expect(w.has('bộ trưởng quốc phòng'.split(' ').slice(0, 2).join(' '))).toBe(true);
    expect(w.has('trưởng quốc')).toBe(true);
    expect(dm.matchedTerms).toContain('bộ trưởng quốc phòng');
    expect(dm.matchedTerms).not.toContain('mục sư');

    const wr = weights(analyzeEnglish('How are war remnants cleared?', lex));
    expect(wr.has('di chứng')).toBe(true);
    expect(wr.has('chứng chiến')).toBe(true);
  });

  it('emits Vietnamese adjacent pairs for multi-syllable translations', () => {
    const w = weights(analyzeEnglish('bilateral cooperation', lex));
    expect(w.get('hợp tác')).toBeGreaterThan(0);
    expect(w.get('hợp')).toBeGreaterThan(0);
    expect(w.has('sự')).toBe(false); // "sự hợp tác": the nominaliser takes no share
  });

  it('joins neighbouring words\' translations in both orders (Vietnamese puts the head first)', () => {
    const w = weights(analyzeEnglish('defence cooperation', lex));
    expect(w.has('tác quốc')).toBe(true); // "hợp tác quốc phòng"
    expect(w.has('phòng hợp')).toBe(true); // "quốc phòng hợp tác"
    const total = ['tác quốc', 'phòng hợp', 'tác phòng', 'thủ hợp'].reduce((s, t) => s + (w.get(t) ?? 0), 0);
    expect(total).toBeLessThanOrEqual(DEFAULT_ENGLISH_WEIGHTS.crossPairBudget + 1e-9);
  });

  it('bounds the weight of one English word however many translations it has', () => {
    const q = analyzeEnglish('soldiers', lex, { weights: { englishTranslated: 0 } });
    const syllables = q.terms.filter((t) => !t.text.includes(' '));
    const pairs = q.terms.filter((t) => t.text.includes(' '));
    const sum = (ts: { weight: number }[]) => ts.reduce((s, t) => s + t.weight, 0);
    expect(syllables.length).toBeGreaterThan(5);
    expect(sum(syllables)).toBeCloseTo(DEFAULT_ENGLISH_WEIGHTS.maxBudget, 2);
    expect(sum(pairs)).toBeCloseTo(DEFAULT_ENGLISH_WEIGHTS.maxBudget * DEFAULT_ENGLISH_WEIGHTS.pairShare, 2);
    // A word with one translation syllable gets that syllable's full weight, no more.
    const sea = weights(analyzeEnglish('sea', lex, { weights: { englishTranslated: 0 } }));
    expect(sea.get('biển')).toBe(1);
    for (const t of q.terms) expect(t.weight).toBeLessThanOrEqual(DEFAULT_ENGLISH_WEIGHTS.maxBudget);
  });

  it('spends the budget on translations the corpus holds when a vocabulary is given', () => {
    const vocabulary = { has: (term: string) => ['bộ', 'trưởng', 'bộ trưởng'].includes(term) };
    const q = analyzeEnglish('minister', lex, { vocabulary });
    const w = weights(q);
    expect(w.has('mục sư')).toBe(false);
    expect(w.get('bộ')).toBe(1);
    expect(q.matchedTerms).toEqual(['bộ trưởng']);
  });

  it('with a vocabulary, keeps untranslated names the corpus lacks (they tell the question is out of corpus) and drops what cannot match', () => {
    const vocabulary = { has: (term: string) => ['mỹ', 'hoa', 'kỳ', 'hoa kỳ', 'biển', 'huguenot'].includes(term) };
    const w = weights(analyzeEnglish('Who won the 2022 FIFA final at sea in the US?', lex, { vocabulary }));
    expect(w.get('fifa')).toBe(DEFAULT_ENGLISH_WEIGHTS.name); // absent, untranslated name: kept
    expect(w.has('2022')).toBe(true); // numbers are kept
    expect(w.has('sea')).toBe(false); // translated, and "sea" itself is not in the corpus
    expect(w.has('us')).toBe(false);
    expect(w.has('final')).toBe(false); // a common word the lexicon does not know
    expect(w.has('biển')).toBe(true);
    // A plural name the corpus writes in the singular.
    expect(weights(analyzeEnglish('Where did the Huguenots go?', lex, { vocabulary })).has('huguenot')).toBe(true);
  });

  it('keeps a content word the corpus cannot say as a unit no passage covers, so confidence shows it is missing', () => {
    const vocabulary = { has: (term: string) => ['nhà', 'làm'].includes(term) };
    const q = analyzeEnglish('How do I make banh mi at home?', lex, { vocabulary });
    const alternatives = (q.units ?? []).flatMap((u) => u.alternatives.map((a) => a.join(' ')));
    expect(alternatives).toEqual(expect.arrayContaining(['banh', 'mi']));
    expect(weights(q).has('banh')).toBe(false); // not a search term: it matches nothing
  });

  it('gives question-frame words ("name", "type", "called") a small budget', () => {
    const small = Lexicon.fromText('name\ttên\nname\tđặt tên\nname\tgọi\nname\tdanh\nriver\tsông\nriver\tdòng sông\nriver\tgiang\nriver\thà\n');
    const w = weights(analyzeEnglish('What is the name of the river?', small, { weights: { englishTranslated: 0 } }));
    const sum = (prefix: string[]) => prefix.reduce((s, t) => s + (w.get(t) ?? 0), 0);
    expect(sum(['tên', 'đặt', 'gọi', 'danh'])).toBeCloseTo(DEFAULT_ENGLISH_WEIGHTS.frameBudget, 2);
    expect(sum(['sông', 'dòng', 'giang', 'hà'])).toBeCloseTo(DEFAULT_ENGLISH_WEIGHTS.maxBudget, 2);
  });

  it('keeps names as written, lower-cased and folded, with name pairs', () => {
    const q = analyzeEnglish('how much for dioxin at Bien Hoa', lex);
    const w = weights(q);
    expect(w.has('bien hoa')).toBe(true);
    expect(w.has('bien')).toBe(true);
    expect(w.has('hoa')).toBe(true);
    expect(w.has('dioxin')).toBe(true);
    expect(w.has('much')).toBe(false);
    const h = weights(analyzeEnglish('Who is Pete Hegseth?', lex));
    expect(h.get('hegseth')).toBe(DEFAULT_ENGLISH_WEIGHTS.name);
    expect(h.has('pete hegseth')).toBe(true);
    const d = weights(analyzeEnglish('Where is Biên Hòa?', lex));
    expect(d.has('bien hoa')).toBe(true);
  });

  it('reads capitalised stopwords as names only beside a name', () => {
    const w = weights(analyzeEnglish('What did To Lam say?', lex));
    expect(w.has('to lam')).toBe(true);
    expect(w.has('to')).toBe(true);
    const s = weights(analyzeEnglish('What happened In 2015 to Warsaw?', lex));
    expect(s.has('in')).toBe(false);
  });

  it('ignores capitals in a question typed in capitals or Title Case', () => {
    const w = weights(analyzeEnglish('WHO IS THE PRIME MINISTER', lex));
    expect(w.has('thủ tướng')).toBe(true);
    expect(w.has('who')).toBe(false);
    const t = weights(analyzeEnglish('Who Is The Prime Minister', lex));
    expect(t.has('thủ tướng')).toBe(true);
    expect(t.has('the')).toBe(false);
  });

  it('keeps acronyms and translates the ones the lexicon knows under their own spelling', () => {
    const w = weights(analyzeEnglish('Which UN convention is UNCLOS? What do the US and MOU say?', lex));
    expect(w.has('unclos')).toBe(true);
    expect(w.has('mou')).toBe(true);
    expect(w.has('mỹ')).toBe(true);
    expect(w.has('chúng')).toBe(false); // "US" is not "us"
    const dotted = weights(analyzeEnglish('What U.S. entity?', lex));
    expect(dotted.has('mỹ')).toBe(true);
  });

  it('keeps numbers and turns dates into the forms Vietnamese news uses', () => {
    const w = weights(analyzeEnglish('Which memorandum signed in October 2025?', lex));
    expect(w.has('10/2025')).toBe(true);
    expect(w.has('tháng 10')).toBe(true);
    expect(w.has('2025')).toBe(true);
    expect(w.has('bản ghi')).toBe(true);
    const feb = weights(analyzeEnglish('Who did he call on 7 February?', lex));
    expect(feb.has('7/2')).toBe(true);
    expect(feb.has('tháng 2')).toBe(true);
    const us = weights(analyzeEnglish('on February 7, 2025', lex));
    expect(us.has('7/2/2025')).toBe(true);
    const nums = weights(analyzeEnglish('about 1,435 soldiers and 56.2 percent in 1960s', lex));
    expect(nums.has('1.435')).toBe(true);
    expect(nums.has('56,2')).toBe(true);
    expect(nums.has('1960')).toBe(true);
    expect(weights(analyzeEnglish('Why did they march on Warsaw?', lex)).has('tháng 3')).toBe(false);
    expect(weights(analyzeEnglish('What happened in June?', lex)).has('tháng 6')).toBe(true);
    // "may" is a month only next to a number.
    expect(weights(analyzeEnglish('What may happen?', lex)).has('tháng 5')).toBe(false);
    expect(weights(analyzeEnglish('since 5 May 2021', lex)).has('5/2021')).toBe(true);
  });

  it('turns number words into digits and Vietnamese numerals', () => {
    const w = weights(analyzeEnglish('How many of the three soldiers?', lex));
    expect(w.has('3')).toBe(true);
    expect(w.has('ba')).toBe(true);
    expect(w.has('many')).toBe(false);
  });

  it('still gives a query without a lexicon (English words, names, numbers)', () => {
    const q = analyzeEnglish('When did the Russian President visit Hanoi in 2024?', null);
    const w = weights(q);
    expect(w.has('visit')).toBe(true);
    expect(w.has('russian')).toBe(true);
    expect(w.has('hanoi')).toBe(true);
    expect(w.has('2024')).toBe(true);
    expect(w.has('the')).toBe(false);
    expect(q.matchedTerms).toEqual([]);
  });

  it('does not keep English words that would match unrelated Vietnamese syllables', () => {
    // "can", "ban", "long" are also folded Vietnamese syllables ("cần", "bạn", "long").
    const w = weights(analyzeEnglish('how long can a ban last', null));
    expect(w.has('long')).toBe(false);
    expect(w.has('ban')).toBe(false);
  });

  it('never emits empty or non-positive terms', () => {
    for (const question of ['', '???', 'the of and', '2025', 'Who?']) {
      for (const t of analyzeEnglish(question, lex).terms) {
        expect(t.text.length).toBeGreaterThan(0);
        expect(t.weight).toBeGreaterThan(0);
      }
    }
  });
});

describe('analyzeVietnamese', () => {
  it('gives syllables and adjacent pairs, question words down-weighted', () => {
    const q = analyzeVietnamese('Bộ trưởng Phan Văn Giang điện đàm với ai?');
    const w = weights(q);
    expect(q.language).toBe('vi');
    expect(w.get('bộ')).toBe(1);
    expect(w.get('bộ trưởng')).toBeGreaterThan(0);
    expect(w.get('ai')).toBeLessThan(1);
    expect(w.get('với')).toBeLessThan(1);
    expect(q.matchedTerms).toEqual([]);
  });

  it('uses folded forms for a question typed without diacritics', () => {
    const w = weights(analyzeVietnamese('bien hoa dioxin bao nhieu tien'));
    expect(w.get('bien')).toBe(1);
    expect(w.has('bien hoa')).toBe(true);
    expect(w.get('bao')).toBeLessThan(1);
    expect(w.get('nhieu')).toBeLessThan(1);
  });

  it('normalises tone placement like the index does', () => {
    const w = weights(analyzeVietnamese('Biên Hoà'));
    expect(w.has('hòa')).toBe(true);
    expect(w.has('biên hòa')).toBe(true);
  });
});

describe('analyzeQuestion', () => {
  it('dispatches on the detected language', () => {
    expect(analyzeQuestion('bien hoa dioxin bao nhieu tien', lex).language).toBe('vi');
    expect(analyzeQuestion('how much for dioxin at Bien Hoa', lex).language).toBe('en');
    expect(analyzeQuestion('Pete Hegseth la ai', lex).language).toBe('vi');
  });
});

describe.skipIf(!existsSync(SHARED))('with the shared lexicon (skipped: lexicons/en-vi/en-vi.tsv is absent)', () => {
  let shared: Lexicon;
  beforeAll(async () => {
    shared = await loadLexicon(SHARED);
  });

  it('translates the seed-corpus English questions into the words the articles use', () => {
    const w = weights(analyzeEnglish('What did To Lam say about the relationship with the US and cooperation on war legacies?', shared));
    expect(w.has('hợp tác')).toBe(true);
    expect(w.has('quan hệ')).toBe(true);
    expect(w.has('to lam')).toBe(true);
    const pm = weights(analyzeEnglish('Who is the Prime Minister?', shared));
    expect(pm.has('thủ tướng')).toBe(true);
  });

  it('analyses a question in well under a millisecond on average', () => {
    const questions = [
      'How many remains has Vietnam handed over to the US?',
      'Which exhibition does the Vietnamese defence ministry plan to hold at the end of 2026?',
      'What did Vietnam invite American officers to study?',
      'What new aid for the Bien Hoa airport dioxin project was announced?',
    ];
    analyzeEnglish(questions[0], shared); // builds the stem index once
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) for (const q of questions) analyzeEnglish(q, shared);
    const ms = (performance.now() - t0) / 400;
    expect(ms).toBeLessThan(5);
  });
});
