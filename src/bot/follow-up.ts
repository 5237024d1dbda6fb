/**
 * Follow-up questions. A message that replies to the bot's last answer in a chat, or that comes
 * in the same private chat within a few minutes and has no subject of its own ("còn Nga thì
 * sao?", "and Russia?", "khi nào?", "bao nhiêu?"), is asked with the previous question as
 * context: its words are searched too, weighted lower (AskOptions.context). The answer starts
 * with one short line saying how the message was understood. A message that stands on its own is
 * asked as it is.
 *
 * Memory: per chat, the last question only (and the ids of its answer), in this process, for at
 * most {@link FOLLOW_UP_MEMORY_MS}, for at most {@link FOLLOW_UP_MAX_CHATS} chats (the least
 * recently asked are forgotten first). Nothing of it is logged.
 */
import type { Context } from 'grammy';
import { escapeHtml } from '../answer/citation.ts';
import { VIETNAMESE_QUESTION_WORDS } from '../search/vietnamese-query.ts';
import { detectLanguage, ENGLISH_STOPWORDS } from '../text/language.ts';
import { foldDiacritics } from '../text/normalize.ts';
import { tokenize } from '../text/tokens.ts';
import type { BotServices } from './context.ts';
import type { Language } from '../text/language.ts';

/** A message within this time of the previous question (same private chat) can follow it up. */
export const FOLLOW_UP_WINDOW_MS = 5 * 60_000;
/** A reply to the bot's last answer follows it up for this long; after it the chat's question is forgotten. */
export const FOLLOW_UP_MEMORY_MS = 30 * 60_000;
/** Chats remembered at once. */
export const FOLLOW_UP_MAX_CHATS = 10_000;
/** Most content words a follow-up introduced by "còn…", "and…", "what about…" may have. */
const MARKED_MAX_WORDS = 4;
/** Most content words a reply to an answer may have and still be read with it. */
const REPLY_MAX_WORDS = 3;
/** Longest context carried from one follow-up to the next (characters). */
const CONTEXT_MAX_CHARS = 300;
/** Longest part of each question shown in the "understood as" line. */
const SHOWN_CHARS = 80;

/** What a chat last asked. */
interface Remembered {
  /** The question as the user sent it. */
  question: string;
  /** The question with the context it was asked in (what a next follow-up carries on). */
  withContext: string;
  /** The messages of its answer (a reply to one of them follows it up). */
  answerIds: number[];
  at: number;
}

/** The last question of each chat, bounded and expiring. */
export class ConversationMemory {
  private readonly chats = new Map<number, Remembered>();

