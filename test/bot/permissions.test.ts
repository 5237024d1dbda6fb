import type { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { ChatAdmins } from '../../src/bot/permissions.ts';

/** An Api whose getChatMember answers from `statuses` (or throws for a missing user) and counts calls. */
function fakeApi(statuses: Record<number, string>) {
  const calls: number[] = [];
  const api = {
    async getChatMember(_chatId: number, userId: number) {
      calls.push(userId);
      if (!(userId in statuses)) throw new Error('Bad Request: user not found');
      return { status: statuses[userId], user: { id: userId } };
    },
  } as unknown as Api;
  return { api, calls };
}

describe('ChatAdmins', () => {
  it('knows creators and administrators, remembers the answer for the TTL, then asks again', async () => {
    let now = 0;
    const admins = new ChatAdmins(60_000, () => now);
    const { api, calls } = fakeApi({ 1: 'creator', 2: 'administrator', 3: 'member', 4: 'restricted' });
    expect(await admins.isAdmin(api, -1, 1)).toBe(true);
    expect(await admins.isAdmin(api, -1, 2)).toBe(true);
    expect(await admins.isAdmin(api, -1, 3)).toBe(false);
    expect(await admins.isAdmin(api, -1, 4)).toBe(false);
    expect(await admins.isAdmin(api, -1, 3)).toBe(false);
    expect(calls).toEqual([1, 2, 3, 4]);
    now = 61_000;
    expect(await admins.isAdmin(api, -1, 3)).toBe(false);
    expect(calls).toEqual([1, 2, 3, 4, 3]);
  });

  it('refuses when Telegram cannot tell, and asks again next time', async () => {
    const admins = new ChatAdmins();
    const { api, calls } = fakeApi({});
    expect(await admins.isAdmin(api, -1, 9)).toBe(false);
    expect(await admins.isAdmin(api, -1, 9)).toBe(false);
    expect(calls).toEqual([9, 9]);
  });
});
