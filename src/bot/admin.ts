/**
 * The live corpus in the bot: /add, /remove, /feeds and /reindex for the admins
 * (TRICHDAN_ADMIN_IDS), /stats for everyone, and an "Add to corpus" button under a plain link
 * an admin sends in a private chat (for everyone else a link stays a question).
 *
 * Slow work (fetching a page, re-scanning the corpus) first says "Fetching…", then edits that
 * message into the outcome. A refused link shows the IngestError's own sentence; any other
 * failure is logged and answered with the generic apology, never with a stack trace.
 */
import { randomBytes } from 'node:crypto';
import { Composer, GrammyError, InlineKeyboard, type CommandContext, type Context } from 'grammy';
import { escapeHtml } from '../answer/citation.ts';
import type { Engine } from '../engine-types.ts';
import { IngestError } from '../ingest/types.ts';
import type { Library, LibraryStats } from '../library/types.ts';
import { renderAddOutcome, renderFeeds, renderRefresh, renderRemoved, renderStats } from './admin-render.ts';
import { adminStrings } from './admin-strings.ts';
import { LruMap } from '../lru-map.ts';
import { ChatAdmins, groupAdminOnly } from './permissions.ts';
import { userLanguage, type BotServices } from './context.ts';
import { describeError } from './log.ts';
import { sendReply } from './reply.ts';
import { splitHtml } from './split.ts';
import { strings } from './strings.ts';
import type { Language } from '../text/language.ts';

/** Longest command argument accepted (a message is at most 4096 characters, and replies may quote it). */
export const MAX_ARGUMENT_CHARS = 2000;
/** How long the "Add to corpus" button under a link works. */
const LINK_BUTTON_TTL_MS = 24 * 3600_000;
/** Links remembered for their buttons at most (the oldest go first). */
const LINK_BUTTON_CAPACITY = 500;
/** `callback_data` of the "Add to corpus" button: this prefix and a token (never produced by CallbackCodec). */
const ADD_LINK_PREFIX = 'add:';

/**
 * Links waiting for their "Add to corpus" button, under short random tokens (callback_data holds
 * at most 64 bytes; a URL may not fit). Bounded and expiring: a button from before a restart,
 * an evicted or an old one finds nothing, never another link.
 */
export class PendingLinks {
  private readonly links: LruMap<string, { url: string; expiresAt: number }>;

  constructor(
    capacity = LINK_BUTTON_CAPACITY,
    private readonly ttlMs = LINK_BUTTON_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.links = new LruMap(capacity);
  }

