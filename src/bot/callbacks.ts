import { randomBytes } from 'node:crypto';
import type { Language } from '../text/language.ts';
import { LruMap } from '../lru-map.ts';

/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** What an inline button asks for. `lang` is the language the answer was given in. */
export type CallbackAction =
  /** Show the whole passage (chunk) a quote came from. */
  | { kind: 'passage'; lang: Language; chunkId: string }
  /** Show a page of a whole article: as a new message, or (`edit`) in place of the pressed one. */
  | { kind: 'article'; lang: Language; articleId: string; page: number; edit: boolean }
  /** The next results of a question asked earlier (kept in memory under `key`). */
  | { kind: 'more'; lang: Language; key: string; offset: number };

/** A question remembered for its "more results" button. */
export interface RememberedQuestion {
  question: string;
  lang: Language;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');
const langCode = (lang: Language) => (lang === 'en' ? 'e' : 'v');
const parseLang = (code: string): Language | undefined => (code === 'e' ? 'en' : code === 'v' ? 'vi' : undefined);

/**
 * Encodes button actions into `callback_data` (at most 64 bytes) and back.
 *
 * Formats: `p:<l>:<chunkId>`, `a:<l>:<page>:<articleId>`, `n:<l>:<page>:<articleId>`,
 * `m:<l>:<offset>:<key>` where `<l>` is `v` or `e`. Data that would exceed 64 bytes (long
 * article ids) is kept in memory and sent as `x:<key>`. Questions for "more results" are kept in
 * a bounded LRU under random keys, so a button from before a restart or an evicted question
 * decodes to `undefined` (a stale button), never to another question.
 */
export class CallbackCodec {
  private readonly questions: LruMap<string, RememberedQuestion>;
  private readonly longData: LruMap<string, string>;

  constructor(capacity = 2000) {
    this.questions = new LruMap(capacity);
    this.longData = new LruMap(capacity);
  }

  /** Keeps a question for its "more results" button; returns its short key. */
  rememberQuestion(question: string, lang: Language): string {
    const key = newKey();
    this.questions.set(key, { question, lang });
    return key;
  }

  /** The question kept under `key`, or undefined when it was evicted or never existed. */
  question(key: string): RememberedQuestion | undefined {
    return this.questions.get(key);
  }

  /** `callback_data` for an action, always within 64 bytes. */
  encode(action: CallbackAction): string {
    const l = langCode(action.lang);
    let data: string;
    switch (action.kind) {
      case 'passage':
        data = `p:${l}:${action.chunkId}`;
        break;
      case 'article':
        data = `${action.edit ? 'n' : 'a'}:${l}:${action.page}:${action.articleId}`;
        break;
      case 'more':
        data = `m:${l}:${action.offset}:${action.key}`;
        break;
    }
    if (byteLength(data) <= CALLBACK_DATA_LIMIT) return data;
    const key = newKey();
    this.longData.set(key, data);
    return `x:${key}`;
  }

  /** The action behind `callback_data`, or undefined for unknown, malformed or expired data. */
  decode(data: string | undefined): CallbackAction | undefined {
    if (!data) return undefined;
    if (data.startsWith('x:')) {
      const inner = this.longData.get(data.slice(2));
      return inner === undefined ? undefined : this.decode(inner);
    }
    const m = /^([panm]):([ve]):(.+)$/s.exec(data);
    if (!m) return undefined;
    const lang = parseLang(m[2]);
    if (!lang) return undefined;
    const rest = m[3];
    if (m[1] === 'p') return { kind: 'passage', lang, chunkId: rest };
    const n = /^(\d{1,6}):(.+)$/s.exec(rest);
    if (!n) return undefined;
    const number = Number(n[1]);
    if (m[1] === 'm') return { kind: 'more', lang, offset: number, key: n[2] };
    return { kind: 'article', lang, page: number, articleId: n[2], edit: m[1] === 'n' };
  }
}

/** A random 8-character key (48 bits): unique across restarts for all practical purposes. */
function newKey(): string {
  return randomBytes(6).toString('base64url');
}
