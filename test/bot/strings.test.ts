import { describe, expect, it } from 'vitest';
import { replyLanguage, strings, CORE_COMMANDS } from '../../src/bot/strings.ts';
import { telegramHtmlProblems } from '../e2e/helpers/telegram-html.ts';

describe('replyLanguage', () => {
  it('is Vietnamese by default, English for English questions or English Telegram users', () => {
    expect(replyLanguage(undefined)).toBe('vi');
    expect(replyLanguage('vi', 'vi')).toBe('vi');
    expect(replyLanguage('ru', 'vi')).toBe('vi');
    expect(replyLanguage(undefined, 'en')).toBe('en');
    expect(replyLanguage('en-US', 'vi')).toBe('en');
    expect(replyLanguage('en')).toBe('en');
  });
});

describe('strings', () => {
  it('are valid Telegram HTML with hostile inputs escaped', () => {
    for (const lang of ['vi', 'en'] as const) {
      const s = strings(lang);
      const texts = [
        s.start('<b>&"'),
        s.help([...CORE_COMMANDS, { command: 'x', args: { vi: '<a&b>', en: '<a&b>' }, description: { vi: '<i>', en: '&' } }]),
        s.tooLong(4096, 1000),
        s.askUsage('<script>'),
        s.matchedBy(['<b>', 'Biên Hòa']),
        s.emptyQuestion,
        s.rateLimited(20),
      ];
      for (const t of texts) expect(telegramHtmlProblems(t)).toEqual([]);
    }
  });
});
