import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addCrossPairs,
  addDates,
  addPhrases,
  addWords,
  DEFAULT_ENGLISH_WEIGHTS,
  startEnglishAnalysis,
  type EnglishAnalysis,
  type EnglishQueryOptions,
} from '../../src/search/english-query.ts';
import { Lexicon, loadLexicon } from '../../src/search/lexicon.ts';

// Each stage of analyzeEnglish on its own: what a question's words turn into at that step.

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'lexicon', 'en-vi-small.tsv');

let lex: Lexicon;
beforeAll(async () => {
  lex = await loadLexicon(FIXTURE);
});

/** Term text → weight of what the stages run so far have added. */
function terms(a: EnglishAnalysis): Map<string, number> {
  return new Map(a.bag.terms().map((t) => [t.text, t.weight]));
}

/** Each unit of meaning as its ways to appear in a passage ("bộ trưởng|trưởng quốc" for a translation's pairs). */
function units(a: EnglishAnalysis): string[][] {
  return a.bag.units().map((u) => u.alternatives.map((alt) => alt.join('|')));
}

function start(question: string, lexicon: Lexicon | null = lex, options: EnglishQueryOptions = {}): EnglishAnalysis {
  return startEnglishAnalysis(question, lexicon, options);
}

describe('the start of the analysis', () => {
  it('splits the question into words and numbers, with nothing in the query yet', () => {
    const a = start('Did U.S. troops leave in 2021?');
    expect(a.tokens.map((t) => t.surface)).toEqual(['Did', 'US', 'troops', 'leave', 'in', '2021']);
    expect(a.bag.terms()).toEqual([]);
    expect(a.used).toEqual([false, false, false, false, false, false]);
  });

  it('reads capitals as names, except in a question typed in capitals or Title Case', () => {
    expect(start('Who won the match in Warsaw?').caseSaysNames).toBe(true);
    expect(start('WHO IS THE PRIME MINISTER').caseSaysNames).toBe(false);
    expect(start('Who Is The Prime Minister Of Vietnam').caseSaysNames).toBe(false);
  });
});

describe('stage 1: dates', () => {
  it('turns "October 2025" into the month and month/year forms Vietnamese news uses', () => {
    const a = start('Which memorandum was signed in October 2025?');
    addDates(a);
    const w = terms(a);
    expect([...w.keys()].sort()).toEqual(['10/2025', '2025', 'năm 2025', 'tháng 10'].sort());
    expect(a.bag.matched).toEqual(['tháng 10']);
    // Month and year are used up: the later stages do not add them again.
    expect(a.tokens.filter((_, i) => a.used[i]).map((t) => t.surface)).toEqual(['October', '2025']);
  });

  it('reads a day before or after the month ("7 February", "February 7, 2025")', () => {
    const before = start('Who did he call on 7 February?');
    addDates(before);
    expect(terms(before).has('7/2')).toBe(true);
    expect(terms(before).has('ngày 7')).toBe(true);
    const after = start('on February 7, 2025');
    addDates(after);
    expect(terms(after).has('7/2/2025')).toBe(true);
  });

  it('makes each date one unit, which any of its forms covers', () => {
    const a = start('between 5 May 2021 and June 2022');
    addDates(a);
    expect(units(a)).toHaveLength(2);
    expect(units(a)[0]).toEqual(expect.arrayContaining(['tháng 5', '5/2021', '5/5/2021']));
  });

  it('leaves words that only look like months ("may", "march") alone', () => {
    for (const question of ['What may happen?', 'Why did they march on Warsaw?']) {
      const a = start(question);
      addDates(a);
      expect(a.bag.terms()).toEqual([]);
      expect(a.used.every((u) => !u)).toBe(true);
    }
  });
});

describe('stage 2: multi-word phrases', () => {
  it('translates "prime minister" as a whole, not word by word', () => {
    const a = start('Who is the prime minister?');
    addPhrases(a);
    const w = terms(a);
    expect(w.has('thủ tướng')).toBe(true);
    expect(w.has('mục sư')).toBe(false); // "minister" alone
    expect(a.bag.matched).toEqual(['thủ tướng']);
    expect(a.tokens.filter((_, i) => a.inPhrase[i]).map((t) => t.surface)).toEqual(['prime', 'minister']);
  });

  it('takes the longest phrase and finds it under British spelling', () => {
    const a = start('The defence minister met the President');
    addPhrases(a);
    expect(a.bag.matched).toEqual(['bộ trưởng quốc phòng']);
    expect(units(a)).toEqual([['bộ trưởng|trưởng quốc|quốc phòng']]);
  });

  it('does nothing without a lexicon, or when no phrase is known', () => {
    const none = start('Who is the prime minister?', null);
    addPhrases(none);
    expect(none.bag.terms()).toEqual([]);
    const single = start('Where are the soldiers?');
    addPhrases(single);
    expect(single.bag.terms()).toEqual([]);
    expect(single.inPhrase.every((p) => !p)).toBe(true);
  });

  it('does not take words a date already used', () => {
    const a = start('war remnants in May 2020');
    addDates(a);
    addPhrases(a);
    expect(a.bag.matched).toEqual(['tháng 5', 'di chứng chiến tranh']);
  });
});

