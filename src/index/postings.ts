import { tokenize } from '../text/tokens.ts';

/**
 * Compact postings of the four lexical fields (exact and folded syllables, exact and
 * folded adjacent pairs; query keys "e:hòa", "f:hoa", "E:biên hòa", "F:bien hoa"), built
 * in one pass.
 *
 * Syllables are interned to numbers and each key gets a list number from them (an array
 * for single syllables, a typed-array hash table for pairs), so indexing a passage counts
 * small integers instead of building and hashing four strings per token, and all postings
 * live in three flat typed arrays (compressed-row layout) instead of two typed arrays per
 * key: at 100k passages there are millions of keys, and per-key objects were most of the
 * index's memory and build time.
 */

/**
 * List numbers of syllable pairs, in an open-addressing hash table over typed arrays: at 100k
 * passages there are millions of pairs, and a Map with one heap number per key made every
 * lookup a cache miss.
 */
class PairTable {
  // Small at first (it doubles as it fills): a one-article segment's file stays a few kB.
  private firsts = new Int32Array(1 << 10);
  private seconds = new Int32Array(1 << 10);
  private lists = new Int32Array(1 << 10).fill(-1);
  private count = 0;

  /** The table's arrays, for writing it to disk (see {@link PairTable.restore}). */
  arrays(): { firsts: Int32Array; seconds: Int32Array; lists: Int32Array; count: number } {
    return { firsts: this.firsts, seconds: this.seconds, lists: this.lists, count: this.count };
  }

  /** A table from arrays written by {@link arrays} (same capacity, so the same slots). */
  static restore(firsts: Int32Array, seconds: Int32Array, lists: Int32Array, count: number): PairTable {
    const table = new PairTable();
    Object.assign(table, { firsts, seconds, lists, count });
    return table;
  }

  private slot(first: number, second: number): number {
    const mask = this.lists.length - 1;
    let h = Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    let i = h & mask;
    while (this.lists[i] !== -1 && (this.firsts[i] !== first || this.seconds[i] !== second)) i = (i + 1) & mask;
    return i;
  }

  /** The list number of the pair, or -1. */
  get(first: number, second: number): number {
    return this.lists[this.slot(first, second)];
  }

  /** The list number of the pair, giving it `next()` when it has none yet. */
  getOrAdd(first: number, second: number, next: () => number): number {
    let i = this.slot(first, second);
    if (this.lists[i] !== -1) return this.lists[i];
    if (2 * (this.count + 1) > this.lists.length) {
      this.grow();
      i = this.slot(first, second);
    }
    this.firsts[i] = first;
    this.seconds[i] = second;
    this.count++;
    return (this.lists[i] = next());
  }

  private grow(): void {
    const { firsts, seconds, lists } = this;
    this.firsts = new Int32Array(lists.length * 2);
    this.seconds = new Int32Array(lists.length * 2);
    this.lists = new Int32Array(lists.length * 2).fill(-1);
    for (let j = 0; j < lists.length; j++) {
      if (lists[j] === -1) continue;
      const i = this.slot(firsts[j], seconds[j]);
      this.firsts[i] = firsts[j];
      this.seconds[i] = seconds[j];
      this.lists[i] = lists[j];
    }
  }
}

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

/** List numbers of single syllables, indexed by syllable id (-1: none yet). */
function singleLists(): Growable<Int32Array> {
  return new Growable(new Int32Array(1 << 16), (n) => new Int32Array(n));
}

/** The list numbers of one kind of key (exact or folded): single syllables by id, pairs by id pair. */
interface FieldLists {
  ids: Map<string, number>;
  singles: Growable<Int32Array>;
  pairs: PairTable;
}

/** One field's dictionary and list numbers, as stored on disk. */
export interface FieldSections {
  syllables: string[];
  singles: Int32Array;
  firsts: Int32Array;
  seconds: Int32Array;
  lists: Int32Array;
  count: number;
}

/** Everything a {@link PostingsStore} holds, as plain arrays. */
export interface PostingsSections {
  exact: FieldSections;
  folded: FieldSections;
  offsets: Int32Array;
  docs: Int32Array;
  tfs: Uint16Array;
}

/** Postings of every key: documents in increasing order, with the key's frequency in each. */
export class PostingsStore {
  private constructor(
    private readonly exact: FieldLists,
    private readonly folded: FieldLists,
    /** List `l` is `docs[offsets[l]..offsets[l + 1])`, with `tfs` alongside. */
    readonly offsets: Int32Array,
    readonly docs: Int32Array,
    readonly tfs: Uint16Array,
  ) {}

