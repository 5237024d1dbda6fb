import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lexicon, LexiconError, loadLexicon } from '../../src/search/lexicon.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'lexicon');
const SHARED = path.resolve(import.meta.dirname, '..', '..', 'lexicons', 'en-vi', 'en-vi.tsv');

describe('loadLexicon', () => {
  it('parses english<TAB>vietnamese lines into words and phrases', async () => {
    const lex = await loadLexicon(path.join(FIXTURES, 'en-vi-small.tsv'));
    expect(lex.lookup('minister')?.map((t) => t.text)).toEqual(['bộ trưởng', 'mục sư', 'linh mục']);
    expect(lex.lookup('prime minister')?.map((t) => t.text)).toEqual(['thủ tướng']);
    expect(lex.lookup('minister')?.[0].syllables).toEqual(['bộ', 'trưởng']);
    expect(lex.hasPhrase('war remnants')).toBe(true);
    expect(lex.hasWord('war remnants')).toBe(false);
    // Comment, blank and tab-less lines are skipped; the tab-less one is counted.
    expect(lex.stats.skipped).toBeGreaterThanOrEqual(1);
    expect(lex.stats.pairs).toBeGreaterThan(40);
    expect(lex.stats.heads).toBeGreaterThanOrEqual(lex.stats.words + lex.stats.phrases);
  });

  it('case-folds heads but keeps acronyms apart from common words', async () => {
    const lex = await loadLexicon(path.join(FIXTURES, 'en-vi-small.tsv'));
    expect(lex.lookup('russia')?.map((t) => t.text)).toEqual(['Nga']);
    expect(lex.lookupCased('US')?.map((t) => t.text)).toEqual(['Mỹ', 'Hoa Kỳ']);
    expect(lex.lookup('us')?.map((t) => t.text)).toEqual(['chúng tôi', 'chúng ta']);
    expect(lex.lookupCased('IT')?.map((t) => t.text)).toEqual(['công nghệ thông tin']);
  });

  it('cleans editorial notes out of translations', async () => {
    const lex = await loadLexicon(path.join(FIXTURES, 'en-vi-small.tsv'));
    expect(lex.lookup('the')).toBeUndefined();
    expect(lex.lookup('vietnam')?.map((t) => t.text)).toEqual(['Việt Nam', 'Cộng Hòa Xã Hội Chủ Nghĩa Việt Nam']);
  });

  it('finds heads sharing a Porter stem', () => {
    const lex = Lexicon.fromText('normalize\tbình thường hóa\ngeneral\ttướng\n');
    expect(lex.headsWithStem('normalizing')).toEqual(['normalize']);
    expect(lex.headsWithStem('zebra')).toEqual([]);
  });

  it('normalises text to NFC', () => {
    const nfd = 'war\tchiến tranh'.normalize('NFD');
    const lex = Lexicon.fromText(nfd);
    expect(lex.lookup('war')?.[0].text).toBe('chiến tranh'.normalize('NFC'));
  });

  describe('bad files throw a LexiconError with a one-line message', () => {
    const cases: [string, RegExp][] = [
      ['missing.tsv', /not found; set TRICHDAN_LEXICON/],
      ['no-tabs.tsv', /no "english<TAB>vietnamese" lines \(2 lines without a tab\)/],
      ['empty.tsv', /no "english<TAB>vietnamese" lines \(the file is empty\)/],
      ['binary.tsv', /is a binary file/],
      ['not-utf8.tsv', /is not UTF-8 text/],
    ];
    for (const [file, message] of cases) {
      it(file, async () => {
        const p = path.join(FIXTURES, file);
        const error = await loadLexicon(p).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(LexiconError);
        expect((error as LexiconError).message).toMatch(message);
        expect((error as LexiconError).message).toContain(p);
        expect((error as LexiconError).message).not.toContain('\n');
        expect((error as LexiconError).path).toBe(p);
      });
    }

    it('a directory', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'trichdan-lex-'));
      await expect(loadLexicon(dir)).rejects.toThrow(/is a directory/);
    });

    it('a file with a BOM and CRLF line ends is fine', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'trichdan-lex-'));
      const file = path.join(dir, 'bom.tsv');
      await writeFile(file, '\ufeffwar\tchiến tranh\r\nsea\tbiển\r\n');
      const lex = await loadLexicon(file);
      expect(lex.lookup('war')?.[0].text).toBe('chiến tranh');
      expect(lex.lookup('sea')?.[0].text).toBe('biển');
    });
  });
});

describe.skipIf(!existsSync(SHARED))('the shared en-vi lexicon (skipped: lexicons/en-vi/en-vi.tsv is absent)', () => {
  it('loads with the sizes SOURCES.md states', async () => {
    const t0 = performance.now();
    const lex = await loadLexicon(SHARED);
    const ms = performance.now() - t0;
    expect(lex.stats.pairs).toBeGreaterThan(25_000);
    expect(lex.stats.heads).toBeGreaterThan(14_000);
    expect(lex.lookup('prime minister')?.map((t) => t.text)).toContain('thủ tướng');
    expect(ms).toBeLessThan(2000);
  });
});
