/**
 * A Bot API emulator for end-to-end tests: `telegram-test-api` on 127.0.0.1 and a free port,
 * with what the tests need on top of it:
 *
 * - long polling (`getUpdates` waits for an update up to its `timeout`, and honours `limit`), so a
 *   bot polling it does not spin;
 * - a log of every Bot API call the bot makes (method, body, time), including rejected ones;
 * - `acceptAll`: answer `ok` to methods the package does not implement (sendChatAction,
 *   setMyCommands, …) instead of its error; by default they fail, as the package ships;
 * - `failNext(method, …)`: make the next call(s) of a method fail (429 with retry_after, 500, 403);
 * - users that send text (with `bot_command` and `mention` entities computed as Telegram does),
 *   media, edited messages (`edited_message` updates), forwarded messages, button presses and
 *   inline queries (`answerInlineQuery` is answered `ok` and read back from the call log), in
 *   private chats or groups;
 * - webhooks that carry the `X-Telegram-Bot-Api-Secret-Token` header given to setWebhook;
 * - getChatMember: a group's administrators are set with `setChatAdmins`, everyone else is a member;
 * - strict mode (on by default): calls that Telegram would refuse (text over 4096 characters,
 *   invalid HTML, callback_data over 64 bytes) are refused with a 400 and listed in `refused`.
 *
 * Used by the bot's and the digest's e2e tests.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import type { Message, MessageEntity, Update } from 'grammy/types';
import { TEXT_LIMIT, telegramHtmlProblems } from './telegram-html.ts';
import { strings } from '../../../src/bot/strings.ts';

/** The bot's "searching…" messages, which its answers replace (src/bot/reply-slot.ts). */
const SEARCHING = new Set([strings('vi').searching, strings('en').searching]);

/** A Bot API call received by the emulator. */
export interface ApiCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  /** `now()` when the request arrived. */
  at: number;
}

/** A message the bot sent, as the emulator keeps it (edits applied). */
export interface BotMessage {
  messageId: number;
  chatId: number;
  text: string;
  parseMode?: string;
  /** Inline keyboard buttons, row by row. */
  buttons: { text: string; callback_data?: string; url?: string }[][];
  replyToMessageId?: number;
  /** `now()` when it was sent. */
  at: number;
  /** `now()` when it was last edited, if it was. */
  editedAt?: number;
}

/** An update a user sent, with the time it arrived at the emulator. */
export interface SentUpdate {
  updateId: number;
  messageId?: number;
  at: number;
}

/** Options for `startEmulator`. */
export interface EmulatorOptions {
  /** Answer `{ ok: true, result: true }` to methods the package does not implement. Default false. */
  acceptAll?: boolean;
  /**
   * Refuse what Telegram refuses, with its 400 "Bad Request": message texts over 4096 characters
   * (after HTML parsing), invalid HTML in parse mode HTML, empty texts, `callback_data` over 64
   * bytes, callback-query answers over 200 characters. Default true (the whole e2e suite runs
   * strict); refused calls are listed in `Emulator.refused`.
   */
  strict?: boolean;
}

/** Who sends, and where. */
export interface UserOptions {
  userId?: number;
  firstName?: string;
  username?: string;
  /** Telegram's `language_code` of the user (e.g. `en`, `vi`); none by default. */
  languageCode?: string;
  /** Default: a private chat with the user (chat id = user id). */
  chat?: { id: number; type: 'private' | 'group' | 'supergroup'; title?: string };
}

/** The parts of express the emulator touches (express has no types installed here). */
interface Request {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  on(event: 'close', listener: () => void): void;
  off(event: 'close', listener: () => void): void;
}
interface Response {
  closed: boolean;
  status(code: number): Response;
  json(body: unknown): void;
}
type NextFunction = () => void;
interface Express {
  use(path: string, handler: (req: Request, res: Response, next: NextFunction) => void): void;
  all(path: string, handler: (req: Request, res: Response) => void): void;
}

