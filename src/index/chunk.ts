/**
 * Cuts an article into retrievable passages made of whole sentences.
 *
 * Rules:
 * - Sentences come from {@link splitSentences}; a chunk is a run of
 *   consecutive sentences and its text is exactly
 *   `text.slice(chunk.start, chunk.end)` (whitespace between sentences
 *   included, nothing around them).
 * - Chunks may cross paragraph boundaries: news paragraphs are one to three
 *   sentences, often a title or a photo caption, and alone they make passages
 *   too small to rank well. The chunk text keeps the paragraph break.
 * - Sentences are packed greedily while the chunk stays within `maxChars`
 *   (measured as `end - start`). A sentence longer than `maxChars` becomes a
 *   chunk of its own, never cut.
 * - The next chunk starts with the last `overlapSentences` sentences of the
 *   previous one, dropping overlap sentences first when they would push the
 *   new chunk's first fresh sentence past `maxChars`. Every chunk holds at
 *   least one sentence no earlier chunk had, so no chunk is only overlap.
 */
import type { Chunk, ChunkingOptions } from './chunk-types.ts';
import { splitSentences, type SentenceSpan } from '../text/sentences.ts';

function checkOptions({ maxChars, overlapSentences }: ChunkingOptions): void {
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`Chunking maxChars must be a positive integer, got ${maxChars} (see TRICHDAN_CHUNK_CHARS).`);
  }
  if (!Number.isInteger(overlapSentences) || overlapSentences < 0) {
    throw new RangeError(
      `Chunking overlapSentences must be a non-negative integer, got ${overlapSentences} (see TRICHDAN_CHUNK_OVERLAP).`,
    );
  }
}

/**
 * Splits `text` (an article's cleaned text) into sentence-aligned chunks
 * with ids `${articleId}#0`, `#1`, …; an article with no sentences yields none.
 */
export function chunkArticle(articleId: string, text: string, options: ChunkingOptions): Chunk[] {
  checkOptions(options);
  const { maxChars, overlapSentences } = options;
  const sentences = splitSentences(text);
  const chunks: Chunk[] = [];
  const width = (first: number, last: number): number => sentences[last].end - sentences[first].start;

  let fresh = 0; // first sentence not yet in any chunk
  while (fresh < sentences.length) {
    let first = Math.max(0, fresh - overlapSentences);
    while (first < fresh && width(first, fresh) > maxChars) first++;
    let last = fresh;
    while (last + 1 < sentences.length && width(first, last + 1) <= maxChars) last++;

    const span: SentenceSpan[] = sentences.slice(first, last + 1).map((s) => ({ start: s.start, end: s.end }));
    const start = span[0].start;
    const end = span[span.length - 1].end;
    chunks.push({
      id: `${articleId}#${chunks.length}`,
      articleId,
      start,
      end,
      text: text.slice(start, end),
      sentences: span,
    });
    fresh = last + 1;
  }
  return chunks;
}
