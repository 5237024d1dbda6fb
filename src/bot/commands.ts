/**
 * The bot's commands: /start, /help, /sources and /ask (for groups), and their registration in
 * Telegram's command menu (Vietnamese by default, English for users whose Telegram is English).
 * Commands with a bot username suffix (`/help@trichdan_bot`) work through grammY's matching.
 */
import { Composer, type Api, type Context } from 'grammy';
import type { Engine } from '../engine-types.ts';
import { userLanguage, type BotServices } from './context.ts';
import { describeError, type Logger } from './log.ts';
import { answerQuestion, type QuestionLimiter } from './questions.ts';
import { renderSources } from './render.ts';
import { sendReply } from './reply.ts';
import { strings, type CommandDescription } from './strings.ts';
import type { Language } from '../text/language.ts';

/** Example questions tried for /start, in order; the first one the corpus answers is shown. */
const EXAMPLE_CANDIDATES: Record<Language, string[]> = {
  vi: ['Mỹ cam kết gì về xử lý dioxin ở sân bay Biên Hòa?', 'Bộ trưởng Quốc phòng Nga tên là gì?'],
  en: ['What did the US commit to on dioxin at Bien Hoa airport?'],
};

/**
 * An example question for /start that the corpus really answers: the first candidate the engine
 * answers, else the newest article's title (which finds that article). Computed once per language.
 */
export function exampleQuestions(engine: Engine): (lang: Language) => Promise<string> {
  const cache = new Map<Language, Promise<string>>();
  const pick = async (lang: Language): Promise<string> => {
    for (const candidate of EXAMPLE_CANDIDATES[lang]) {
      const answer = await engine.ask(candidate, { topK: 1 });
      if (answer.answered) return candidate;
    }
    if (lang === 'en') return pick('vi');
    return engine.articles()[0]?.title ?? EXAMPLE_CANDIDATES.vi[0];
  };
  return (lang) => {
    let example = cache.get(lang);
    if (!example) {
      example = pick(lang).catch(() => EXAMPLE_CANDIDATES[lang][0]);
      cache.set(lang, example);
    }
    return example;
  };
}

/** Handlers for /start, /help, /sources and /ask. */
export function commandHandlers(services: BotServices, limiter: QuestionLimiter): Composer<Context> {
  const composer = new Composer<Context>();
  const example = exampleQuestions(services.engine);

  composer.command('start', async (ctx) => {
    const lang = userLanguage(ctx);
    await sendReply(ctx, { messages: [strings(lang).start(await example(lang))] });
  });

  composer.command('help', async (ctx) => {
    await sendReply(ctx, { messages: [strings(userLanguage(ctx)).help(services.commands)] });
  });

  composer.command('sources', async (ctx) => {
    await sendReply(ctx, renderSources(services.engine.articles(), userLanguage(ctx)));
  });

  composer.command('ask', async (ctx) => {
    const question = ctx.match.trim();
    if (!question) {
      const lang = userLanguage(ctx);
      await sendReply(ctx, { messages: [strings(lang).askUsage(await example(lang))] });
      return;
    }
    await limiter(ctx, () => answerQuestion(ctx, services, question));
  });

  return composer;
}

/**
 * Registers the command menu with setMyCommands: Vietnamese as the default, English for users
 * whose Telegram language is English. Failure is logged, never fatal (the emulator rejects it,
 * and the bot works without a menu).
 */
export async function registerCommands(api: Api, commands: readonly CommandDescription[], log: Logger): Promise<boolean> {
  const menu = (lang: Language) => commands.map((c) => ({ command: c.command, description: c.description[lang] }));
  try {
    await api.setMyCommands(menu('vi'));
    await api.setMyCommands(menu('en'), { language_code: 'en' });
    return true;
  } catch (error) {
    log.warn(`could not register the command menu (the bot works without it): ${describeError(error)}`);
    return false;
  }
}