/** Wall-clock milliseconds with sub-millisecond precision (comparable across the test and the emulator). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

interface ServerInternals {
  webServer: Express;
  updateId: number;
  messageId: number;
  callbackId: number;
  webhooks: Record<string, { url: string; secret_token?: string }>;
  storage: {
    userMessages: ({ botToken: string; updateId: number; isRead: boolean } & Record<string, unknown>)[];
    botMessages: {
      botToken: string;
      messageId: number;
      updateId: number;
      time: number;
      /** Set by the emulator's wrapper of addBotMessage: `now()` when the bot's message arrived. */
      at?: number;
      editedAt?: number;
      message: Record<string, unknown>;
    }[];
  };
  addUserMessage(message: Record<string, unknown>): Promise<void>;
  addUserCallback(query: Record<string, unknown>): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<boolean>;
  on(event: string, listener: () => void): void;
  off(event: string, listener: () => void): void;
  emit(event: string): void;
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Entities Telegram would compute: a leading `/command[@bot]` and `@username` mentions. */
export function computeEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const m of text.matchAll(/(^|[^A-Za-z0-9_/])(@[A-Za-z0-9_]{4,32})/g)) {
    entities.push({ type: 'mention', offset: (m.index ?? 0) + m[1].length, length: m[2].length });
  }
  return entities;
}

