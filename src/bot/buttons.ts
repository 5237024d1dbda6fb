/**
 * What the inline buttons under an answer do: show a quote's whole passage, page through the
 * whole article, or show more results. A stale or unknown button (after a restart, an index
 * rebuild, or an evicted question) gets a polite pop-up, never an error.
 */
import { Composer, GrammyError, type Context } from 'grammy';
import type { CallbackAction } from './callbacks.ts';
import type { BotServices } from './context.ts';
import { userLanguage } from './context.ts';
import { describeError } from './log.ts';
import type { QuestionLimiter } from './questions.ts';
import { renderAnswer, renderArticlePage, renderPassage } from './render.ts';
import { sendReply, startTyping } from './reply.ts';
import { strings } from './strings.ts';

/** Answers the button press with a short pop-up text (or just stops the spinner); failures are ignored. */
async function acknowledge(ctx: Context, services: BotServices, text?: string): Promise<void> {
  try {
    await ctx.answerCallbackQuery(text ? { text } : undefined);
  } catch (error) {
    services.log.debug(`answerCallbackQuery failed (ignored): ${describeError(error)}`);
  }
}

async function showPassage(ctx: Context, services: BotServices, action: Extract<CallbackAction, { kind: 'passage' }>) {
  const chunk = services.engine.chunk(action.chunkId);
  const article = chunk && services.engine.article(chunk.articleId);
  if (!chunk || !article) return acknowledge(ctx, services, strings(action.lang).staleButton);
  await acknowledge(ctx, services);
  await sendReply(ctx, renderPassage(chunk, article, action.lang, services.codec));
}

async function showArticle(ctx: Context, services: BotServices, action: Extract<CallbackAction, { kind: 'article' }>) {
  const article = services.engine.article(action.articleId);
  const page = article && renderArticlePage(article, action.page, action.lang, services.codec);
  if (!article || !page) return acknowledge(ctx, services, strings(action.lang).staleButton);
  await acknowledge(ctx, services);
  const options = { parse_mode: 'HTML' as const, link_preview_options: { is_disabled: true }, reply_markup: page.keyboard };
  if (action.edit && ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(page.text, options);
      return;
    } catch (error) {
      // "message is not modified" (a double press) needs nothing; anything else: send it anew.
      if (error instanceof GrammyError && /not modified/i.test(error.description)) return;
      services.log.debug(`editMessageText failed, sending the page anew: ${describeError(error)}`);
    }
  }
  await sendReply(ctx, { messages: [page.text], keyboard: page.keyboard });
}

async function showMore(ctx: Context, services: BotServices, action: Extract<CallbackAction, { kind: 'more' }>) {
  const remembered = services.codec.question(action.key);
  if (!remembered) return acknowledge(ctx, services, strings(action.lang).staleButton);
  const { engine, codec, topK } = services;
  const stopTyping = startTyping(ctx, services.log);
  try {
    const answer = await engine.ask(remembered.question, { topK: topK + 1, offset: action.offset });
    if (!answer.answered || answer.results.length === 0) {
      await acknowledge(ctx, services, strings(remembered.lang).noMoreResults);
      return;
    }
    await acknowledge(ctx, services);
    const hasMore = answer.results.length > topK;
    const shown = { ...answer, results: answer.results.slice(0, topK) };
    await sendReply(
      ctx,
      renderAnswer(shown, { lang: remembered.lang, codec, offset: action.offset, moreKey: hasMore ? action.key : undefined }),
    );
  } finally {
    stopTyping();
  }
}

/** The callback-query handler for the bot's buttons (extensions' buttons are handled before it). */
export function buttonHandlers(services: BotServices, limiter: QuestionLimiter): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query', async (ctx) => {
    const action = services.codec.decode(ctx.callbackQuery.data);
    if (!action) {
      services.log.debug(`stale or unknown button (update ${ctx.update.update_id})`);
      return acknowledge(ctx, services, strings(userLanguage(ctx)).staleButton);
    }
    switch (action.kind) {
      case 'passage':
        return showPassage(ctx, services, action);
      case 'article':
        return showArticle(ctx, services, action);
      case 'more':
        return limiter(ctx, () => showMore(ctx, services, action));
    }
  });
  return composer;
}
