import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/scan.ts';
import { chunkArticle } from '../../src/index/chunk.ts';
import { LexicalIndex, LexicalSegment, queryKey } from '../../src/index/lexical.ts';
import { PostingsFileError, decodePostings, encodePostings } from '../../src/index/postings-file.ts';
import { PostingsStore } from '../../src/index/postings.ts';
import { indexedText } from '../../src/index/segment-files.ts';
import { analyzeQuestion } from '../../src/search/analyze.ts';
import { tokenize } from '../../src/text/tokens.ts';
import { SEED_CORPUS } from '../helpers/engine.ts';

/** Questions a reader of the seed corpus asks, with and without diacritics. */
const QUESTIONS = [
  'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?',
  'viet nam trao tra cho my bao nhieu hom hai cot',
  'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu khoa học',
  'Elbridge Colby cam kết hỗ trợ Việt Nam điều gì?',
  'dioxin Biên Hòa',
  'hợp tác quốc phòng Việt Nam Mỹ',
  'Tô Lâm tiếp Pete Hegseth',
];

/** The seed corpus as the index sees it: small passages (many documents), title included. */
async function seedPassages(maxChars = 400): Promise<string[]> {
  const { articles } = await loadCorpus(SEED_CORPUS);
  return articles.flatMap((a) => chunkArticle(a.id, a.text, { maxChars, overlapSentences: 1 }).map((c) => indexedText(c, a)));
}

/** Every key a text set can be asked for: exact and folded syllables and adjacent pairs. */
function keysOf(texts: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const text of texts) {
    const tokens = tokenize(text);
    tokens.forEach((t, i) => {
      keys.add(`e:${t.norm}`).add(`f:${t.folded}`);
      const n = tokens[i + 1];
      if (n) keys.add(`E:${t.norm} ${n.norm}`).add(`F:${t.folded} ${n.folded}`);
    });
  }
  return [...keys];
}

const postingsOf = (store: PostingsStore, key: string) => {
  const l = store.list(key);
  if (l < 0) return null;
  return { docs: [...store.docs.subarray(store.offsets[l], store.offsets[l + 1])], tfs: [...store.tfs.subarray(store.offsets[l], store.offsets[l + 1])] };
};

