/**
 * "This update is answered": the moment its reply has reached Telegram. The inbox marks the
 * update done then, not when the handler's remaining work ends, so a crash right after the
 * reply does not answer the question a second time after the restart.
 */
import type { Context } from 'grammy';

const hooks = new WeakMap<object, () => Promise<void>>();

/** What to do once the update `ctx` carries is answered (set by the bot's inbox middleware). */
export function onAnswered(ctx: Context, hook: () => Promise<void>): void {
  hooks.set(ctx.update, hook);
}

/** Says the update is answered: its (last) reply message was accepted by Telegram. */
export async function markAnswered(ctx: Context): Promise<void> {
  await hooks.get(ctx.update)?.();
}
