import { Composer, type Context } from 'grammy';
import { z } from 'zod';
import { ChatAdmins, groupAdminOnly } from '../bot/permissions.ts';
import { replyLanguage, type CommandDescription } from '../bot/strings.ts';
import { systemClock, type Clock } from './clock.ts';
import type { DigestComposer } from './compose.ts';
import { formatSlot, nextSlot } from './schedule.ts';
import { timeSchema, zoneSchema } from '../time-of-day.ts';
import type { ChatDefaults, DigestStore, Subscriber } from './store.ts';
import type { Language } from '../text/language.ts';
import { digestStrings, type DigestStrings } from './strings.ts';
import { stripInvisible } from '../text/normalize.ts';

/** Shortest and longest topic a chat may follow, in characters. */
export const TOPIC_MIN_CHARS = 2;
export const TOPIC_MAX_CHARS = 64;

/** A topic as typed: NFC, single spaces, no control characters, within the length limits. */
export const topicSchema = z
  .string()
  .transform((s) => stripInvisible(s).normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/gu, ' ').trim())
  .pipe(z.string().min(TOPIC_MIN_CHARS, 'too_short').max(TOPIC_MAX_CHARS, 'too_long'));

const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['on', 'off', 'bật', 'tắt', 'bat', 'tat', '1', '0', 'yes', 'no', 'có', 'không']))
  .transform((v) => ['on', 'bật', 'bat', '1', 'yes', 'có'].includes(v));

/** The digest's commands for Telegram's menu and /help, in both languages. */
export const DIGEST_COMMANDS: readonly CommandDescription[] = [
  {
    command: 'subscribe',
    args: { vi: '[HH:MM]', en: '[HH:MM]' },
    description: { vi: 'Nhận bản tin hằng ngày (mặc định 07:30)', en: 'Get a daily digest (default 07:30)' },
  },
  { command: 'unsubscribe', description: { vi: 'Hủy nhận bản tin', en: 'Stop the daily digest' } },
  { command: 'digest', description: { vi: 'Xem ngay các bài mới nhất', en: 'Show the latest articles now' } },
  {
    command: 'follow',
    args: { vi: '<chủ đề>', en: '<topic>' },
    description: { vi: 'Theo dõi một chủ đề trong bản tin', en: 'Follow a topic in your digest' },
  },
  {
    command: 'unfollow',
    args: { vi: '<chủ đề>', en: '<topic>' },
    description: { vi: 'Bỏ theo dõi một chủ đề', en: 'Stop following a topic' },
  },
  { command: 'topics', description: { vi: 'Các chủ đề đang theo dõi', en: 'The topics you follow' } },
  {
    command: 'time',
    args: { vi: 'HH:MM', en: 'HH:MM' },
    description: { vi: 'Đổi giờ nhận bản tin', en: 'Change the digest time' },
  },
  {
    command: 'timezone',
    args: { vi: '<múi giờ>', en: '<zone>' },
    description: { vi: 'Đổi múi giờ (vd. Asia/Ho_Chi_Minh)', en: 'Change the time zone (e.g. Europe/Berlin)' },
  },
  {
    command: 'digest_empty',
    args: { vi: 'on|off', en: 'on|off' },
    description: {
      vi: 'Ngày không có bài mới: gửi tin ngắn hay không',
      en: 'Days with nothing new: short message or none',
    },
  },
];

/** What the digest commands need. */
export interface DigestCommandsDeps {
  store: DigestStore;
  composer: DigestComposer;
  /** config.digest.defaultTime / defaultZone. */
  defaults: { time: string; zone: string };
  /** For "next digest at …" in confirmations. Default: system clock. */
  clock?: Clock;
  /** Who administers a group (every command but /topics needs it there). Default: a new cache over getChatMember. */
  chatAdmins?: ChatAdmins;
}

const HTML = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

/**
 * The digest's commands as a grammY composer, to install in the bot (`bot.use(...)`):
 * /subscribe [HH:MM], /unsubscribe, /digest, /follow, /unfollow, /topics, /time, /timezone,
 * /digest_empty. Settings belong to the chat (a group can subscribe too; there every command but
 * /topics needs a chat administrator); replies are in the
 * user's Telegram language (English for `en`, Vietnamese otherwise), which is also the
 * language of the chat's scheduled digests.
 */
