/**
 * Who a message is for. In private chats every message is for the bot. In groups the bot
 * answers only to /ask (handled with the commands), to replies to its own messages, and to
 * messages that mention it; it keeps quiet otherwise. Channels are ignored.
 */
import type { Message, MessageEntity, UserFromGetMe } from 'grammy/types';

/** True when the chat is a group or a supergroup. */
export function isGroupChat(msg: Pick<Message, 'chat'>): boolean {
  return msg.chat.type === 'group' || msg.chat.type === 'supergroup';
}

/** The entities that name the bot: `@username` mentions and text mentions of its id. */
function mentionsOfBot(text: string, entities: readonly MessageEntity[] | undefined, me: UserFromGetMe): MessageEntity[] {
  const username = `@${me.username}`.toLowerCase();
  return (entities ?? []).filter(
    (e) =>
      (e.type === 'mention' && text.substring(e.offset, e.offset + e.length).toLowerCase() === username) ||
      (e.type === 'text_mention' && e.user.id === me.id),
  );
}

/** True when a message is for the bot: any message in private chats; in groups a reply to the bot or a mention of it. */
export function isAddressedToBot(msg: Message, me: UserFromGetMe): boolean {
  if (msg.chat.type === 'private') return true;
  if (!isGroupChat(msg)) return false;
  if (msg.reply_to_message?.from?.id === me.id) return true;
  const text = msg.text ?? msg.caption ?? '';
  return mentionsOfBot(text, msg.entities ?? msg.caption_entities, me).length > 0;
}

/**
 * The question in a text message addressed to the bot (with the bot's `@username` mentions
 * removed), or null when the message is not for the bot.
 */
export function addressedQuestion(msg: Message, me: UserFromGetMe): string | null {
  if (msg.text === undefined || !isAddressedToBot(msg, me)) return null;
  if (msg.chat.type === 'private') return msg.text;
  const mentions = mentionsOfBot(msg.text, msg.entities, me).filter((e) => e.type === 'mention');
  let text = msg.text;
  for (const e of [...mentions].sort((a, b) => b.offset - a.offset)) {
    text = `${text.slice(0, e.offset)} ${text.slice(e.offset + e.length)}`;
  }
  return text.replace(/[ \t]{2,}/g, ' ').trim();
}

/** A command written at the start of a text: `/ask@trichdan_bot question` → `{ command: 'ask', args: 'question' }`. */
export interface ParsedCommand {
  command: string;
  args: string;
  /** False when the command names another bot (`/help@otherbot`). */
  forMe: boolean;
}

/** Parses a leading `/command[@bot] args`; null when the text does not start with one. */
export function parseCommand(text: string, me: UserFromGetMe): ParsedCommand | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  return {
    command: m[1].toLowerCase(),
    args: (m[3] ?? '').trim(),
    forMe: !m[2] || m[2].toLowerCase() === me.username.toLowerCase(),
  };
}
