/**
 * One segment of the index on disk: `seg-<n>.json` (its articles' metadata and its chunk table),
 * `seg-<n>.text` (the articles' cleaned texts, back to back in UTF-16LE: decoding it is a copy,
 * about 5x faster than UTF-8, which mattered at 100k passages) and `seg-<n>.lex` (its postings,
 * see postings-file.ts).
 * Segment files are written once under a new name and never changed; the manifest, written
 * last, says which ones make up the index. So a start reads them instead of re-reading and
 * re-cleaning the corpus, and `index` alone can rebuild everything from the corpus folder.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Article } from '../corpus/article.ts';
import type { Chunk } from './chunk-types.ts';
import { writeFileAtomic } from './atomic.ts';
import { LexicalSegment } from './lexical.ts';
import { sha256 } from './manifest.ts';
import { decodePostings, encodePostings } from './postings-file.ts';

/** An article as the index holds it: the cleaned article, where its file was, and its passages. */
export interface IndexedArticle extends Article {
  /** Size and modification time of the file when it was read: unchanged ones are not re-read. */
  fileSize: number;
  mtimeMs: number;
  /** sha256 of the cleaned text: the same text under another name is a duplicate. */
  textSha256: string;
  /** When the index first saw this article (ISO instant; kept when its text changes). */
  addedAt: string;
  /** Its passages are documents `docStart … docEnd - 1`. */
  docStart: number;
  docEnd: number;
}

/** Stored chunk row: its article (position in the segment), offsets in the text, sentence offsets. */
type StoredChunk = [article: number, start: number, end: number, sentences: number[]] | null;

/** An article as the JSON file stores it: its text is `[textStart, textStart + textLength)` of the text file. */
type StoredArticle = Omit<IndexedArticle, 'text'> & { textStart: number; textLength: number };

interface SegmentJson {
  base: number;
  count: number;
  articles: StoredArticle[];
  chunks: StoredChunk[];
}

/** What the manifest records of one segment. */
export interface SegmentEntry {
  name: string;
  base: number;
  count: number;
  dataSha256: string;
  textSha256: string;
  postingsSha256: string;
}

/** A segment in memory: its articles, its chunks by document number, its postings. */
export interface Segment {
  entry: SegmentEntry;
  /** Every article written with the segment (removed ones included: the manifest says which are gone). */
  articles: IndexedArticle[];
  /** `chunks[i]` is document `base + i` (undefined: a hole). */
  chunks: (Chunk | undefined)[];
  lexical: LexicalSegment;
}

/** A segment file that is missing, damaged or not what the manifest says. */
export class SegmentError extends Error {
  override name = 'SegmentError';
}

/** The text a chunk is indexed under: the article title gives every chunk its topic. */
export function indexedText(chunk: Chunk, article: Pick<Article, 'title'>): string {
  return `${article.title}\n${chunk.text}`;
}

const dataFile = (dir: string, name: string) => path.join(dir, `${name}.json`);
const textFile = (dir: string, name: string) => path.join(dir, `${name}.text`);
const postingsFile = (dir: string, name: string) => path.join(dir, `${name}.lex`);

/** The files of a segment, for cleaning up those the manifest no longer lists. */
export function segmentFileNames(name: string): string[] {
  return [`${name}.json`, `${name}.text`, `${name}.lex`];
}

/**
 * Builds the segment of documents `base … base + count - 1` from articles whose passages are
 * already numbered in that range, and writes its two files.
 */
export async function writeSegment(
  dir: string,
  name: string,
  base: number,
  count: number,
  articles: readonly { article: IndexedArticle; chunks: readonly Chunk[] }[],
): Promise<Segment> {
  const chunks: (Chunk | undefined)[] = new Array(count).fill(undefined);
  const rows: StoredChunk[] = new Array(count).fill(null);
  const texts: string[] = new Array(count).fill('');
  articles.forEach(({ article, chunks: list }, a) => {
    list.forEach((chunk, i) => {
      const doc = article.docStart + i - base;
      chunks[doc] = chunk;
      rows[doc] = [a, chunk.start, chunk.end, chunk.sentences.flatMap((s) => [s.start, s.end])];
      texts[doc] = indexedText(chunk, article);
    });
  });
  const lexical = LexicalSegment.build(texts, base);
  let textStart = 0;
  const stored = articles.map(({ article }): StoredArticle => {
    const { text, ...rest } = article;
    const entry = { ...rest, textStart, textLength: text.length };
    textStart += text.length;
    return entry;
  });
  const data = JSON.stringify({ base, count, articles: stored, chunks: rows } satisfies SegmentJson);
  const text = Buffer.from(articles.map((a) => a.article.text).join(''), 'utf16le');
  const postings = encodePostings(lexical.store, lexical.lengths);
  await writeFileAtomic(dataFile(dir, name), data);
  await writeFileAtomic(textFile(dir, name), text);
  await writeFileAtomic(postingsFile(dir, name), postings);
  return {
    entry: { name, base, count, dataSha256: sha256(data), textSha256: sha256(text), postingsSha256: sha256(postings) },
    articles: articles.map((a) => a.article),
    chunks,
    lexical,
  };
}

/** Reads a segment the manifest lists, checking both files against its checksums. */
export async function readSegment(dir: string, entry: SegmentEntry): Promise<Segment> {
  const read = async (file: string, expected: string) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new SegmentError(`${path.basename(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    if (sha256(bytes) !== expected) throw new SegmentError(`${path.basename(file)} is damaged (checksum mismatch)`);
    return bytes;
  };
  const data = await read(dataFile(dir, entry.name), entry.dataSha256);
  const text = (await read(textFile(dir, entry.name), entry.textSha256)).toString('utf16le');
  const postings = await read(postingsFile(dir, entry.name), entry.postingsSha256);
  const json = JSON.parse(data.toString('utf8')) as SegmentJson;
  const { store, lengths } = decodePostings(postings);
  const articles = json.articles.map(({ textStart, textLength, ...rest }): IndexedArticle => ({
    ...rest,
    text: text.slice(textStart, textStart + textLength),
  }));
  const chunks = json.chunks.map((row, i): Chunk | undefined => {
    if (!row) return undefined;
    const [a, start, end, flat] = row;
    const article = articles[a];
    const sentences = [];
    for (let k = 0; k < flat.length; k += 2) sentences.push({ start: flat[k], end: flat[k + 1] });
    const doc = entry.base + i;
    return { id: `${article.id}#${doc - article.docStart}`, articleId: article.id, start, end, text: article.text.slice(start, end), sentences };
  });
  return { entry, articles, chunks, lexical: new LexicalSegment(entry.base, store, lengths) };
}
