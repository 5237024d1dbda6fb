/**
 * Who may change a group's settings: in groups and supergroups, the digest's settings and the
 * live-news commands belong to the chat's administrators (Telegram's getChatMember, remembered
 * for a minute so a burst of commands makes one call); in private chats the user owns the chat.
 */
import type { Api, Context } from 'grammy';
import type { Language } from '../text/language.ts';

/** How long an answer of getChatMember is trusted, in milliseconds. */
export const CHAT_ADMIN_TTL_MS = 60_000;
/** Members remembered at most (the oldest go first). */
const CACHE_LIMIT = 10_000;

/** The one-line refusal a group member gets for a command that needs an administrator. */
export function groupAdminOnly(lang: Language): string {
  return lang === 'en'
    ? 'Sorry, in a group only its administrators can use this command.'
    : 'Xin lỗi, trong nhóm chỉ quản trị viên mới dùng được lệnh này.';
}

/** Answers "is this user an administrator of this chat?", with a short cache. */
export class ChatAdmins {
  private readonly cache = new Map<string, { admin: boolean; until: number }>();

  constructor(
    private readonly ttlMs: number = CHAT_ADMIN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * True in private chats; in groups, for the chat's creator and administrators, and for a
   * message sent as the group itself (an anonymous administrator). False for channels, for
   * updates without a sender, and when Telegram cannot tell (the error is not cached).
   */
  async allows(ctx: Context): Promise<boolean> {
    const chat = ctx.chat;
    if (!chat) return false;
    if (chat.type === 'private') return true;
    if (chat.type === 'channel') return false;
    if (ctx.msg?.sender_chat?.id === chat.id) return true;
    const userId = ctx.from?.id;
    if (userId === undefined) return false;
    return this.isAdmin(ctx.api, chat.id, userId);
  }

  /** Whether `userId` administers `chatId`, from the cache or getChatMember. */
  async isAdmin(api: Api, chatId: number, userId: number): Promise<boolean> {
    const key = `${chatId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.admin;
    let admin: boolean;
    try {
      const member = await api.getChatMember(chatId, userId);
      admin = member.status === 'creator' || member.status === 'administrator';
    } catch {
      return false;
    }
    this.cache.delete(key);
    this.cache.set(key, { admin, until: this.now() + this.ttlMs });
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return admin;
  }
}
