/**
 * Sending rendered replies: into the message reserved for the answer when there is one
 * (reply-slot.ts), else as new messages; and the cosmetic calls around them ("typing…"), which
 * may fail (the emulator rejects sendChatAction; Telegram can too) without failing the reply.
 */
import { GrammyError, type Context, type InlineKeyboard } from 'grammy';
import type { RenderedReply } from './render.ts';
import { hasSlot, markAnswered, reserveSlot, takeSlot } from './reply-slot.ts';
import { isGroupChat } from './groups.ts';
import { describeError, type Logger } from './log.ts';

/** Every message of the bot's replies: Telegram HTML, no link previews. */
const HTML_NO_PREVIEW = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

/** How a reply's messages are formatted (the same whether sent or written into a reserved message). */
type EditFormat = typeof HTML_NO_PREVIEW & { reply_markup?: InlineKeyboard };

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

/** The bot's messages for this update go to the question's forum topic. */
function inThread(ctx: Context): { message_thread_id?: number } {
  const msg = ctx.msg;
  return msg?.message_thread_id !== undefined && msg.is_topic_message ? { message_thread_id: msg.message_thread_id } : {};
}

/** In groups, the first message of a reply to a question replies to it (several people may be asking). */
function replyingToQuestion(ctx: Context): { reply_parameters?: { message_id: number; allow_sending_without_reply: boolean } } {
  const msg = ctx.msg;
  if (msg === undefined || ctx.callbackQuery !== undefined || !isGroupChat(msg)) return {};
  return { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
}

/**
 * Sends "searching…" at once and reserves it for the answer (reply-slot.ts), unless the update
 * has a reserved message already (a replay after a crash). Best effort: if it cannot be sent, the
 * answer is sent as a new message later.
 */
export async function reserveReply(ctx: Context, text: string, log: Logger): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined || hasSlot(ctx)) return;
  let sent;
  try {
    sent = await ctx.api.sendMessage(chatId, text, { ...HTML_NO_PREVIEW, ...inThread(ctx), ...replyingToQuestion(ctx) });
  } catch (error) {
    log.debug(`the "searching" message could not be sent (the answer is sent anew): ${describeError(error)}`);
    return;
  }
  await reserveSlot(ctx, sent.message_id);
}

/** Telegram's answer to an edit that changes nothing: a replay writing the same answer again. */
function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && /message is not modified/i.test(error.description);
}

/** The reply's first message written into the reserved one; false when that message cannot be edited any more. */
async function writeInto(ctx: Context, chatId: number, messageId: number, text: string, format: EditFormat): Promise<boolean> {
  try {
    await ctx.api.editMessageText(chatId, messageId, text, format);
    return true;
  } catch (error) {
    if (isNotModified(error)) return true; // a replay: the answer is there already
    if (error instanceof GrammyError && error.error_code === 400) return false; // deleted, or too old to edit: send anew
    throw error;
  }
}

/**
 * A short apology (no markup) written into the update's reserved message, or sent as a reply when
 * it has none or that message is gone (deleted, too old to edit).
 */
export async function replyApology(ctx: Context, text: string): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  const slot = takeSlot(ctx);
  if (slot !== undefined && (await writeInto(ctx, chatId, slot, text, HTML_NO_PREVIEW))) return;
  if (ctx.msg) await ctx.reply(text, { ...HTML_NO_PREVIEW, ...inThread(ctx) });
}

/**
 * Sends the messages of a reply in order, in HTML parse mode without link previews; the keyboard
 * goes under the last one. In groups the first message replies to the question. The first message
 * is written into the update's reserved message when it has one (reply-slot.ts); if that message
 * is gone (deleted, too old to edit), it is sent anew.
 * Returns the ids of the messages. Once sent, the update counts as answered (`interim`: not yet).
 */
export async function sendReply(ctx: Context, reply: RenderedReply, options: { interim?: boolean } = {}): Promise<number[]> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return [];
  const slot = takeSlot(ctx);
  const ids: number[] = [];
  for (let i = 0; i < reply.messages.length; i++) {
    const last = i === reply.messages.length - 1;
    const format: EditFormat = { ...HTML_NO_PREVIEW, ...(last && reply.keyboard ? { reply_markup: reply.keyboard } : {}) };
    if (i === 0 && slot !== undefined && (await writeInto(ctx, chatId, slot, reply.messages[0], format))) {
      ids.push(slot);
      continue;
    }
    const sent = await ctx.api.sendMessage(chatId, reply.messages[i], { ...format, ...inThread(ctx), ...(i === 0 ? replyingToQuestion(ctx) : {}) });
    ids.push(sent.message_id);
  }
  // Sent: the update is answered (unless this is only a "working…" message before the answer).
  if (!options.interim) await markAnswered(ctx);
  return ids;
}
