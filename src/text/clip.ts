/**
 * Shortening text for display: a long quote or an echoed user input is cut at a word and ends
 * with "…", so that what is shown is a prefix of what was written (a quote stays verbatim up to
 * the cut) and no reply grows with what a user or a corpus file typed.
 */

/** The longest quote shown under an answer, in characters; the whole passage is behind its button. */
export const QUOTE_MAX_CHARS = 1000;
/** The longest piece of user input repeated in a reply ("Not a valid time: «…»"). */
export const ECHO_MAX_CHARS = 64;

/**
 * `text` when it is at most `max` characters; otherwise its longest prefix that ends at a word
 * (or at `max - 1` characters when the last space is in the first half), without trailing
 * spaces or separators, followed by "…" — at most `max` characters in all. Never cuts a
 * surrogate pair.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - 1);
  const space = text.lastIndexOf(' ', room);
  let cut = space > room / 2 ? space : room;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).replace(/[\s,;:–-]+$/u, '')}…`;
}
