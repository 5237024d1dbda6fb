/**
 * How an update's answer reaches Telegram once, also across a crash.
 *
 * The Bot API has no idempotent send: if the process dies after Telegram accepted a reply but
 * before the inbox marked the update done, a restart cannot tell whether the reply arrived. So a
 * question's answer is not sent, it is written into a message reserved for it: a short
 * "searching…" message is sent first and its id recorded in the inbox, and the answer then
 * edits that message. Editing is idempotent, so a replay after a crash edits the same message
 * again instead of sending the answer a second time. What remains is the few milliseconds
 * between sending "searching…" and recording it: a crash there leaves a stale "searching…"
 * message, never a second answer.
 *
 * The inbox middleware (create-bot.ts) registers the hooks for each update; the reply code
 * (reply.ts) reserves, fills and marks through them.
 */
import type { Context } from 'grammy';

/** What the inbox knows and does for one update's reply. */
export interface ReplyHooks {
  /** Marks the update done in the inbox. */
  answered: () => Promise<void>;
  /** Records in the inbox the message the answer will be written into. */
  reserve: (messageId: number) => Promise<void>;
  /** The reserved message: by this run, or by the run that crashed (replayed updates). */
  slot?: number;
}

const replies = new WeakMap<object, ReplyHooks>();

/** Registers the inbox's hooks for the update `ctx` carries (the bot's inbox middleware). */
export function trackReply(ctx: Context, hooks: ReplyHooks): void {
  replies.set(ctx.update, hooks);
}

/** Says the update is answered: its (last) reply message was accepted by Telegram. */
export async function markAnswered(ctx: Context): Promise<void> {
  await replies.get(ctx.update)?.answered();
}

/** Whether the update already has a message reserved for its answer. */
export function hasSlot(ctx: Context): boolean {
  return replies.get(ctx.update)?.slot !== undefined;
}

/** Remembers (and records in the inbox) the message reserved for the update's answer. */
export async function reserveSlot(ctx: Context, messageId: number): Promise<void> {
  const hooks = replies.get(ctx.update);
  if (!hooks) return; // not reached: createBot's first middleware registers hooks for every update, inbox or not
  hooks.slot = messageId;
  await hooks.reserve(messageId);
}

/** Takes the reserved message for the answer: the next reply writes into it, later ones are sent anew. */
export function takeSlot(ctx: Context): number | undefined {
  const hooks = replies.get(ctx.update);
  const slot = hooks?.slot;
  if (hooks) delete hooks.slot;
  return slot;
}
