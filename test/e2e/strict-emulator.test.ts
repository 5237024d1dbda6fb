/**
 * The emulator's strict mode (on for the whole e2e suite): it refuses what Telegram refuses, so
 * a reply that Telegram would not deliver fails the tests instead of passing unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.ts';
import { silentLogger } from '../../src/bot/log.ts';
import { fakeEngine } from '../bot/fake-engine.ts';
import { testConfig } from '../helpers/engine.ts';
import { startEmulator, type Emulator } from './helpers/emulator.ts';
import { htmlToText } from './helpers/telegram-html.ts';

const TOKEN = '123456789:AAstrict-emulator-test-token-xxxxxxxxxx';

describe('strict emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  const call = async (method: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emulator.apiRoot}/bot${TOKEN}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { ok: boolean; error_code?: number; description?: string };
  };

  it('accepts a valid message and refuses what Telegram refuses, with a 400', async () => {
    expect((await call('sendMessage', { chat_id: 1, text: '<b>ok</b> &amp; fine', parse_mode: 'HTML' })).ok).toBe(true);
    const refused = [
      await call('sendMessage', { chat_id: 1, text: 'x'.repeat(4097) }),
      await call('sendMessage', { chat_id: 1, text: `<b>${'&amp;'.repeat(4097)}</b>`, parse_mode: 'HTML' }),
      await call('sendMessage', { chat_id: 1, text: '<b>unclosed', parse_mode: 'HTML' }),
      await call('sendMessage', { chat_id: 1, text: 'a & b', parse_mode: 'HTML' }),
      await call('sendMessage', { chat_id: 1, text: 'ok', reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'é'.repeat(33) }]] } }),
    ];
    for (const r of refused) expect(r).toMatchObject({ ok: false, error_code: 400 });
    expect(refused[2].description).toContain("can't parse entities");
    expect(refused[4].description).toContain('BUTTON_DATA_INVALID');
    expect(emulator.refused).toHaveLength(5);
    // 4096 characters after entity parsing is still fine, however long the HTML is.
    expect((await call('sendMessage', { chat_id: 1, text: '&amp;'.repeat(4096), parse_mode: 'HTML' })).ok).toBe(true);
  });

  it("the bot's last guard cuts a text over 4096 characters to one valid message instead of losing it", async () => {
    const config = testConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot });
    const { bot } = createBot({ engine: fakeEngine([]), config, log: silentLogger, botInfo: { ...emulator.botUser } as never });
    const before = emulator.refused.length;
    const long = `<blockquote expandable>${'Biên Hòa &amp; dioxin. '.repeat(400)}</blockquote>`;
    const sent = await bot.api.sendMessage(42, long, { parse_mode: 'HTML' });
    expect(htmlToText(sent.text ?? '').length).toBeLessThanOrEqual(4096);
    await bot.api.sendMessage(42, 'x '.repeat(3000));
    expect(emulator.refused.length).toBe(before);
  });

  it('can be switched off', async () => {
    const lax = await startEmulator({ strict: false });
    try {
      const res = await fetch(`${lax.apiRoot}/bot${TOKEN}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 1, text: 'x'.repeat(5000) }),
      });
      expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      await lax.stop();
    }
  });
});
