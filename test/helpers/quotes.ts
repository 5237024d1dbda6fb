import { expect } from 'vitest';
import { EXCERPT_GAP } from '../../src/answer/compose.ts';
import { citationOf, formatCitationHtml } from '../../src/answer/citation.ts';
import type { Article } from '../../src/corpus/article.ts';
import { blockquoteTexts, htmlToText } from '../e2e/helpers/telegram-html.ts';

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

/**
 * Every quote of a bot reply (a blockquote followed by its citation), checked verbatim against the
 * article of `articles` its citation names; returns [articleId, quote] pairs in order.
 */
export function citedQuotes(html: string, articles: readonly Article[]): [articleId: string, quote: string][] {
  const blocks = [...html.matchAll(/<blockquote(?: expandable)?>([\s\S]*?)<\/blockquote>\n(?:<b>\[\d+\]<\/b> |— )([^\n]*)/g)];
  expect(blocks.length).toBe(blockquoteTexts(html).length);
  return blocks.map((m) => {
    const quote = htmlToText(m[1]);
    const article = articles.find((a) => formatCitationHtml(citationOf(a)) === m[2]);
    expect(article, `citation ${m[2]}`).toBeDefined();
    // A quote over the cap is cut at a word with "…" (its whole text is behind the passage button).
    expect(isVerbatimQuote(article!.text, quote), `quote is verbatim in ${article!.id}: ${quote}`).toBe(true);
    return [article!.id, quote];
  });
}