  /** Indexes `texts` (document `i` is `texts[i]`) and returns the store with each document's length in tokens. */
  static build(texts: readonly string[]): { store: PostingsStore; lengths: Float32Array } {
    const exact: FieldLists = { ids: new Map(), singles: singleLists(), pairs: new PairTable() };
    const folded: FieldLists = { ids: new Map(), singles: singleLists(), pairs: new PairTable() };
    let listCount = 0;
    const newList = () => listCount++;
    /** The syllable's id in the field, and its single-syllable list number. */
    const single = (field: FieldLists, syllable: string): [number, number] => {
      let id = field.ids.get(syllable);
      if (id === undefined) {
        field.ids.set(syllable, (id = field.ids.size));
        field.singles.push(newList());
      }
      return [id, field.singles.values[id]];
    };
    const listOf = new Growable(new Int32Array(1 << 16), (n) => new Int32Array(n));
    const tfOf = new Growable(new Uint16Array(1 << 16), (n) => new Uint16Array(n));
    const docEnds = new Int32Array(texts.length);
    const lengths = new Float32Array(texts.length);
    // Term frequencies within one document, by list number (small integers: fast map keys).
    const counts = new Map<number, number>();
    const count = (list: number) => counts.set(list, (counts.get(list) ?? 0) + 1);

    texts.forEach((text, doc) => {
      const tokens = tokenize(text);
      lengths[doc] = tokens.length;
      counts.clear();
      let previousExact = -1;
      let previousFolded = -1;
      for (const t of tokens) {
        const [exactId, exactList] = single(exact, t.norm);
        const [foldedId, foldedList] = single(folded, t.folded);
        count(exactList);
        count(foldedList);
        if (previousExact >= 0) {
          count(exact.pairs.getOrAdd(previousExact, exactId, newList));
          count(folded.pairs.getOrAdd(previousFolded, foldedId, newList));
        }
        previousExact = exactId;
        previousFolded = foldedId;
      }
      for (const [list, tf] of counts) {
        listOf.push(list);
        tfOf.push(Math.min(tf, 65_535));
      }
      docEnds[doc] = listOf.length;
    });

    // Counting sort of the (document, list) entries by list: each list's documents stay in order.
    const offsets = new Int32Array(listCount + 1);
    for (let i = 0; i < listOf.length; i++) offsets[listOf.values[i] + 1]++;
    for (let l = 0; l < listCount; l++) offsets[l + 1] += offsets[l];
    const next = offsets.slice(0, listCount);
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
    return { store: new PostingsStore(exact, folded, offsets, docs, tfs), lengths };
  }

  /**
   * The store as bytes (see postings-file.ts), so that a start reads the index instead of
   * rebuilding it: syllable dictionaries, pair tables and the three postings arrays.
   */
  toSections(): PostingsSections {
    const field = (f: FieldLists) => ({
      syllables: [...f.ids.keys()],
      singles: f.singles.values.subarray(0, f.ids.size),
      ...f.pairs.arrays(),
    });
    return { exact: field(this.exact), folded: field(this.folded), offsets: this.offsets, docs: this.docs, tfs: this.tfs };
  }

  /** The store from {@link toSections}' output. */
  static fromSections(s: PostingsSections): PostingsStore {
    const field = (f: FieldSections): FieldLists => {
      const ids = new Map<string, number>();
      for (let i = 0; i < f.syllables.length; i++) ids.set(f.syllables[i], i);
      const singles = singleLists();
      singles.values = f.singles;
      singles.length = f.singles.length;
      return { ids, singles, pairs: PairTable.restore(f.firsts, f.seconds, f.lists, f.count) };
    };
    return new PostingsStore(field(s.exact), field(s.folded), s.offsets, s.docs, s.tfs);
  }

  /** The list number of a query key ("e:hòa", "F:bien hoa"; see `queryKey`), or -1 when no document has it. */
  list(key: string): number {
    if (key[1] !== ':') return -1;
    const kind = key[0];
    const field = kind === 'e' || kind === 'E' ? this.exact : kind === 'f' || kind === 'F' ? this.folded : null;
    if (!field) return -1;
    const text = key.slice(2);
    if (kind === 'e' || kind === 'f') {
      const id = field.ids.get(text);
      return id === undefined ? -1 : field.singles.values[id];
    }
    const space = text.indexOf(' ');
    if (space < 0 || text.indexOf(' ', space + 1) >= 0) return -1;
    const first = field.ids.get(text.slice(0, space));
    const second = field.ids.get(text.slice(space + 1));
    return first === undefined || second === undefined ? -1 : field.pairs.get(first, second);
  }

  /** How many documents hold the key. */
  documentFrequency(key: string): number {
    const l = this.list(key);
    return l < 0 ? 0 : this.offsets[l + 1] - this.offsets[l];
  }
}
