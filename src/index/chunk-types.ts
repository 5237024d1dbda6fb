import type { SentenceSpan } from '../text/sentences.ts';

/** A retrievable passage: consecutive sentences of one article. */
export interface Chunk {
  /** `${articleId}#${ordinal}` */
  id: string;
  articleId: string;
  /** Offsets of the chunk in the cleaned article text: `article.text.slice(start, end) === text`. */
  start: number;
  end: number;
  text: string;
  /** The chunk's sentences, offsets in the article text. */
  sentences: SentenceSpan[];
}

export interface ChunkingOptions {
  /** Target chunk size in characters; a chunk is closed before it would exceed this (a single longer sentence is kept whole). */
  maxChars: number;
  /** Number of trailing sentences repeated at the start of the next chunk. */
  overlapSentences: number;
}
