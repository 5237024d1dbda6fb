import { EXCERPT_GAP } from '../../src/answer/compose.ts';

/**
 * Whether a quote as a user sees it is verbatim from `text`: each of its excerpts (joined by
 * " … " when the answer quotes two parts of a passage) is in it, the last one possibly cut at the
 * quote's cap, where it ends in "…".
 */
export function isVerbatimQuote(text: string, quote: string): boolean {
  const excerpts = quote.split(EXCERPT_GAP);
  return excerpts.every((excerpt, i) => {
    if (text.includes(excerpt)) return true;
    return i === excerpts.length - 1 && excerpt.endsWith('…') && text.includes(excerpt.slice(0, -1));
  });
}
