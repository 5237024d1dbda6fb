/**
 * The on-disk form of one lexical segment: a compact binary file read in one pass, so a start
 * reads the lexical index instead of re-tokenising the corpus.
 *
 * Layout: magic `TDLEX001`, a little-endian u32 header length, a JSON header (array lengths,
 * dictionary sizes), padding to 4 bytes, then the arrays back to back, each padded to 4 bytes:
 * per field (exact, folded) the syllable dictionary (UTF-8, one per line), single-syllable list
 * numbers and the pair table; then offsets, docs, term frequencies and document lengths.
 * Typed arrays are views on the file's buffer (no copy). Checksums are kept by the manifest.
 */
import { PostingsStore, type FieldSections, type PostingsSections } from './postings.ts';

const MAGIC = Buffer.from('TDLEX001', 'latin1');

/** A postings file that cannot be read: the caller rebuilds the segment. */
export class PostingsFileError extends Error {
  override name = 'PostingsFileError';
}

interface FieldHeader {
  syllableBytes: number;
  syllableCount: number;
  singles: number;
  table: number;
  count: number;
}

interface Header {
  exact: FieldHeader;
  folded: FieldHeader;
  lists: number;
  entries: number;
  documents: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** Encodes a segment's postings and document lengths. */
export function encodePostings(store: PostingsStore, lengths: Float32Array): Buffer {
  const s = store.toSections();
  const syllableText = (f: FieldSections) => Buffer.from(f.syllables.join('\n'), 'utf8');
  const exactText = syllableText(s.exact);
  const foldedText = syllableText(s.folded);
  const fieldHeader = (f: FieldSections, text: Buffer): FieldHeader => ({
    syllableBytes: text.length,
    syllableCount: f.syllables.length,
    singles: f.singles.length,
    table: f.lists.length,
    count: f.count,
  });
  const header: Header = {
    exact: fieldHeader(s.exact, exactText),
    folded: fieldHeader(s.folded, foldedText),
    lists: s.offsets.length,
    entries: s.docs.length,
    documents: lengths.length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Uint8Array[] = [MAGIC, u32(headerBytes.length), headerBytes];
  let size = MAGIC.length + 4 + headerBytes.length;
  const push = (bytes: Uint8Array) => {
    const padding = pad4(size) - size;
    if (padding) parts.push(new Uint8Array(padding));
    parts.push(bytes);
    size = pad4(size) + bytes.length;
  };
  const view = (a: Int32Array | Uint16Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const [f, text] of [[s.exact, exactText], [s.folded, foldedText]] as const) {
    push(text);
    push(view(f.singles));
    push(view(f.firsts));
    push(view(f.seconds));
    push(view(f.lists));
  }
  push(view(s.offsets));
  push(view(s.docs));
  push(view(s.tfs));
  push(view(lengths));
  return Buffer.concat(parts);
}

/** Decodes a file written by {@link encodePostings}. Throws {@link PostingsFileError} when it is not one. */
export function decodePostings(file: Buffer): { store: PostingsStore; lengths: Float32Array } {
  if (file.length < 12 || !file.subarray(0, 8).equals(MAGIC)) throw new PostingsFileError('not a trichdan postings file');
  // Typed-array views need 4-byte alignment of the underlying buffer; copy the rare misaligned one.
  const buf = file.byteOffset % 4 === 0 ? file : Buffer.from(new Uint8Array(file).buffer);
  const headerLength = buf.readUInt32LE(8);
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(12, 12 + headerLength).toString('utf8')) as Header;
  } catch {
    throw new PostingsFileError('the postings header is damaged');
  }
  if (!validHeader(header)) throw new PostingsFileError('the postings header is damaged');
  let at = 12 + headerLength;
  const take = <T>(bytes: number, make: (offset: number) => T): T => {
    at = pad4(at);
    if (at + bytes > buf.length) throw new PostingsFileError('the postings file is truncated');
    const value = make(buf.byteOffset + at);
    at += bytes;
    return value;
  };
  const ints = (n: number) => take(n * 4, (o) => new Int32Array(buf.buffer, o, n));
  const field = (h: FieldHeader): FieldSections => {
    const text = take(h.syllableBytes, (o) => Buffer.from(buf.buffer, o, h.syllableBytes).toString('utf8'));
    const syllables = h.syllableCount === 0 ? [] : text.split('\n');
    if (syllables.length !== h.syllableCount) throw new PostingsFileError('the syllable dictionary is damaged');
    return { syllables, singles: ints(h.singles), firsts: ints(h.table), seconds: ints(h.table), lists: ints(h.table), count: h.count };
  };
  const sections: PostingsSections = {
    exact: field(header.exact),
    folded: field(header.folded),
    offsets: ints(header.lists),
    docs: ints(header.entries),
    tfs: take(header.entries * 2, (o) => new Uint16Array(buf.buffer, o, header.entries)),
  };
  const lengths = take(header.documents * 4, (o) => new Float32Array(buf.buffer, o, header.documents));
  return { store: PostingsStore.fromSections(sections), lengths };
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * Whether a parsed header has the shape {@link encodePostings} writes: counts that are
 * non-negative integers, and pair tables whose size is a power of two with room to spare
 * (anything else would throw a TypeError or RangeError below, or make a pair lookup loop forever).
 */
function validHeader(h: unknown): h is Header {
  const field = (f: unknown) => {
    if (typeof f !== 'object' || f === null) return false;
    const { syllableBytes, syllableCount, singles, table, count } = f as Record<string, unknown>;
    const powerOfTwo = isCount(table) && table > 0 && (table & (table - 1)) === 0;
    return isCount(syllableBytes) && isCount(syllableCount) && singles === syllableCount && powerOfTwo && isCount(count) && count < (table as number);
  };
  if (typeof h !== 'object' || h === null) return false;
  const { exact, folded, lists, entries, documents } = h as Record<string, unknown>;
  return field(exact) && field(folded) && isCount(lists) && lists > 0 && isCount(entries) && isCount(documents);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
