import { tokenize } from '../text/tokens.ts';

/**
 * Compact postings of the four lexical fields (exact and folded syllables, exact and
 * folded adjacent pairs), built in one pass.
 *
 * Syllables are interned to numbers and every key is a number (field + syllable ids), so
 * indexing a passage counts numbers instead of building and hashing four strings per token,
 * and all postings live in three flat typed arrays (compressed-row layout) instead of two
 * typed arrays per key: at 100k passages there are millions of keys, and per-key objects
 * were most of the index's memory and build time.
 */

/** The four fields, as they appear in query keys ("e:hòa", "f:hoa", "E:biên hòa", "F:bien hoa"). */
const FIELD = { e: 0, f: 1, E: 2, F: 3 } as const;
type FieldLetter = keyof typeof FIELD;

/** Distinct syllables per field the key arithmetic allows (pair codes stay below 2^53). */
const MAX_SYLLABLES = 2 ** 24;

const singleCode = (id: number, field: number) => id * 4 + field;
const pairCode = (first: number, second: number, field: number) => (first * MAX_SYLLABLES + second) * 4 + field;

/** An Int32Array/Uint16Array that grows by doubling (a plain array of numbers costs 8+ bytes an entry). */
class Growable<T extends Int32Array | Uint16Array> {
  length = 0;
  constructor(
    public values: T,
    private readonly make: (n: number) => T,
  ) {}

  push(value: number): void {
    if (this.length === this.values.length) {
      const bigger = this.make(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }
}

/** Postings of every key: documents in increasing order, with the key's frequency in each. */
export class PostingsStore {
  private constructor(
    private readonly exactIds: Map<string, number>,
    private readonly foldedIds: Map<string, number>,
    /** Key code → list number. */
    private readonly lists: Map<number, number>,
    /** List `l` is `docs[offsets[l]..offsets[l + 1])`, with `tfs` alongside. */
    readonly offsets: Int32Array,
    readonly docs: Int32Array,
    readonly tfs: Uint16Array,
  ) {}

  /** Indexes `texts` (document `i` is `texts[i]`) and returns the store with each document's length in tokens. */
  static build(texts: readonly string[]): { store: PostingsStore; lengths: Float32Array } {
    const exactIds = new Map<string, number>();
    const foldedIds = new Map<string, number>();
    const intern = (ids: Map<string, number>, syllable: string) => {
      let id = ids.get(syllable);
      if (id === undefined) {
        if (ids.size >= MAX_SYLLABLES) throw new Error(`more than ${MAX_SYLLABLES} distinct words: too many to index`);
        ids.set(syllable, (id = ids.size));
      }
      return id;
    };
    const lists = new Map<number, number>();
    const listOf = new Growable(new Int32Array(1 << 16), (n) => new Int32Array(n));
    const tfOf = new Growable(new Uint16Array(1 << 16), (n) => new Uint16Array(n));
    const docEnds = new Int32Array(texts.length);
    const lengths = new Float32Array(texts.length);
    const counts = new Map<number, number>();
    const count = (code: number) => counts.set(code, (counts.get(code) ?? 0) + 1);

    texts.forEach((text, doc) => {
      const tokens = tokenize(text);
      lengths[doc] = tokens.length;
      counts.clear();
      let previousExact = -1;
      let previousFolded = -1;
      for (const t of tokens) {
        const exact = intern(exactIds, t.norm);
        const folded = intern(foldedIds, t.folded);
        count(singleCode(exact, FIELD.e));
        count(singleCode(folded, FIELD.f));
        if (previousExact >= 0) {
          count(pairCode(previousExact, exact, FIELD.E));
          count(pairCode(previousFolded, folded, FIELD.F));
        }
        previousExact = exact;
        previousFolded = folded;
      }
      for (const [code, tf] of counts) {
        let list = lists.get(code);
        if (list === undefined) lists.set(code, (list = lists.size));
        listOf.push(list);
        tfOf.push(Math.min(tf, 65_535));
      }
      docEnds[doc] = listOf.length;
    });

    // Counting sort of the (document, list) entries by list: each list's documents stay in order.
    const offsets = new Int32Array(lists.size + 1);
    for (let i = 0; i < listOf.length; i++) offsets[listOf.values[i] + 1]++;
    for (let l = 0; l < lists.size; l++) offsets[l + 1] += offsets[l];
    const next = offsets.slice(0, lists.size);
    const docs = new Int32Array(listOf.length);
    const tfs = new Uint16Array(listOf.length);
    let i = 0;
    for (let doc = 0; doc < texts.length; doc++) {
      for (; i < docEnds[doc]; i++) {
        const at = next[listOf.values[i]]++;
        docs[at] = doc;
        tfs[at] = tfOf.values[i];
      }
    }
    return { store: new PostingsStore(exactIds, foldedIds, lists, offsets, docs, tfs), lengths };
  }

  /** The list number of a query key ("e:hòa", "F:bien hoa"; see `queryKey`), or -1 when no document has it. */
  list(key: string): number {
    const field = FIELD[key[0] as FieldLetter];
    if (field === undefined || key[1] !== ':') return -1;
    const ids = field === FIELD.e || field === FIELD.E ? this.exactIds : this.foldedIds;
    const text = key.slice(2);
    let code: number;
    if (field === FIELD.e || field === FIELD.f) {
      const id = ids.get(text);
      if (id === undefined) return -1;
      code = singleCode(id, field);
    } else {
      const parts = text.split(' ');
      if (parts.length !== 2) return -1;
      const first = ids.get(parts[0]);
      const second = ids.get(parts[1]);
      if (first === undefined || second === undefined) return -1;
      code = pairCode(first, second, field);
    }
    return this.lists.get(code) ?? -1;
  }

  /** How many documents hold the key. */
  documentFrequency(key: string): number {
    const l = this.list(key);
    return l < 0 ? 0 : this.offsets[l + 1] - this.offsets[l];
  }
}