export function digestCommands<C extends Context = Context>(deps: DigestCommandsDeps): Composer<C> {
  const { store, composer } = deps;
  const clock = deps.clock ?? systemClock;
  const bot = new Composer<C>();

  /** The chat's row (created with defaults), its language updated to the user's, and the strings. */
  const open = async (ctx: C): Promise<{ chatId: number; lang: Language; t: DigestStrings; sub: Subscriber; defaults: ChatDefaults }> => {
    const chatId = ctx.chat!.id;
    const lang = replyLanguage(ctx.from?.language_code);
    const defaults: ChatDefaults = { time: deps.defaults.time, zone: deps.defaults.zone, language: lang };
    await store.ensureChat(chatId, defaults);
    await store.setLanguage(chatId, lang);
    return { chatId, lang, t: digestStrings(lang), sub: (await store.getSubscriber(chatId))!, defaults };
  };
  const next = (sub: Subscriber) => formatSlot(nextSlot(sub.time, sub.zone, clock.now()), sub.zone);
  const arg = (ctx: C) => (typeof ctx.match === 'string' ? ctx.match.trim() : '');
  const hint = (sub: Subscriber, t: DigestStrings) => (sub.active ? '' : t.subscribeHint);
  const chatAdmins = deps.chatAdmins ?? new ChatAdmins();
  /** In groups only administrators change the chat's digest (or send it now); others get one polite line. */
  const byAdmin = async (ctx: C): Promise<boolean> => {
    if (await chatAdmins.allows(ctx)) return true;
    await ctx.reply(groupAdminOnly(replyLanguage(ctx.from?.language_code)));
    return false;
  };

  bot.command('subscribe', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t, defaults } = await open(ctx);
    const input = arg(ctx);
    let time: string | undefined;
    if (input) {
      const parsed = timeSchema.safeParse(input);
      if (!parsed.success) return void (await ctx.reply(t.badTime(input, 'subscribe'), HTML));
      time = parsed.data;
    }
    const { wasActive, subscriber } = await store.subscribe(chatId, defaults, time);
    const text = !wasActive
      ? t.subscribed(subscriber.time, subscriber.zone, next(subscriber))
      : time
        ? t.timeSet(subscriber.time, subscriber.zone, next(subscriber))
        : t.alreadySubscribed(subscriber.time, subscriber.zone, next(subscriber));
    await ctx.reply(text, HTML);
  });

  bot.command('unsubscribe', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t } = await open(ctx);
    await ctx.reply((await store.unsubscribe(chatId)) ? t.unsubscribed : t.notSubscribed, HTML);
  });

  bot.command('digest', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, lang } = await open(ctx);
    for (const part of await composer.latest(lang, await store.topics(chatId))) await ctx.reply(part, HTML);
  });

  bot.command('follow', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t, sub } = await open(ctx);
    const input = arg(ctx);
    if (!input) return void (await ctx.reply(t.followUsage, HTML));
    const parsed = topicSchema.safeParse(input);
    if (!parsed.success) {
      const tooLong = parsed.error.issues.some((i) => i.message === 'too_long');
      return void (await ctx.reply(tooLong ? t.topicTooLong(TOPIC_MAX_CHARS) : t.topicTooShort(TOPIC_MIN_CHARS), HTML));
    }
    const topic = parsed.data;
    const result = await store.follow(chatId, topic);
    const text =
      result === 'added' ? t.followed(topic) + hint(sub, t) : result === 'exists' ? t.alreadyFollowing(topic) : t.topicLimit(store.topicLimit);
    await ctx.reply(text, HTML);
  });

  bot.command('unfollow', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t } = await open(ctx);
    const parsed = topicSchema.safeParse(arg(ctx));
    if (!parsed.success) return void (await ctx.reply(t.unfollowUsage, HTML));
    const topic = parsed.data;
    await ctx.reply((await store.unfollow(chatId, topic)) ? t.unfollowed(topic) : t.notFollowing(topic), HTML);
  });

  bot.command('topics', async (ctx) => {
    const { chatId, t } = await open(ctx);
    const topics = await store.topics(chatId);
    await ctx.reply(topics.length ? t.topicsList(topics) : t.noTopics, HTML);
  });

  bot.command('time', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t, sub } = await open(ctx);
    const input = arg(ctx);
    if (!input) return void (await ctx.reply(t.currentTime(sub.time, sub.zone) + hint(sub, t), HTML));
    const parsed = timeSchema.safeParse(input);
    if (!parsed.success) return void (await ctx.reply(t.badTime(input, 'time'), HTML));
    await store.setTime(chatId, parsed.data);
    const updated = (await store.getSubscriber(chatId))!;
    await ctx.reply(t.timeSet(updated.time, updated.zone, next(updated)) + hint(updated, t), HTML);
  });

  bot.command('timezone', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t, sub } = await open(ctx);
    const input = arg(ctx);
    if (!input) return void (await ctx.reply(t.currentZone(sub.zone) + hint(sub, t), HTML));
    const parsed = zoneSchema.safeParse(input);
    if (!parsed.success) return void (await ctx.reply(t.badZone(input), HTML));
    await store.setZone(chatId, parsed.data);
    const updated = (await store.getSubscriber(chatId))!;
    await ctx.reply(t.zoneSet(updated.zone, updated.time, next(updated)) + hint(updated, t), HTML);
  });

  bot.command('digest_empty', async (ctx) => {
    if (!(await byAdmin(ctx))) return;
    const { chatId, t, sub } = await open(ctx);
    const parsed = onOff.safeParse(arg(ctx));
    if (!parsed.success) return void (await ctx.reply(t.emptyUsage(sub.sendEmpty), HTML));
    await store.setSendEmpty(chatId, parsed.data);
    await ctx.reply((parsed.data ? t.emptyOn : t.emptyOff) + hint(sub, t), HTML);
  });

  return bot;
}
