/**
 * A checker for Telegram's HTML parse mode, written from the Bot API documentation
 * (https://core.telegram.org/bots/api#html-style), independent of the bot's own code:
 * only the supported tags and attributes, properly nested and closed, every `<`, `>` and `&`
 * outside a tag part of a tag or an entity, and at most 4096 characters of text.
 */

/** Tags Telegram accepts, with the attributes each may carry. */
const ALLOWED: Record<string, readonly string[]> = {
  b: [],
  strong: [],
  i: [],
  em: [],
  u: [],
  ins: [],
  s: [],
  strike: [],
  del: [],
  a: ['href'],
  code: ['class'],
  pre: [],
  blockquote: ['expandable'],
  'tg-spoiler': [],
  span: ['class'],
  'tg-emoji': ['emoji-id'],
};

const ENTITY = /^&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-f]{1,6});/i;
const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))?)*)\s*>/;
const ATTR = /([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g;

/** Telegram's limit on the text of one message (after entities are parsed). */
export const TEXT_LIMIT = 4096;

function decodeEntity(entity: string): string {
  const name = entity.slice(1, -1).toLowerCase();
  if (name === 'lt') return '<';
  if (name === 'gt') return '>';
  if (name === 'amp') return '&';
  if (name === 'quot') return '"';
  const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return String.fromCodePoint(code);
}

/** Everything wrong with `html` as a Telegram HTML message; empty when it is valid. */
export function telegramHtmlProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const m = TAG.exec(html.slice(i));
      if (!m) {
        problems.push(`bare "<" at ${i}: ${JSON.stringify(html.slice(i, i + 20))}`);
        i++;
        continue;
      }
      const [raw, slash, rawName, attrText] = m;
      const name = rawName.toLowerCase();
      if (!(name in ALLOWED)) problems.push(`tag <${name}> is not supported by Telegram`);
      if (slash) {
        if (attrText.trim()) problems.push(`closing tag </${name}> has attributes`);
        const top = stack.pop();
        if (top !== name) problems.push(`</${name}> closes <${top ?? 'nothing'}> at ${i}`);
      } else {
        const attrs = new Map<string, string | undefined>();
        for (const a of attrText.matchAll(ATTR)) attrs.set(a[1].toLowerCase(), a[2] ?? a[3]);
        for (const key of attrs.keys()) {
          if (!(ALLOWED[name] ?? []).includes(key)) problems.push(`<${name}> may not have attribute ${key}`);
        }
        if (name === 'a' && !attrs.get('href')) problems.push('<a> without href');
        if (name === 'span' && attrs.get('class') !== 'tg-spoiler') problems.push('<span> other than class="tg-spoiler"');
        if (name === 'blockquote' && stack.includes('blockquote')) problems.push('nested <blockquote>');
        if (stack.includes('code') || (stack.includes('pre') && name !== 'code')) {
          problems.push(`<${name}> inside <${stack[stack.length - 1]}>`);
        }
        if (name === 'a' && stack.includes('a')) problems.push('nested <a>');
        stack.push(name);
      }
      i += raw.length;
      continue;
    }
    if (ch === '&') {
      const m = ENTITY.exec(html.slice(i, i + 12));
      if (!m) {
        problems.push(`bare "&" at ${i}: ${JSON.stringify(html.slice(i, i + 12))}`);
        text += ch;
        i++;
        continue;
      }
      text += decodeEntity(m[0]);
      i += m[0].length;
      continue;
    }
    if (ch === '>') problems.push(`bare ">" at ${i}`);
    text += ch;
    i++;
  }
  if (stack.length) problems.push(`unclosed tags: ${stack.map((t) => `<${t}>`).join(' ')}`);
  if (text.trim().length === 0) problems.push('no text (Telegram rejects empty messages)');
  if (text.length > TEXT_LIMIT) problems.push(`text is ${text.length} characters, over ${TEXT_LIMIT}`);
  return problems;
}

/** The text a reader sees: tags removed, entities decoded. */
export function htmlToText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, decodeEntity);
}

/** The decoded text inside each `<blockquote>` of a message. */
export function blockquoteTexts(html: string): string[] {
  return [...html.matchAll(/<blockquote(?:\s+expandable)?>([\s\S]*?)<\/blockquote>/g)].map((m) => htmlToText(m[1]));
}
