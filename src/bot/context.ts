/**
 * What the bot's handlers share: the engine (loaded once), the live library when there is one,
 * the button codec, the log and the limits. Created once by `createBot` and passed to each
 * handler module.
 */
import type { Context } from 'grammy';
import type { Engine } from '../engine-types.ts';
import type { Library } from '../library/types.ts';
import type { CallbackCodec } from './callbacks.ts';
import type { Logger } from './log.ts';
import { replyLanguage, type CommandDescription } from './strings.ts';
import type { Language } from '../text/language.ts';

/** The shared state of one running bot. */
export interface BotServices {
  engine: Engine;
  /** The live corpus behind /add, /remove, /feeds, /reindex and /stats; absent on a fixed index. */
  library?: Library;
  /** Telegram user ids allowed to change the corpus (config TRICHDAN_ADMIN_IDS). */
  adminIds: readonly number[];
  codec: CallbackCodec;
  log: Logger;
  /** Results per answer (config TRICHDAN_TOP_K). */
  topK: number;
  /** Longest question accepted (config TRICHDAN_MAX_QUESTION_CHARS), shown in the "too long" reply. */
  maxQuestionChars: number;
  /** Questions per user per minute (config TRICHDAN_RATE_LIMIT_PER_MINUTE). */
  ratePerMinute: number;
  /** Every command the bot offers: its own and the extensions' (shown by /help and in the menu). */
  commands: readonly CommandDescription[];
}

/** The user's language from Telegram (`language_code`): English or, by default, Vietnamese. */
export function userLanguage(ctx: Context): Language {
  return replyLanguage(ctx.from?.language_code);
}