/** A running emulator. */
export class Emulator {
  /** Every Bot API call, in arrival order. */
  readonly calls: ApiCall[] = [];
  /** Calls refused in strict mode, with Telegram's description of why. */
  readonly refused: (ApiCall & { description: string })[] = [];
  /** The bot's user as getMe returns it in `telegram-test-api`. */
  readonly botUser = { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' } as const;
  private readonly failures = new Map<string, Record<string, unknown>[]>();
  private readonly rawUpdates: { token: string; update: Update; isRead: boolean }[] = [];
  private readonly internals: ServerInternals;

  constructor(
    readonly server: TelegramServer,
    readonly port: number,
    readonly options: EmulatorOptions,
  ) {
    this.internals = server as unknown as ServerInternals;
    this.extendRoutes();
    this.signWebhooks();
    this.timeBotMessages();
  }

  /** `TELEGRAM_API_ROOT` for the bot. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Methods whose calls are parked until released (see `hold`). */
  private readonly held = new Map<string, { res: Response; next: NextFunction }[]>();

  /**
   * Parks every call of `method` until the returned function is called; then the calls whose
   * client is still connected go through, and those of a client that died meanwhile (kill -9)
   * are dropped, as Telegram never got them.
   */
  hold(method: string): () => void {
    this.held.set(method, []);
    return () => {
      const parked = this.held.get(method) ?? [];
      this.held.delete(method);
      for (const { res, next } of parked) if (!res.closed) next();
    };
  }

  /** The administrators of each group (for getChatMember); everyone else is a plain member. */
  private readonly chatAdmins = new Map<number, Set<number>>();

  /** Makes `userIds` the administrators of group `chatId` (the first one its creator), as getChatMember reports them. */
  setChatAdmins(chatId: number, userIds: readonly number[]): void {
    this.chatAdmins.set(chatId, new Set(userIds));
  }

  /** Makes the next `times` calls of `method` fail with `response` (e.g. a 429 with retry_after). */
  failNext(method: string, response: { error_code: number; description: string; parameters?: Record<string, unknown> }, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ ok: false, ...response });
    this.failures.set(method, queue);
  }

  /** A user who sends to the bot with `token`. */
  user(token: string, options: UserOptions = {}): EmulatedUser {
    return new EmulatedUser(this, token, options);
  }

  /**
   * The messages the bot has sent, optionally only to one chat, oldest first, as the user sees
   * them once answered: a "searching…" message its answer has not (yet) replaced is left out
   * (`placeholders` lists those).
   */
  botMessages(token: string, chatId?: number): BotMessage[] {
    return this.allBotMessages(token, chatId).filter((m) => !SEARCHING.has(m.text));
  }

  /** The bot's "searching…" messages that no answer has replaced (yet). */
  placeholders(token: string, chatId?: number): BotMessage[] {
    return this.allBotMessages(token, chatId).filter((m) => SEARCHING.has(m.text));
  }

  /** Every message the bot has sent, "searching…" ones included. */
  allBotMessages(token: string, chatId?: number): BotMessage[] {
    return this.internals.storage.botMessages
      .filter((m) => m.botToken === token && (chatId === undefined || Number(m.message.chat_id) === chatId))
      .map((m) => {
        const markup = m.message.reply_markup as { inline_keyboard?: BotMessage['buttons'] } | undefined;
        const reply = m.message.reply_parameters as { message_id?: number } | undefined;
        return {
          messageId: m.messageId,
          chatId: Number(m.message.chat_id),
          text: String(m.message.text ?? ''),
          parseMode: m.message.parse_mode as string | undefined,
          buttons: markup?.inline_keyboard ?? [],
          replyToMessageId: reply?.message_id,
          at: m.at ?? m.time,
          ...(m.editedAt !== undefined ? { editedAt: m.editedAt } : {}),
        };
      });
  }

  /** The answerInlineQuery calls for one inline query id: its results and options. */
  inlineAnswers(queryId: string): { results: Record<string, unknown>[]; body: Record<string, unknown> }[] {
    return this.callsOf('answerInlineQuery')
      .filter((c) => String(c.body.inline_query_id) === queryId)
      .map((c) => {
        const raw = c.body.results;
        const results = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>[];
        return { results, body: c.body };
      });
  }

  /** The calls of one Bot API method. */
  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Stops the server (and its long polls). */
  async stop(): Promise<void> {
    this.internals.emit('EmulatorStopping');
    await this.internals.stop();
  }

  /** Adds an update that the package cannot make (edited messages): delivered by getUpdates or the webhook. */
  async pushRawUpdate(token: string, make: (updateId: number) => Update): Promise<number> {
    const updateId = this.internals.updateId++;
    const update = make(updateId);
    const webhook = this.internals.webhooks[token];
    if (webhook) await postWebhook(webhook, update);
    else this.rawUpdates.push({ token, update, isRead: false });
    this.internals.emit('AddedRawUpdate');
    return updateId;
  }

  /** The next message id the emulator will give out (shared by user and bot messages). */
  takeMessageId(): number {
    return this.internals.messageId++;
  }

  /** Inserts the emulator's own routes before the package's, right after its body parsers. */
  private extendRoutes(): void {
    const app = this.internals.webServer;
    const router = (app as unknown as { _router: { stack: { name: string; route?: unknown }[] } })._router;
    const before = router.stack.length;

    app.use('/bot:token/:method', (req: Request, res: Response, next: NextFunction) => this.intercept(req, res, next));
    app.all('/bot:token/getUpdates', (req: Request, res: Response) => {
      void this.getUpdates(req, res);
    });

    const added = router.stack.splice(before);
    const at = router.stack.findIndex((layer) => layer.name === 'requestLogger') + 1;
    router.stack.splice(at, 0, ...added);
  }

  /** Logs the call, applies injected failures, and answers the methods the package lacks (if asked). */
  private intercept(req: Request, res: Response, next: NextFunction): void {
    const method = String(req.params.method);
    const token = String(req.params.token);
    const body = { ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) };
    this.calls.push({ method, token, body, at: now() });
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      res.status(Number(failure.error_code) >= 500 ? 500 : 200).json(failure);
      return;
    }
    const parked = this.held.get(method);
    if (parked) {
      parked.push({ res, next });
      return;
    }
    if (method === 'getChatMember') {
      const chatId = Number(body.chat_id);
      const userId = Number(body.user_id);
      const admins = [...(this.chatAdmins.get(chatId) ?? [])];
      const status = admins[0] === userId ? 'creator' : admins.includes(userId) ? 'administrator' : 'member';
      res.json({ ok: true, result: { status, user: { id: userId, is_bot: false, first_name: `User ${userId}` } } });
      return;
    }
    const refusal = this.options.strict === false ? undefined : strictProblem(method, body);
    if (refusal) {
      const description = `Bad Request: ${refusal}`;
      this.refused.push({ ...this.calls[this.calls.length - 1], description });
      res.status(400).json({ ok: false, error_code: 400, description });
      return;
    }
    const editRefusal = method === 'editMessageText' && this.options.strict !== false ? this.editProblem(token, body) : undefined;
    if (editRefusal) {
      // What Telegram answers too, and what a bot must expect (not a malformed call: not in `refused`).
      res.status(400).json({ ok: false, error_code: 400, description: `Bad Request: ${editRefusal}` });
      return;
    }
    if (method === 'answerInlineQuery') {
      // Not in the package: the results are read from `calls` (see `inlineAnswers`).
      res.json({ ok: true, result: true });
      return;
    }
    if (this.options.acceptAll && !IMPLEMENTED.has(method)) {
      res.json({ ok: true, result: true });
      return;
    }
    next();
  }

  /** getUpdates with long polling and `limit`. */
  private async getUpdates(req: Request, res: Response): Promise<void> {
    const token = String(req.params.token);
    const params = { ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) };
    const limit = Math.max(1, Math.min(100, Number(params.limit ?? 100)));
    const timeoutMs = Math.max(0, Math.min(50, Number(params.timeout ?? 0))) * 1000;
    const deadline = Date.now() + timeoutMs;
    let updates = this.takeUpdates(token, limit);
    while (updates.length === 0 && Date.now() < deadline && !res.closed) {
      await this.nextUpdate(deadline - Date.now(), req);
      updates = this.takeUpdates(token, limit);
    }
    if (res.closed) {
      // The bot gave up on this poll (it is stopping): put the updates back.
      for (const u of updates) this.unread(u.update_id);
      return;
    }
    res.json({ ok: true, result: updates });
  }

  private takeUpdates(token: string, limit: number): Update[] {
    const stored = this.internals.storage.userMessages
      .filter((u) => u.botToken === token && !u.isRead)
      .map((u) => ({ id: u.updateId, mark: () => (u.isRead = true), format: () => formatStored(u) }));
    const raw = this.rawUpdates
      .filter((u) => u.token === token && !u.isRead)
      .map((u) => ({ id: u.update.update_id, mark: () => (u.isRead = true), format: () => u.update }));
    return [...stored, ...raw]
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((u) => {
        u.mark();
        return u.format();
      });
  }

  private unread(updateId: number): void {
    for (const u of this.internals.storage.userMessages) if (u.updateId === updateId) u.isRead = false;
    for (const u of this.rawUpdates) if (u.update.update_id === updateId) u.isRead = false;
  }

  private nextUpdate(ms: number, req: Request): Promise<void> {
    return new Promise((resolve) => {
      const events = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery', 'AddedRawUpdate', 'EmulatorStopping'];
      const done = () => {
        clearTimeout(timer);
        for (const e of events) this.internals.off(e, done);
        req.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const e of events) this.internals.on(e, done);
      req.on('close', done);
    });
  }

  /** Why Telegram would refuse this edit: no such message of the bot's, or nothing would change. */
  private editProblem(token: string, body: Record<string, unknown>): string | undefined {
    const stored = this.internals.storage.botMessages.find(
      (m) => m.botToken === token && String(m.messageId) === String(body.message_id) && String(m.message.chat_id) === String(body.chat_id),
    );
    if (!stored) return 'message to edit not found';
    const markup = (value: unknown) => JSON.stringify(typeof value === 'string' ? JSON.parse(value) : (value ?? null));
    if (String(stored.message.text ?? '') === String(body.text ?? '') && markup(stored.message.reply_markup) === markup(body.reply_markup)) {
      return 'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
    }
    return undefined;
  }

  /** Stamps each message the bot sends with a precise arrival time. */
  private timeBotMessages(): void {
    const internals = this.internals as unknown as { addBotMessage(raw: unknown, token: string): unknown };
    const original = internals.addBotMessage.bind(internals);
    internals.addBotMessage = (raw, token) => {
      const at = now();
      const result = original(raw, token);
      const stored = this.internals.storage.botMessages;
      stored[stored.length - 1].at = at;
      return result;
    };
    const edits = this.internals as unknown as { editMessageText(raw: { chat_id: unknown; message_id: unknown }): void };
    const originalEdit = edits.editMessageText.bind(edits);
    edits.editMessageText = (raw) => {
      originalEdit(raw);
      const edited = this.internals.storage.botMessages.find(
        (m) => String(m.messageId) === String(raw.message_id) && String(m.message.chat_id) === String(raw.chat_id),
      );
      if (edited) edited.editedAt = now();
    };
  }

  /** Webhook deliveries with the secret-token header (the package sends none). */
  private signWebhooks(): void {
    const internals = this.internals as unknown as {
      addUserUpdate(update: Record<string, unknown> & { botToken: string }): Promise<void>;
      webhooks: ServerInternals['webhooks'];
      updateId: number;
      storage: ServerInternals['storage'];
    };
    const original = internals.addUserUpdate.bind(internals);
    const counters = internals as unknown as { messageId: number };
    internals.addUserUpdate = async (update) => {
      const webhook = internals.webhooks[update.botToken];
      if (!webhook) return original(update);
      // Telegram numbers updates (and messages) one by one, also when several are sent at once;
      // the package counts only once the webhook has answered, so concurrent sends shared one id.
      update.updateId = internals.updateId++;
      if (update.messageId !== undefined) update.messageId = counters.messageId++;
      await postWebhook(webhook, formatStored(update));
    };
  }
}