describe('postings file: encode / decode', () => {
  let texts: string[];
  let built: { store: PostingsStore; lengths: Float32Array };
  let bytes: Buffer;

  beforeAll(async () => {
    texts = await seedPassages();
    built = PostingsStore.build(texts);
    bytes = encodePostings(built.store, built.lengths);
  });

  it('uses a realistic text set (the seed corpus in many passages)', () => {
    expect(texts.length).toBeGreaterThan(40);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('TDLEX001');
  });

  it('gives back every key with the same postings, document frequencies and lengths', () => {
    const decoded = decodePostings(bytes);
    expect([...decoded.lengths]).toEqual([...built.lengths]);
    const keys = keysOf(texts);
    expect(keys.length).toBeGreaterThan(3000);
    for (const key of keys) {
      const d = decoded.store.documentFrequency(key);
      expect(d, key).toBe(built.store.documentFrequency(key));
      expect(d, key).toBeGreaterThan(0);
      expect(postingsOf(decoded.store, key), key).toEqual(postingsOf(built.store, key));
    }
    // Keys nobody wrote stay unknown.
    for (const key of ['e:xyzzy', 'F:bien xyzzy', 'E:hòa biên', 'q:hòa', 'E:a b c']) {
      expect(decoded.store.list(key)).toBe(-1);
      expect(decoded.store.documentFrequency(key)).toBe(0);
    }
  });

  it('ranks every question exactly as the index it was written from', () => {
    const fromMemory = LexicalIndex.fromSegments([new LexicalSegment(0, built.store, built.lengths)]);
    const decoded = decodePostings(bytes);
    const fromFile = LexicalIndex.fromSegments([new LexicalSegment(0, decoded.store, decoded.lengths)]);
    for (const q of QUESTIONS) {
      const { terms } = analyzeQuestion(q, null, { vocabulary: fromMemory });
      const hits = fromMemory.search(terms, 20);
      expect(hits.length, q).toBeGreaterThan(0);
      expect(fromFile.search(terms, 20), q).toEqual(hits);
      for (const t of terms) {
        expect(fromFile.documentFrequency(t.text, t.exact)).toBe(fromMemory.documentFrequency(t.text, t.exact));
        expect(fromFile.idf(t.text, t.exact)).toBe(fromMemory.idf(t.text, t.exact));
      }
    }
  });

  it('writes the same bytes again from a decoded store (a merge of read segments is stable)', () => {
    const decoded = decodePostings(bytes);
    expect(encodePostings(decoded.store, decoded.lengths).equals(bytes)).toBe(true);
  });

  it('round-trips an empty segment and one of holes only', () => {
    for (const t of [[], ['', '', '']]) {
      const { store, lengths } = PostingsStore.build(t);
      const decoded = decodePostings(encodePostings(store, lengths));
      expect([...decoded.lengths]).toEqual(t.map(() => 0));
      expect(decoded.store.documentFrequency('e:hòa')).toBe(0);
      const index = LexicalIndex.fromSegments([new LexicalSegment(0, decoded.store, decoded.lengths)]);
      expect(index.search([{ text: 'hòa', weight: 1 }], 5)).toEqual([]);
    }
  });

  it('decodes a buffer that does not start on a 4-byte boundary (a slice of a larger read)', () => {
    const reference = decodePostings(bytes);
    const index = (d: { store: PostingsStore; lengths: Float32Array }) => LexicalIndex.fromSegments([new LexicalSegment(0, d.store, d.lengths)]);
    for (const shift of [1, 2, 3, 5]) {
      const big = Buffer.alloc(bytes.length + shift + 7);
      bytes.copy(big, shift);
      const misaligned = big.subarray(shift, shift + bytes.length);
      expect(misaligned.byteOffset % 4).not.toBe(0);
      const decoded = decodePostings(misaligned);
      expect([...decoded.lengths]).toEqual([...reference.lengths]);
      for (const q of QUESTIONS) {
        const terms = analyzeQuestion(q, null).terms;
        expect(index(decoded).search(terms, 10)).toEqual(index(reference).search(terms, 10));
      }
      for (const key of ['e:hòm', 'F:hai cot', 'f:dioxin', 'E:biên hòa']) {
        expect(decoded.store.documentFrequency(key)).toBe(reference.store.documentFrequency(key));
      }
      // The decoded arrays do not alias the caller's buffer (it was copied to be aligned).
      big.fill(0);
      expect(decoded.store.documentFrequency('e:hòm')).toBe(reference.store.documentFrequency('e:hòm'));
    }
  });

  it('throws PostingsFileError for a truncated file, wherever it was cut', () => {
    const cuts = new Set<number>([0, 1, 7, 8, 11, 12, 13, 40, bytes.length - 1, bytes.length - 4, bytes.length >> 1]);
    for (let n = 0; n < bytes.length; n += 211) cuts.add(n);
    for (const n of cuts) {
      expect(() => decodePostings(bytes.subarray(0, n)), `cut at ${n}`).toThrow(PostingsFileError);
    }
  });

  it('throws PostingsFileError for a file that is not a postings file, or whose header or dictionary is damaged', () => {
    const damaged = (edit: (b: Buffer) => void) => {
      const b = Buffer.from(bytes);
      edit(b);
      return b;
    };
    expect(() => decodePostings(Buffer.from('{"not":"postings"}'))).toThrow(/not a trichdan postings file/);
    expect(() => decodePostings(damaged((b) => b.write('TDLEX002', 0, 'latin1')))).toThrow(PostingsFileError);
    // Header length past the end, header bytes that are not JSON.
    expect(() => decodePostings(damaged((b) => b.writeUInt32LE(0xffffff, 8)))).toThrow(PostingsFileError);
    expect(() => decodePostings(damaged((b) => b.writeUInt32LE(3, 8)))).toThrow(PostingsFileError);
    expect(() => decodePostings(damaged((b) => (b[12] = 0x7b + 1)))).toThrow(/header is damaged/);
    // A newline in the syllable dictionary turned into a letter: one syllable fewer than the header says.
    const headerLength = bytes.readUInt32LE(8);
    const dictionary = ((12 + headerLength + 3) & ~3);
    const newline = bytes.indexOf(0x0a, dictionary);
    expect(() => decodePostings(damaged((b) => (b[newline] = 0x61)))).toThrow(/syllable dictionary is damaged/);
  });

  it('throws PostingsFileError for a header that is valid JSON but not what the arrays hold', () => {
    const headerLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8'));
    const withHeader = (h: unknown) => {
      const json = Buffer.from(JSON.stringify(h), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(json.length);
      // Same total layout: the header keeps its length class, so the arrays start where they did.
      const start = (12 + headerLength + 3) & ~3;
      const pad = Buffer.alloc(((12 + json.length + 3) & ~3) - 12 - json.length);
      return Buffer.concat([bytes.subarray(0, 8), length, json, pad, bytes.subarray(start)]);
    };
    // The unchanged header re-spliced decodes (the helper itself is sound).
    expect(decodePostings(withHeader(header)).lengths.length).toBe(texts.length);
    const cases: unknown[] = [
      {},
      [],
      42,
      null,
      { ...header, documents: -1 },
      { ...header, entries: 'many' },
      { ...header, lists: 1.5 },
      { ...header, exact: { ...header.exact, table: 0 } },
      { ...header, folded: { ...header.folded, table: 1000 } },
      { ...header, exact: null },
    ];
    for (const h of cases) {
      expect(() => decodePostings(withHeader(h)), JSON.stringify(h).slice(0, 80)).toThrow(PostingsFileError);
    }
  });

  it('keeps query keys for pairs and folded syllables apart, as written', () => {
    const decoded = decodePostings(bytes);
    // "biên hòa" typed with and without diacritics reaches the same passages through the folded pair.
    expect(decoded.store.documentFrequency(queryKey('biên hòa'))).toBeGreaterThan(0);
    expect(decoded.store.documentFrequency(queryKey('bien hoa'))).toBeGreaterThanOrEqual(decoded.store.documentFrequency(queryKey('biên hòa')));
  });
});
