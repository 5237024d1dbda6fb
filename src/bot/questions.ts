/**
 * Where a Telegram message becomes a question for the engine and an answer goes back.
 *
 * Text messages addressed to the bot are questions (every text in private chats; in groups
 * replies to the bot and mentions of it, see groups.ts), and so are the captions of photos and
 * other media. A message with no subject of its own is read with the chat's previous question
 * (follow-up.ts). Edited messages are answered again, as a new reply: someone who fixes a typo
 * expects the answer to the fixed question. Stickers, voice and other media without a caption
 * get a short "I answer text questions".
 */
import { Composer, type Context } from 'grammy';
import { limit } from '@grammyjs/ratelimiter';
import type { Message } from 'grammy/types';
import { userLanguage, type BotServices } from './context.ts';
import { addressedQuestion, isAddressedToBot, parseCommand } from './groups.ts';
import { followUpInChat, rememberQuestion, type FollowUpContext } from './follow-up.ts';
import { describeError } from './log.ts';
import { renderAnswer, renderInputProblem, renderNotFound, type RenderedReply } from './render.ts';
import { reserveReply, sendReply } from './reply.ts';
import { withHeader } from './claims.ts';
import { replyLanguage, strings } from './strings.ts';

/** Runs `work` if the user is within their questions-per-minute, or tells them (once per minute) to slow down. */
export type QuestionLimiter = (ctx: Context, work: () => Promise<unknown>) => Promise<void>;

/** A per-user limiter of questions (and "more results" presses) per minute, with a friendly reply. */
export function createQuestionLimiter(ratePerMinute: number, log: BotServices['log']): QuestionLimiter {
  const middleware = limit<Context, never>({
    timeFrame: 60_000,
    limit: ratePerMinute,
    keyGenerator: (ctx) => (ctx.from ? String(ctx.from.id) : undefined),
    onLimitExceeded: (ctx) => {
      const text = strings(userLanguage(ctx)).rateLimited(ratePerMinute);
      log.debug(`rate limit reached by user ${ctx.from?.id}`);
      const done = ctx.callbackQuery ? ctx.answerCallbackQuery({ text, show_alert: false }) : ctx.reply(text, { parse_mode: 'HTML' });
      done.catch((error: unknown) => log.debug(`rate-limit reply failed: ${describeError(error)}`));
    },
  });
  return (ctx, work) =>
    middleware(ctx, async () => {
      await work();
    });
}

/**
 * Asks the engine and sends the answer: quotes with citations, "not in the corpus" with
 * suggestions, or why the question could not be asked. One more result than shown is asked
 * for, so the "more results" button appears only when there is more. A follow-up is asked with
 * its context and its answer starts with the "understood as" line. Returns the ids of the
 * messages sent.
 */
export async function answerQuestion(ctx: Context, services: BotServices, question: string, followUp?: FollowUpContext): Promise<number[]> {
  const { engine, codec, log, topK } = services;
  const started = performance.now();
  if (question.trim() === '') {
    return sendReply(ctx, renderInputProblem('empty', userLanguage(ctx), 0, services.maxQuestionChars));
  }
  // "Searching…" at once; the answer is then written into that message (reply-slot.ts).
  await reserveReply(ctx, strings(userLanguage(ctx)).searching, log);
  const answer = await engine.ask(followUp?.question ?? question, { topK: topK + 1, ...(followUp ? { context: followUp.context } : {}) });
  const lang = replyLanguage(ctx.from?.language_code, answer.language);
  let reply: RenderedReply;
  if (answer.inputProblem) {
    reply = renderInputProblem(answer.inputProblem, lang, question.length, services.maxQuestionChars);
  } else if (!answer.answered || answer.results.length === 0) {
    reply = renderNotFound(lang, engine.articles());
  } else {
    const hasMore = answer.results.length > topK;
    const shown = { ...answer, results: answer.results.slice(0, topK) };
    // "More results" re-asks the remembered text alone, so a follow-up (asked with its context) has none.
    const moreKey = hasMore && !followUp ? codec.rememberQuestion(question, lang) : undefined;
    reply = renderAnswer(shown, { lang, codec, moreKey });
  }
  if (followUp && !answer.inputProblem) reply = withHeader(reply, followUp.understood(lang));
  const sent = await sendReply(ctx, reply);
  log.debug(
    `update ${ctx.update.update_id}: ${question.length}-char ${answer.language} question, ` +
      `${answer.answered ? answer.results.length : 0} results, ${reply.messages.length} messages, ` +
      `${Math.round(performance.now() - started)} ms${followUp ? ', follow-up' : ''}`,
  );
  return sent;
}

/** Answers a new message's question, as a follow-up of the chat's previous question when it is one, and remembers it. */
async function askInChat(ctx: Context, services: BotServices, question: string): Promise<void> {
  const followUp = followUpInChat(ctx, services, question);
  const sent = await answerQuestion(ctx, services, question, followUp);
  rememberQuestion(ctx, services, question, followUp, sent);
}

/** Kinds of message that are not text: without a caption they get "I answer text questions". */
const NON_TEXT_KINDS = [
  'sticker',
  'photo',
  'voice',
  'video',
  'video_note',
  'audio',
  'document',
  'animation',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'story',
] as const satisfies readonly (keyof Message)[];

/** Handlers for text messages (questions, edited questions, unknown commands) and for media. */
export function questionHandlers(services: BotServices, limiter: QuestionLimiter): Composer<Context> {
  const composer = new Composer<Context>();

  composer.on(['message:text', 'edited_message:text'], async (ctx) => {
    const msg = ctx.msg;
    const command = parseCommand(msg.text, ctx.me);
    if (command) {
      // Commands that reach this point were not handled by the command handlers.
      if (!command.forMe) return;
      if (command.command === 'ask' && ctx.editedMessage) {
        await limiter(ctx, () => answerQuestion(ctx, services, command.args));
      } else if (msg.chat.type === 'private' && !ctx.editedMessage) {
        await sendReply(ctx, { messages: [strings(userLanguage(ctx)).unknownCommand] });
      }
      return;
    }
    const question = addressedQuestion(msg, ctx.me);
    if (question === null) return;
    await limiter(ctx, () => askInChat(ctx, services, question));
  });

  composer.on('message', async (ctx) => {
    const msg = ctx.message;
    if (!NON_TEXT_KINDS.some((kind) => msg[kind] !== undefined)) return;
    if (!isAddressedToBot(msg, ctx.me)) return;
    // A caption is a question like a text (in groups, with the bot's mention taken out).
    const caption = msg.caption?.trim() ? addressedQuestion({ ...msg, text: msg.caption, entities: msg.caption_entities }, ctx.me) : null;
    if (caption) {
      await limiter(ctx, () => askInChat(ctx, services, caption));
      return;
    }
    await sendReply(ctx, { messages: [strings(userLanguage(ctx)).textOnly] });
  });

  return composer;
}