/** Telegram's limits on `callback_data` (bytes) and on a callback-query answer's text (characters). */
const CALLBACK_DATA_LIMIT = 64;
const CALLBACK_ANSWER_LIMIT = 200;

/** What Telegram would refuse in this call, or undefined when it would accept it. */
export function strictProblem(method: string, body: Record<string, unknown>): string | undefined {
  if (['sendMessage', 'editMessageText'].includes(method) && body.text !== undefined) {
    const text = String(body.text);
    if (body.parse_mode === 'HTML') {
      const problems = telegramHtmlProblems(text);
      if (problems.length) return `can't parse entities: ${problems[0]}`;
    } else if (text.trim() === '') return 'message text is empty';
    else if (text.length > TEXT_LIMIT) return 'message is too long';
  }
  if (method === 'answerCallbackQuery' && typeof body.text === 'string' && body.text.length > CALLBACK_ANSWER_LIMIT) {
    return 'MESSAGE_TOO_LONG';
  }
  let markup = body.reply_markup;
  if (typeof markup === 'string') {
    try {
      markup = JSON.parse(markup) as unknown;
    } catch {
      return "can't parse reply keyboard markup JSON object";
    }
  }
  const rows = (markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
  if (Array.isArray(rows)) {
    for (const button of rows.flat() as { callback_data?: unknown }[]) {
      if (typeof button?.callback_data === 'string' && Buffer.byteLength(button.callback_data, 'utf8') > CALLBACK_DATA_LIMIT) {
        return 'BUTTON_DATA_INVALID';
      }
    }
  }
  return undefined;
}

/** Methods `telegram-test-api` implements itself. */
const IMPLEMENTED = new Set([
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'deleteMessage',
  'answerCallbackQuery',
  'getMe',
  'getUpdates',
  'setWebhook',
  'deleteWebhook',
]);

/** Formats a stored user update the way the package does, dropping its bookkeeping fields. */
function formatStored(u: Record<string, unknown>): Update {
  const { botToken: _t, ...rest } = ((u.callbackQuery ?? u.message) ?? {}) as Record<string, unknown>;
  if (u.callbackQuery) {
    return {
      update_id: u.updateId as number,
      callback_query: {
        id: String(u.callbackId),
        from: rest.from,
        message: rest.message,
        chat_instance: '1',
        data: rest.data,
      },
    } as Update;
  }
  return { update_id: u.updateId as number, message: { ...rest, message_id: u.messageId } } as Update;
}

async function postWebhook(webhook: { url: string; secret_token?: string }, update: Update): Promise<void> {
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(webhook.secret_token ? { 'x-telegram-bot-api-secret-token': webhook.secret_token } : {}),
    },
    body: JSON.stringify(update),
  });
  await response.arrayBuffer();
  if (response.status > 204) throw new Error(`webhook answered ${response.status}`);
}

