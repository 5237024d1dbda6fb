/**
 * Splitting Telegram HTML into messages of at most 4096 characters.
 *
 * The HTML is the bot's own output: well-formed tags, every corpus and user string escaped.
 * Messages are cut between paragraphs (a blank line outside any tag). A paragraph that is
 * too long by itself (a very long quote) is cut at a line break, a sentence end or a space,
 * and every tag open at the cut is closed before it and opened again after it, so each
 * message is balanced on its own.
 */

/** Telegram's limit on the length of a message text. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

type TagToken = { kind: 'open' | 'close'; name: string; raw: string };
type Token = TagToken | { kind: 'text'; raw: string };

/** Cuts HTML into tags and text runs. Text keeps its entities (`&amp;`) as written. */
function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>/g;
  let last = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (m.index > last) tokens.push({ kind: 'text', raw: html.slice(last, m.index) });
    const name = m[2].toLowerCase();
    tokens.push(m[1] ? { kind: 'close', name, raw: m[0] } : { kind: 'open', name, raw: m[0] });
    last = tag.lastIndex;
  }
  if (last < html.length) tokens.push({ kind: 'text', raw: html.slice(last) });
  return tokens;
}

/** Splits at blank lines that are outside every tag: the paragraphs of the message. */
function topLevelBlocks(html: string): string[] {
  const blocks: string[] = [];
  let depth = 0;
  let current = '';
  for (const token of tokenize(html)) {
    if (token.kind === 'open') depth++;
    else if (token.kind === 'close') depth = Math.max(0, depth - 1);
    if (token.kind !== 'text' || depth > 0) {
      current += token.raw;
      continue;
    }
    const parts = token.raw.split(/\n[ \t]*\n+/);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) {
        blocks.push(current);
        current = '';
      }
      current += parts[i];
    }
  }
  blocks.push(current);
  return blocks.map((b) => b.trim()).filter((b) => b.length > 0);
}

/** Length of the closing tags for the open-tag stack. */
function closingLength(stack: readonly TagToken[]): number {
  return stack.reduce((n, t) => n + t.name.length + 3, 0);
}

function closeAll(stack: readonly TagToken[]): string {
  return [...stack].reverse().map((t) => `</${t.name}>`).join('');
}

/**
 * The longest prefix of `text` (escaped HTML text, no tags) that is at most `room` characters,
 * cut at the best boundary: a line break, a sentence end, a space, or anywhere that is not inside
 * an entity or a surrogate pair. Returns the cut position (0 when nothing fits).
 */
function cutPoint(text: string, room: number): number {
  if (text.length <= room) return text.length;
  if (room <= 0) return 0;
  const window = text.slice(0, room + 1);
  const minGood = Math.floor(room * 0.5);
  const newline = window.lastIndexOf('\n');
  if (newline >= minGood) return newline + 1;
  const sentence = Math.max(...['. ', '? ', '! ', '; ', '… '].map((s) => window.lastIndexOf(s)));
  if (sentence >= minGood) return sentence + 1;
  const space = window.lastIndexOf(' ');
  if (space >= minGood) return space + 1;
  let cut = room;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0) {
    const semi = text.indexOf(';', amp);
    if (semi >= cut && semi - amp <= 10) cut = amp;
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
}

/** Splits one over-long paragraph, closing and reopening tags at each cut. */
function splitBlock(block: string, limit: number): string[] {
  const pieces: string[] = [];
  const stack: TagToken[] = [];
  let current = '';
  let hasText = false;

  const flush = () => {
    if (hasText) pieces.push((current.replace(/\s+$/, '') + closeAll(stack)).trim());
    current = stack.map((t) => t.raw).join('');
    hasText = false;
  };

  for (const token of tokenize(block)) {
    if (token.kind === 'open') {
      if (current.length + token.raw.length + closingLength(stack) + token.name.length + 3 > limit) flush();
      current += token.raw;
      stack.push(token);
    } else if (token.kind === 'close') {
      current += token.raw;
      const at = stack.map((t) => t.name).lastIndexOf(token.name);
      if (at >= 0) stack.splice(at, 1);
    } else {
      let text = token.raw;
      while (text.length > 0) {
        if (!hasText) text = text.replace(/^\s+/, '');
        if (text.length === 0) break;
        const room = limit - current.length - closingLength(stack);
        const cut = cutPoint(text, room);
        if (cut === 0) {
          if (!hasText) throw new Error(`splitHtml: limit ${limit} is too small for the open tags`);
          flush();
          continue;
        }
        current += text.slice(0, cut);
        hasText = hasText || text.slice(0, cut).trim().length > 0;
        text = text.slice(cut);
        if (text.length > 0) flush();
      }
    }
  }
  if (hasText) pieces.push(current.trim());
  return pieces;
}

/**
 * Splits Telegram HTML into messages of at most `limit` characters (markup included, so the
 * visible text is always within Telegram's limit). Paragraphs are packed greedily, separated by
 * a blank line; a paragraph longer than `limit` is cut inside with its tags closed and reopened.
 */
export function splitHtml(html: string, limit: number = TELEGRAM_MESSAGE_LIMIT): string[] {
  const messages: string[] = [];
  let current = '';
  for (const block of topLevelBlocks(html)) {
    const parts = block.length > limit ? splitBlock(block, limit) : [block];
    for (const part of parts) {
      if (current && current.length + 2 + part.length <= limit) current += `\n\n${part}`;
      else {
        if (current) messages.push(current);
        current = part;
      }
    }
  }
  if (current) messages.push(current);
  return messages;
}