describe('stage 3: words, numbers and names', () => {
  it('translates content words and drops stopwords', () => {
    const a = start('What is the relation between them?');
    addWords(a);
    const w = terms(a);
    expect(w.has('quan hệ')).toBe(true);
    expect(w.get('relation')).toBe(DEFAULT_ENGLISH_WEIGHTS.englishTranslated); // kept as written, for loanwords
    for (const stop of ['what', 'is', 'the', 'between', 'them']) expect(w.has(stop)).toBe(false);
  });

  it('keeps names as written, folded, with the pair of two name words', () => {
    const a = start('Who is Pete Hegseth?');
    addWords(a);
    const w = terms(a);
    expect(w.get('hegseth')).toBe(DEFAULT_ENGLISH_WEIGHTS.name);
    expect(w.get('pete hegseth')).toBe(DEFAULT_ENGLISH_WEIGHTS.namePair);
    const folded = start('Where is Biên Hòa?');
    addWords(folded);
    expect(terms(folded).has('bien hoa')).toBe(true);
  });

  it('writes numbers and number words the way Vietnamese text does', () => {
    const a = start('about 1,435 soldiers and three ships in 1960s');
    addWords(a);
    const w = terms(a);
    for (const form of ['1.435', '1435', '3', 'ba', '1960', 'năm 1960']) expect(w.has(form)).toBe(true);
  });

  it('adds nothing more for the tokens of a date', () => {
    const a = start('in October 2025');
    addDates(a);
    const before = terms(a);
    addWords(a);
    expect(terms(a)).toEqual(before);
  });

  it('keeps the English words of a translated phrase without translating them word by word', () => {
    const a = start('Who is the prime minister?');
    addPhrases(a);
    addWords(a);
    const w = terms(a);
    expect(w.has('minister')).toBe(true);
    expect(w.has('mục sư')).toBe(false);
  });

  it('with a vocabulary, keeps a word the corpus cannot say as a unit no passage covers', () => {
    const vocabulary = { has: (term: string) => ['nhà', 'làm'].includes(term) };
    const a = start('How do I make banh mi at home?', lex, { vocabulary });
    addWords(a);
    expect(units(a).flat()).toEqual(expect.arrayContaining(['banh', 'mi']));
    expect(terms(a).has('banh')).toBe(false);
  });
});

describe('stage 4: pairs across neighbouring words', () => {
  it('joins two neighbouring words\' translations in both orders, within a small budget', () => {
    const a = start('defence cooperation');
    addWords(a);
    const before = terms(a);
    addCrossPairs(a);
    const added = [...terms(a)].filter(([text, weight]) => weight !== before.get(text));
    const texts = added.map(([text]) => text);
    expect(texts).toContain('tác quốc'); // "hợp tác quốc phòng"
    expect(texts).toContain('phòng hợp'); // "quốc phòng hợp tác"
    const total = added.reduce((s, [text, weight]) => s + weight - (before.get(text) ?? 0), 0);
    expect(total).toBeCloseTo(DEFAULT_ENGLISH_WEIGHTS.crossPairBudget, 2);
  });

  it('adds no unit of meaning: the pairs are extra evidence', () => {
    const a = start('defence cooperation');
    addWords(a);
    const before = units(a);
    addCrossPairs(a);
    expect(units(a)).toEqual(before);
  });

  it('joins nothing for words that are not side by side, or with the budget at 0', () => {
    const apart = start('defence and cooperation');
    addWords(apart);
    const before = terms(apart);
    addCrossPairs(apart);
    expect(terms(apart)).toEqual(before);
    const off = start('defence cooperation', lex, { weights: { crossPairBudget: 0 } });
    addWords(off);
    const offBefore = terms(off);
    addCrossPairs(off);
    expect(terms(off)).toEqual(offBefore);
  });

  it('with a vocabulary, keeps only the pairs the corpus holds', () => {
    const vocabulary = { has: (term: string) => ['quốc', 'phòng', 'quốc phòng', 'hợp', 'tác', 'hợp tác', 'tác quốc'].includes(term) };
    const a = start('defence cooperation', lex, { vocabulary });
    addWords(a);
    addCrossPairs(a);
    const w = terms(a);
    expect(w.get('tác quốc')).toBeCloseTo(DEFAULT_ENGLISH_WEIGHTS.crossPairBudget, 3);
    expect(w.has('phòng hợp')).toBe(false);
  });
});
