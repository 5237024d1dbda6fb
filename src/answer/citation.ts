import type { Article } from '../corpus/article.ts';
import type { Citation } from './types.ts';

/** The citation of an article, as every interface shows it (an answer's results, /sources, a passage, inline results). */
export function citationOf(article: Article): Citation {
  return { id: article.id, title: article.title, date: article.date, source: article.source, url: article.url };
}

/** Formats an ISO date (`YYYY-MM-DD` or `YYYY-MM`) the Vietnamese way: `02/11/2025`, `02/2025`. */
export function formatDate(date: string | null): string | null {
  if (!date) return null;
  const [y, m, d] = date.split('-');
  return d ? `${d}/${m}/${y}` : m ? `${m}/${y}` : y;
}

/** The parts of a citation after the title, in display order: date, source. */
function citationDetails(c: Citation): string[] {
  return [formatDate(c.date), c.source].filter((x): x is string => Boolean(x));
}

/** Plain-text citation, one line: `Title — 02/11/2025, Tiền Phong — https://…`. */
export function formatCitationText(c: Citation): string {
  const details = citationDetails(c);
  return [c.title, details.join(', '), c.url].filter(Boolean).join(' — ');
}

/** Escapes text for Telegram's HTML parse mode (also safe for attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Telegram-HTML citation: the title linked when there is a URL, then date and source. */
export function formatCitationHtml(c: Citation): string {
  const title = c.url ? `<a href="${escapeHtml(c.url)}">${escapeHtml(c.title)}</a>` : `<b>${escapeHtml(c.title)}</b>`;
  const details = citationDetails(c);
  return details.length ? `${title} — ${escapeHtml(details.join(', '))}` : title;
}
