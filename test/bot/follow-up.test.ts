import { describe, expect, it } from 'vitest';
import { ConversationMemory, followUpOf, messageSubject, withoutMarkers } from '../../src/bot/follow-up.ts';
import { claimCoverage, claimWords } from '../../src/bot/claims.ts';
import { withContext } from '../../src/search/context.ts';
import type { AnalyzedQuery } from '../../src/search/query-types.ts';

describe('ConversationMemory', () => {
  it('keeps the last question of a chat, forgets it after the memory time, and bounds the chats', () => {
    let now = 0;
    const memory = new ConversationMemory({ memoryMs: 1000, maxChats: 2, now: () => now });
    memory.remember(1, 'a', 'a', [10]);
    memory.remember(1, 'b', 'b a', [11]);
    expect(memory.recall(1)).toMatchObject({ question: 'b', withContext: 'b a', answerIds: [11], ageMs: 0 });
    memory.remember(2, 'c', 'c', []);
    memory.remember(3, 'd', 'd', []);
    expect(memory.size).toBe(2);
    expect(memory.recall(1)).toBeUndefined();
    now = 1001;
    expect(memory.recall(2)).toBeUndefined();
    expect(memory.size).toBe(1);
  });
});

describe('follow-ups', () => {
  const previous = { question: 'Bộ trưởng Quốc phòng Mỹ là ai?', withContext: 'Bộ trưởng Quốc phòng Mỹ là ai?', answerIds: [5], at: 0, ageMs: 10_000 };
  const privately = { replied: false, privateChat: true };

  it('finds what a message says of its own', () => {
    expect(messageSubject('còn Nga thì sao?')).toMatchObject({ words: ['Nga'], marked: true });
    expect(messageSubject('khi nào?').words).toEqual([]);
    expect(messageSubject('and Russia?')).toMatchObject({ words: ['Russia'], marked: true, language: 'en' });
    expect(messageSubject('Mỹ hỗ trợ bao nhiêu tiền cho dự án dioxin?').words.length).toBeGreaterThan(4);
    expect(withoutMarkers('còn Nga thì sao?')).toBe('Nga?');
    expect(withoutMarkers('What about Russia?')).toBe('What about Russia?');
    expect(withoutMarkers('thế còn về Biên Hòa nữa?')).toBe('Biên Hòa?');
  });

  it('merges fragments, not questions of their own, not after the window, not in groups without a reply', () => {
    const merged = followUpOf('còn Nga thì sao?', previous, privately);
    expect(merged?.question).toBe('Nga?');
    expect(merged?.context).toBe(previous.question);
    expect(merged?.understood('vi')).toBe('<i>Hiểu là: “còn Nga thì sao?” (tiếp câu “Bộ trưởng Quốc phòng Mỹ là ai?”)</i>');
    expect(followUpOf('khi nào?', previous, privately)?.question).toBe('Bộ trưởng Quốc phòng Mỹ khi nào?');
    expect(followUpOf('and Russia?', previous, privately)?.question).toBe('and Russia?');
    expect(followUpOf('Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin?', previous, privately)).toBeUndefined();
    expect(followUpOf('còn Nga thì sao?', { ...previous, ageMs: 6 * 60_000 }, privately)).toBeUndefined();
    expect(followUpOf('còn Nga thì sao?', previous, { replied: false, privateChat: false })).toBeUndefined();
    expect(followUpOf('còn Nga thì sao?', { ...previous, ageMs: 20 * 60_000 }, { replied: true, privateChat: false })).toBeDefined();
    expect(followUpOf('còn Nga thì sao?', undefined, privately)).toBeUndefined();
  });
});

describe('withContext', () => {
  const q = (terms: [string, number][], extra: Partial<AnalyzedQuery> = {}): AnalyzedQuery => ({
    language: 'vi',
    terms: terms.map(([text, weight]) => ({ text, weight })),
    denseText: terms.map(([t]) => t).join(' '),
    matchedTerms: [],
    ...extra,
  });

  it("adds the earlier question's terms at half weight and keeps the new question's own", () => {
    const merged = withContext(q([['nga', 1], ['sao', 0.5]], { answerType: null }), q([['bộ', 0.5], ['nga', 1]]));
    expect(merged.terms).toEqual([
      { text: 'nga', weight: 1 },
      { text: 'sao', weight: 0.5 },
      { text: 'bộ', weight: 0.25 },
    ]);
    expect(merged.units).toBeUndefined();
  });
});

describe('claim matching', () => {
  it('needs most content words and every number', () => {
    const words = claimWords('Việt Nam đã trao trả cho Mỹ 994 hòm hài cốt', null);
    expect(words.map((w) => w.word)).toEqual(['Việt', 'Nam', 'trao', 'trả', 'Mỹ', '994', 'hòm', 'hài', 'cốt']);
    expect(claimCoverage(words, 'Việt Nam đã trao trả cho Mỹ 994 hòm đựng hài cốt.')).toBe(1);
    expect(claimCoverage(words, 'Việt Nam đã trao trả cho Mỹ 500 hòm đựng hài cốt.')).toBe(0);
    expect(claimCoverage(words, 'Mỹ hỗ trợ 994 triệu USD.')).toBeLessThan(0.6);
  });
});