  constructor(
    private readonly options: { memoryMs?: number; maxChats?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Remembers a chat's question (replacing the one before) and the ids of its answer. */
  remember(chatId: number, question: string, withContext: string, answerIds: number[]): void {
    this.chats.delete(chatId);
    this.chats.set(chatId, { question, withContext, answerIds, at: this.now() });
    const max = this.options.maxChats ?? FOLLOW_UP_MAX_CHATS;
    while (this.chats.size > max) this.chats.delete(this.chats.keys().next().value!);
  }

  /** The chat's last question while it is remembered, with how long ago it was asked. */
  recall(chatId: number): (Remembered & { ageMs: number }) | undefined {
    const entry = this.chats.get(chatId);
    if (!entry) return undefined;
    const ageMs = this.now() - entry.at;
    if (ageMs > (this.options.memoryMs ?? FOLLOW_UP_MEMORY_MS)) {
      this.chats.delete(chatId);
      return undefined;
    }
    return { ...entry, ageMs };
  }

  /** Chats remembered now (for tests). */
  get size(): number {
    return this.chats.size;
  }
}

/** Words that open a follow-up ("còn Nga thì sao?", "and Russia?", "what about Russia?"), folded. */
const MARKERS = /^(?:(?:the|vay|con|the con|vay con|con ve|the con ve|and|and what about|what about|how about|and how about|what of|and in|and for|same for)\b)/;
/** Words that close one ("… thì sao?", "… nữa?", "… then?"), folded. */
const CLOSING_MARKERS = /\b(?:thi sao|the nao|thi the nao|nua|thi|then|too)$/;

/** Vietnamese words that say nothing of a subject: question and function words, follow-up particles (folded). */
const VIETNAMESE_NON_SUBJECT = new Set(
  [
    ...VIETNAMESE_QUESTION_WORDS,
    ...'còn thì sao thế vậy nhỉ nhé nữa ạ à hả khi lúc nào mấy bao lâu đâu tại sau trước rằng cũng vẫn nói ra sao vào năm tháng ngày'.split(' '),
  ].map((w) => foldDiacritics(w)),
);
/** English words that say nothing of a subject beyond the stopwords. */
const ENGLISH_NON_SUBJECT = new Set(['else', 'many', 'much', 'long', 'ago', 'year', 'date', 'time', 'also', 'too', 'then']);

/** Leading and closing follow-up words as written (diacritics optional), to take out of the question. */
const LEADING_WORDS = /^\s*(?:(?:th[eế]|v[aậ]y)\s+)?c[oò]n\s+(?:v[eề]\s+)?/iu;
const CLOSING_WORDS = /\s+(?:th[iì]\s+(?:sao|th[eế]\s+n[aà]o)|th[eế]\s+n[aà]o|n[uữ]a)(?=\s*[?.!…]*\s*$)/iu;

/**
 * The message without the words that only say it follows up: "còn Nga thì sao?" → "Nga?". English
 * is left as written: its analysis drops "and", "what about" itself, and "Russia?" alone would no
 * longer be recognised as English.
 */
export function withoutMarkers(message: string): string {
  if (detectLanguage(message) === 'en') return message;
  const stripped = message.replace(LEADING_WORDS, '').replace(CLOSING_WORDS, '').trim();
  return stripped || message;
}

/** What a message says of its own: its content words, and whether it opens or closes like a follow-up. */
export function messageSubject(text: string): { words: string[]; marked: boolean; language: Language } {
  const language = detectLanguage(text);
  const tokens = tokenize(text);
  const words = tokens
    .filter((t) =>
      language === 'en'
        ? !ENGLISH_STOPWORDS.has(t.norm) && !ENGLISH_NON_SUBJECT.has(t.norm)
        : !VIETNAMESE_NON_SUBJECT.has(t.folded),
    )
    .map((t) => text.slice(t.start, t.end));
  const folded = tokens.map((t) => t.folded).join(' ');
  return { words, marked: MARKERS.test(folded) || CLOSING_MARKERS.test(folded), language };
}

/** How a message relates to the chat's previous question. */
export interface FollowUpContext {
  /** What to ask: the message without the words that only mark it as a follow-up ("còn", "thì sao", "and"). */
  question: string;
  /** The previous question (with its own context): searched too, weighted lower. */
  context: string;
  /** One line of HTML saying how the message was understood, in the reply's language. */
  understood(lang: Language): string;
}

/** `text` on one line, cut at a word before `max` characters. */
function short(text: string, max = SHOWN_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** The "understood as" line: the new message, read with the previous question. */
export function understoodLine(message: string, previous: string, lang: Language): string {
  const head = lang === 'en' ? 'Understood as' : 'Hiểu là';
  const joint = lang === 'en' ? 'following' : 'tiếp câu';
  return `<i>${head}: “${escapeHtml(short(message))}” (${joint} “${escapeHtml(short(previous))}”)</i>`;
}

/**
 * Whether `message` follows up the remembered question, and with what context. `replied`: the
 * message replies to that question's answer; `privateChat`: time alone may link them.
 */
export function followUpOf(
  message: string,
  previous: (Remembered & { ageMs: number }) | undefined,
  how: { replied: boolean; privateChat: boolean },
): FollowUpContext | undefined {
  if (!previous) return undefined;
  const subject = messageSubject(message);
  const n = subject.words.length;
  const noSubject = n <= 1 || (subject.marked && n <= MARKED_MAX_WORDS);
  const linked = how.replied ? noSubject || n <= REPLY_MAX_WORDS : how.privateChat && previous.ageMs <= FOLLOW_UP_WINDOW_MS && noSubject;
  if (!linked) return undefined;
  // A message with no word of its own ("khi nào?", "how much?") asks the previous question's
  // subject again: its content words lead, in front of the new question words.
  const question = n === 0 ? `${messageSubject(previous.withContext).words.join(' ')} ${message}` : withoutMarkers(message);
  return {
    question,
    context: short(previous.withContext, CONTEXT_MAX_CHARS),
    understood: (lang) => understoodLine(message, previous.question, lang),
  };
}

/** The memory of each running bot (one per `BotServices`). */
const memories = new WeakMap<BotServices, ConversationMemory>();

/** The conversation memory of a bot (created on first use). */
export function conversationMemory(services: BotServices): ConversationMemory {
  let memory = memories.get(services);
  if (!memory) memories.set(services, (memory = new ConversationMemory()));
  return memory;
}

/**
 * Whether a question in this update follows up the chat's previous one (see the module comment).
 * Only new messages can: an edited question, a button or a command is asked on its own.
 */
export function followUpInChat(ctx: Context, services: BotServices, question: string): FollowUpContext | undefined {
  const chatId = ctx.chat?.id;
  const msg = ctx.message;
  if (chatId === undefined || !msg || !question.trim()) return undefined;
  const previous = conversationMemory(services).recall(chatId);
  const replyTo = msg.reply_to_message;
  const replied = previous !== undefined && replyTo?.from?.id === ctx.me.id && previous.answerIds.includes(replyTo.message_id);
  return followUpOf(question, previous, { replied, privateChat: ctx.chat?.type === 'private' });
}

/** Remembers a question as its chat's last one (with the context it was asked in) and the ids of its answer. */
export function rememberQuestion(ctx: Context, services: BotServices, question: string, followUp: FollowUpContext | undefined, answerIds: number[]): void {
  const chatId = ctx.chat?.id;
  if (chatId === undefined || !ctx.message || !question.trim()) return;
  const withContext = followUp ? `${question} ${followUp.context}` : question;
  conversationMemory(services).remember(chatId, question, short(withContext, CONTEXT_MAX_CHARS), answerIds);
}
