import { describe, expect, it } from 'vitest';
import type { Message, UserFromGetMe } from 'grammy/types';
import { addressedQuestion, isAddressedToBot, parseCommand } from '../../src/bot/groups.ts';
import { computeEntities } from '../e2e/helpers/emulator.ts';

const me = { id: 666, is_bot: true, first_name: 'Trích dẫn', username: 'trichdan_bot' } as UserFromGetMe;
const group = { id: -100, type: 'supergroup', title: 'Nhóm' } as const;
const msg = (text: string, extra: Partial<Message> = {}): Message =>
  ({ message_id: 1, date: 0, chat: group, from: { id: 1, is_bot: false, first_name: 'Lan' }, text, entities: computeEntities(text), ...extra }) as Message;

describe('groups', () => {
  it('treats every private text as a question', () => {
    expect(addressedQuestion(msg('dioxin?', { chat: { id: 1, type: 'private', first_name: 'Lan' } }), me)).toBe('dioxin?');
  });

  it('keeps quiet in groups unless mentioned or replied to', () => {
    expect(addressedQuestion(msg('dioxin ở Biên Hòa?'), me)).toBeNull();
    expect(addressedQuestion(msg('@someone_else dioxin?'), me)).toBeNull();
    expect(addressedQuestion(msg('@Trichdan_Bot dioxin ở Biên Hòa?'), me)).toBe('dioxin ở Biên Hòa?');
    expect(addressedQuestion(msg('dioxin @trichdan_bot ở đâu?'), me)).toBe('dioxin ở đâu?');
    const reply = msg('còn Nga thì sao?', { reply_to_message: { message_id: 5, date: 0, chat: group, from: me } as unknown as Message['reply_to_message'] });
    expect(addressedQuestion(reply, me)).toBe('còn Nga thì sao?');
  });

  it('sees stickers addressed to the bot only in private chats or replies', () => {
    const sticker = { message_id: 1, date: 0, chat: group, sticker: {} } as unknown as Message;
    expect(isAddressedToBot(sticker, me)).toBe(false);
    expect(isAddressedToBot({ ...sticker, chat: { id: 1, type: 'private', first_name: 'Lan' } } as Message, me)).toBe(true);
  });

  it('parses commands with and without the bot username', () => {
    expect(parseCommand('/ask@trichdan_bot  dioxin?', me)).toEqual({ command: 'ask', args: 'dioxin?', forMe: true });
    expect(parseCommand('/HELP', me)).toEqual({ command: 'help', args: '', forMe: true });
    expect(parseCommand('/help@other_bot', me)?.forMe).toBe(false);
    expect(parseCommand('/etc/passwd là gì', me)).toBeNull();
    expect(parseCommand('không phải lệnh', me)).toBeNull();
  });
});