  /** Keeps `url`; returns its token (8 characters). */
  remember(url: string): string {
    const token = randomBytes(6).toString('base64url');
    this.links.set(token, { url, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /** The link kept under `token`, or undefined when it expired, was evicted or never existed. */
  url(token: string): string | undefined {
    const link = this.links.get(token);
    return link && link.expiresAt > this.now() ? link.url : undefined;
  }
}

/** The http(s) URL a message consists of (whitespace around it allowed), or null when it holds anything else. */
export function plainLink(text: string): string | null {
  const m = /^\s*(https?:\/\/\S+)\s*$/i.exec(text);
  if (!m) return null;
  try {
    const { protocol } = new URL(m[1]);
    return protocol === 'http:' || protocol === 'https:' ? m[1] : null;
  } catch {
    return null;
  }
}

/** True when the sender is one of the configured admins. */
export function isAdmin(ctx: Context, services: Pick<BotServices, 'adminIds'>): boolean {
  return ctx.from !== undefined && services.adminIds.includes(ctx.from.id);
}

/** /stats without a live library: what the engine's index holds (no ingest time, no feeds). */
function engineStats(engine: Engine): LibraryStats {
  const status = engine.status();
  return { articles: status.articleCount, passages: status.chunkCount, retrieval: status.retrieval, lastIngestAt: null, feeds: [] };
}

/** Sends one short HTML message to the chat. */
async function say(ctx: Context, html: string): Promise<void> {
  await sendReply(ctx, { messages: [html] });
}

/** Answers a button press (a pop-up when `text` is given); failures are ignored. */
async function acknowledge(ctx: Context, services: BotServices, text?: string): Promise<void> {
  try {
    await ctx.answerCallbackQuery(text ? { text } : undefined);
  } catch (error) {
    services.log.debug(`answerCallbackQuery failed (ignored): ${describeError(error)}`);
  }
}

/** Each bot's cache of group administrators (one per `BotServices`, i.e. per bot). */
const chatAdminCaches = new WeakMap<BotServices, ChatAdmins>();
function chatAdminsOf(services: BotServices): ChatAdmins {
  let admins = chatAdminCaches.get(services);
  if (!admins) chatAdminCaches.set(services, (admins = new ChatAdmins()));
  return admins;
}

/**
 * Runs `work` for an admin (TRICHDAN_ADMIN_IDS; in a group, also one of its administrators)
 * when a library is there; otherwise says why not.
 */
async function asAdmin(
  ctx: Context,
  services: BotServices,
  work: (library: Library, lang: Language) => Promise<void>,
): Promise<void> {
  const lang = userLanguage(ctx);
  if (!isAdmin(ctx, services)) {
    services.log.debug(`admin command refused to user ${ctx.from?.id ?? '?'}`);
    return say(ctx, adminStrings(lang).notAdmin);
  }
  if (!(await chatAdminsOf(services).allows(ctx))) {
    services.log.debug(`admin command refused in group ${ctx.chat?.id ?? '?'}: user ${ctx.from?.id ?? '?'} is not a chat administrator`);
    return say(ctx, groupAdminOnly(lang));
  }
  if (!services.library) return say(ctx, adminStrings(lang).noLibrary);
  return work(services.library, lang);
}

/** The command's argument, trimmed; or undefined after answering with the usage line or "too long". */
async function commandArgument(ctx: CommandContext<Context>, lang: Language, usage: string): Promise<string | undefined> {
  const argument = ctx.match.trim();
  if (!argument) {
    await say(ctx, usage);
    return undefined;
  }
  if (argument.length > MAX_ARGUMENT_CHARS) {
    await say(ctx, adminStrings(lang).argumentTooLong(argument.length, MAX_ARGUMENT_CHARS));
    return undefined;
  }
  return argument;
}

/** Puts `messages` in place of the message `messageId` (the first one; the rest follow), or sends them anew. */
async function replaceMessage(ctx: Context, services: BotServices, messageId: number | undefined, messages: string[]): Promise<void> {
  const chatId = ctx.chat?.id;
  if (messageId === undefined || chatId === undefined) {
    await sendReply(ctx, { messages });
    return;
  }
  try {
    await ctx.api.editMessageText(chatId, messageId, messages[0], { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  } catch (error) {
    if (!(error instanceof GrammyError && /not modified/i.test(error.description))) {
      services.log.debug(`editMessageText failed, sending the result anew: ${describeError(error)}`);
      await sendReply(ctx, { messages });
      return;
    }
  }
  if (messages.length > 1) await sendReply(ctx, { messages: messages.slice(1) });
}

/**
 * Says `working` ("Fetching…"), runs `work`, and turns that message into its result: the HTML
 * `work` returns, an IngestError's message, or the generic apology for anything else.
 */
async function withProgress(
  ctx: Context,
  services: BotServices,
  lang: Language,
  working: string,
  work: () => Promise<string>,
): Promise<void> {
  const [progressId] = await sendReply(ctx, { messages: [working] }, { interim: true });
  let html: string;
  try {
    html = await work();
  } catch (error) {
    if (error instanceof IngestError) {
      services.log.info(`ingest refused for admin ${ctx.from?.id ?? '?'}: ${error.kind}`);
      html = escapeHtml(error.message);
    } else {
      services.log.error(`admin command failed (update ${ctx.update.update_id}): ${describeError(error)}`);
      html = strings(lang).internalError;
    }
  }
  await replaceMessage(ctx, services, progressId, splitHtml(html));
}

/** Fetches and indexes one link, reporting what happened. */
function addLink(ctx: Context, services: BotServices, library: Library, url: string, lang: Language): Promise<void> {
  return withProgress(ctx, services, lang, adminStrings(lang).fetching, async () => {
    const outcome = await library.addUrl(url);
    services.log.info(`admin ${ctx.from?.id ?? '?'} added a link: ${outcome.status} ${outcome.article.id}`);
    return renderAddOutcome(outcome, lang);
  });
}

/** Handlers for /stats, the admin commands and the "Add to corpus" button under links. */
export function adminHandlers(services: BotServices): Composer<Context> {
  const composer = new Composer<Context>();
  const links = new PendingLinks();

  composer.command('stats', async (ctx) => {
    const stats = services.library?.stats() ?? engineStats(services.engine);
    await sendReply(ctx, { messages: renderStats(stats, userLanguage(ctx)) });
  });

  composer.command('add', (ctx) =>
    asAdmin(ctx, services, async (library, lang) => {
      const url = await commandArgument(ctx, lang, adminStrings(lang).addUsage);
      if (url !== undefined) await addLink(ctx, services, library, url, lang);
    }),
  );

  composer.command('remove', (ctx) =>
    asAdmin(ctx, services, async (library, lang) => {
      const idOrUrl = await commandArgument(ctx, lang, adminStrings(lang).removeUsage);
      if (idOrUrl === undefined) return;
      const removed = await library.remove(idOrUrl);
      if (removed) services.log.info(`admin ${ctx.from?.id ?? '?'} removed ${removed.id}`);
      await say(ctx, removed ? renderRemoved(removed, lang) : adminStrings(lang).notRemoved(idOrUrl));
    }),
  );

  composer.command('feeds', (ctx) =>
    asAdmin(ctx, services, async (library, lang) => {
      await sendReply(ctx, { messages: renderFeeds(library.stats().feeds, lang) });
    }),
  );

  composer.command('reindex', (ctx) =>
    asAdmin(ctx, services, (library, lang) =>
      withProgress(ctx, services, lang, adminStrings(lang).reindexing, async () => renderRefresh(await library.refresh(), lang)),
    ),
  );

  // A plain link from an admin in a private chat: offer to add it (before it would become a question).
  composer.on('message:text', async (ctx, next) => {
    if (ctx.chat.type !== 'private' || !services.library || !isAdmin(ctx, services)) return next();
    const url = plainLink(ctx.message.text);
    if (url === null) return next();
    const s = adminStrings(userLanguage(ctx));
    if (url.length > MAX_ARGUMENT_CHARS) return say(ctx, s.argumentTooLong(url.length, MAX_ARGUMENT_CHARS));
    const keyboard = new InlineKeyboard().text(s.addButton, `${ADD_LINK_PREFIX}${links.remember(url)}`);
    await sendReply(ctx, { messages: [s.linkPrompt], keyboard });
  });

  composer.callbackQuery(new RegExp(`^${ADD_LINK_PREFIX}(.+)$`), async (ctx) => {
    const lang = userLanguage(ctx);
    const s = adminStrings(lang);
    if (!isAdmin(ctx, services)) return acknowledge(ctx, services, s.notAdmin);
    if (!services.library) return acknowledge(ctx, services, s.noLibrary);
    const url = links.url(ctx.match[1]);
    if (url === undefined) return acknowledge(ctx, services, s.staleLink);
    await acknowledge(ctx, services);
    // The button goes once pressed, so the link is not added twice by a double press.
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch((error: unknown) => {
      services.log.debug(`could not remove the add button (ignored): ${describeError(error)}`);
    });
    await addLink(ctx, services, services.library, url, lang);
  });

  return composer;
}
