/**
 * Sending rendered replies, and the cosmetic calls around them ("typing…"), which may fail
 * (the emulator rejects sendChatAction; Telegram can too) without failing the reply.
 */
import type { Context } from 'grammy';
import type { RenderedReply } from './render.ts';
import { markAnswered } from './answered.ts';
import { isGroupChat } from './groups.ts';
import { describeError, type Logger } from './log.ts';

/** Telegram shows "typing…" for about 5 seconds; it is renewed this often while working. */
const TYPING_RENEW_MS = 4500;

/**
 * Shows "typing…" in the chat until the returned function is called. The call is not awaited,
 * so the reply is never delayed by it, and a failure is logged at debug level only.
 */
export function startTyping(ctx: Context, log: Logger): () => void {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return () => {};
  const send = () => {
    ctx.api.sendChatAction(chatId, 'typing').catch((error: unknown) => {
      log.debug(`sendChatAction failed (ignored): ${describeError(error)}`);
    });
  };
  send();
  const timer = setInterval(send, TYPING_RENEW_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Sends the messages of a reply in order, in HTML parse mode without link previews; the keyboard
 * goes under the last one. In groups the first message replies to the question.
 * Returns the ids of the sent messages. Once sent, the update counts as answered (`interim`: not yet).
 */
export async function sendReply(ctx: Context, reply: RenderedReply, options: { interim?: boolean } = {}): Promise<number[]> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return [];
  const msg = ctx.msg;
  const quoteQuestion = msg !== undefined && ctx.callbackQuery === undefined && isGroupChat(msg);
  const ids: number[] = [];
  for (let i = 0; i < reply.messages.length; i++) {
    const last = i === reply.messages.length - 1;
    const sent = await ctx.api.sendMessage(chatId, reply.messages[i], {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(msg?.message_thread_id !== undefined && msg.is_topic_message ? { message_thread_id: msg.message_thread_id } : {}),
      ...(quoteQuestion && i === 0 && msg
        ? { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } }
        : {}),
      ...(last && reply.keyboard ? { reply_markup: reply.keyboard } : {}),
    });
    ids.push(sent.message_id);
  }
  // Sent: the update is answered (unless this is only a "working…" message before the answer).
  if (!options.interim) await markAnswered(ctx);
  return ids;
}