/** A Telegram user talking to the bot through the emulator. */
export class EmulatedUser {
  /** Updates sent, in order, with their arrival time at the emulator. */
  readonly sent: SentUpdate[] = [];

  constructor(
    readonly emulator: Emulator,
    readonly token: string,
    readonly options: UserOptions,
  ) {}

  get userId(): number {
    return this.options.userId ?? 1001;
  }

  get chatId(): number {
    return this.options.chat?.id ?? this.userId;
  }

  private from() {
    return {
      id: this.userId,
      is_bot: false,
      first_name: this.options.firstName ?? 'Lan',
      username: this.options.username ?? `user${this.userId}`,
      ...(this.options.languageCode ? { language_code: this.options.languageCode } : {}),
    };
  }

  private chat() {
    const chat = this.options.chat;
    if (!chat || chat.type === 'private') return { id: this.chatId, type: 'private' as const, first_name: this.from().first_name };
    return { id: chat.id, type: chat.type, title: chat.title ?? 'Nhóm đọc báo' };
  }

  private internals(): ServerInternals {
    return this.emulator.server as unknown as ServerInternals;
  }

  /** Sends a message (text and/or other fields such as `sticker`); returns its message id. */
  async send(fields: Partial<Message> & Record<string, unknown>): Promise<SentUpdate> {
    const internals = this.internals();
    const updateId = internals.updateId;
    const messageId = internals.messageId;
    const at = now();
    await internals.addUserMessage({
      botToken: this.token,
      from: this.from(),
      chat: this.chat(),
      date: Math.floor(Date.now() / 1000),
      ...fields,
    });
    const sent = { updateId, messageId, at };
    this.sent.push(sent);
    return sent;
  }

  /** Sends a text message, with the entities Telegram would compute. */
  sendText(text: string, extra: Partial<Message> = {}): Promise<SentUpdate> {
    const entities = computeEntities(text);
    return this.send({ text, ...(entities.length ? { entities } : {}), ...extra });
  }

  /** Sends a text that replies to one of the bot's messages. */
  replyTo(botMessage: BotMessage, text: string): Promise<SentUpdate> {
    return this.sendText(text, {
      reply_to_message: {
        message_id: botMessage.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat(),
        from: { ...this.emulator.botUser },
        text: botMessage.text,
      } as Message['reply_to_message'],
    });
  }

  /** Edits an earlier message: an `edited_message` update. */
  async editText(messageId: number, text: string): Promise<SentUpdate> {
    const at = now();
    const entities = computeEntities(text);
    const updateId = await this.emulator.pushRawUpdate(this.token, (update_id) => ({
      update_id,
      edited_message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000) - 5,
        edit_date: Math.floor(Date.now() / 1000),
        chat: this.chat(),
        from: this.from(),
        text,
        ...(entities.length ? { entities } : {}),
      } as Update['edited_message'],
    }));
    const sent = { updateId, messageId, at };
    this.sent.push(sent);
    return sent;
  }

  /** Types `@bot query` in any chat: an `inline_query` update. Returns the update and the query id. */
  async inlineQuery(query: string): Promise<SentUpdate & { queryId: string }> {
    const at = now();
    const queryId = `iq${this.userId}-${Math.round(at)}-${Math.random().toString(36).slice(2, 8)}`;
    const updateId = await this.emulator.pushRawUpdate(this.token, (update_id) => ({
      update_id,
      inline_query: { id: queryId, from: this.from(), query, offset: '', chat_type: 'sender' },
    }));
    const sent = { updateId, at, queryId };
    this.sent.push(sent);
    return sent;
  }

  /** Forwards a text written by someone else (a channel post) to the bot. */
  forwardText(text: string, from = { title: 'Tin nhanh 24h', id: -1001234 }): Promise<SentUpdate> {
    const date = Math.floor(Date.now() / 1000) - 3600;
    return this.send({
      text,
      forward_origin: {
        type: 'channel',
        chat: { id: from.id, type: 'channel', title: from.title },
        message_id: 77,
        date,
      },
    } as Partial<Message> & Record<string, unknown>);
  }

  /** Presses an inline button of a bot message (or any callback data, to test stale buttons). */
  async press(botMessage: Pick<BotMessage, 'messageId' | 'text'>, data: string): Promise<SentUpdate> {
    const internals = this.internals();
    const updateId = internals.updateId;
    const at = now();
    await internals.addUserCallback({
      botToken: this.token,
      from: this.from(),
      message: {
        message_id: botMessage.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat(),
        from: { ...this.emulator.botUser },
        text: botMessage.text,
      },
      data,
    });
    const sent = { updateId, at };
    this.sent.push(sent);
    return sent;
  }
}

/** Starts `telegram-test-api` on 127.0.0.1 and a free port, with the extensions above. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = new TelegramServer({ host: '127.0.0.1', port, storeTimeout: 24 * 3600 });
    const emulator = new Emulator(server, port, options);
    try {
      await server.start();
      return emulator;
    } catch (error) {
      if (attempt >= 4 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

/** Waits until `check` returns a value (not undefined/false), polling every 10 ms; throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
