/**
 * The durable inbox (issue 12): `trichdan bot` as a real process, killed with SIGKILL after it
 * fetched (and confirmed to Telegram) a burst of questions but before it could answer any; the
 * next start answers every one of them, once, in each chat's order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../helpers/postgres.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import type { Inbox, PendingUpdate } from '../../src/bot/inbox.ts';
import { silentLogger } from '../../src/bot/log.ts';
import { InboxStore } from '../../src/db/inbox-store.ts';
import { SqliteClient } from '../../src/db/sqlite-client.ts';
import { startBot } from '../../src/bot/run.ts';
import { strings } from '../../src/bot/strings.ts';
import { fakeArticle, fakeEngine } from '../bot/fake-engine.ts';
import { testConfig } from '../helpers/engine.ts';
import { startEmulator, waitFor, type Emulator } from './helpers/emulator.ts';
import { htmlToText } from './helpers/telegram-html.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = `424242424:${'Inbox_test-token'.repeat(2)}`;
const TOKEN_PG = `424242425:${'Inbox_test-token'.repeat(2)}`;
const QUESTIONS = [
  'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?',
  'Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?',
  'Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?',
  'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu gì?',
];
const CHATS = [5101, 5102, 5103, 5104, 5105];

/** A private-chat text update as an earlier run left it in the inbox (`date` in seconds). */
const message = (id: number, chat: number, text: string, date: number) => ({
  update_id: id,
  message: { message_id: id, date, text, chat: { id: chat, type: 'private' as const, first_name: 'A' }, from: { id: chat, is_bot: false, first_name: 'A', language_code: 'vi' } },
});

describe('durable inbox: nothing lost in a crash (issue 12)', () => {
  let emulator: Emulator;
  let work: string;
  beforeAll(async () => {
    emulator = await startEmulator({ acceptAll: true });
    work = mkdtempSync(path.join(tmpdir(), 'trichdan-inbox-'));
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function startProcess(token = TOKEN, database: Record<string, string> = { TRICHDAN_DB: path.join(work, 'trichdan.sqlite') }): {
    child: ChildProcess;
    stderr: () => string;
    exited: Promise<number | null>;
  } {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/trichdan.js'), 'bot'], {
      cwd: ROOT,
      env: {
        ...process.env,
        npm_lifecycle_event: '',
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
        TRICHDAN_INDEX_DIR: path.join(work, 'index'),
        TRICHDAN_MODELS_DIR: path.join(work, 'no-models'),
        TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
        TRICHDAN_LOG_LEVEL: 'info',
        TRICHDAN_RATE_LIMIT_PER_MINUTE: '100',
        ...database,
      },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, stderr: () => stderr, exited };
  }

  const pgUrl = inject('pgUrl') as string | null | undefined;
  const databases = [
    { name: 'sqlite', token: TOKEN, skip: null, env: async () => ({ TRICHDAN_DB: path.join(work, 'trichdan.sqlite') }) },
    {
      name: 'postgres',
      token: TOKEN_PG,
      skip: pgUrl ? null : ((inject('pgMissing') as string | null | undefined) ?? 'PostgreSQL tests skipped: no server was provided.'),
      // One replica here: what it left is taken over once it is a second old (120 s by default, for replicas).
      env: async () => ({ TRICHDAN_DATABASE_URL: await createDatabase(pgUrl!), TRICHDAN_INBOX_ORPHAN_SECONDS: '1', TRICHDAN_DB: path.join(work, 'unused.sqlite') }),
    },
  ];

  it.each(databases)('kill -9 after the questions were fetched and confirmed: the next start answers each once, in order ($name)', async ({ token: TOKEN, skip, env }) => {
    if (skip) return void console.log(skip);
    const database = await env();
    const first = startProcess(TOKEN, database);
    let second: ReturnType<typeof startProcess> | undefined;
    try {
      await waitFor(() => first.stderr().includes('is answering'), 60_000, 'the bot to start');
      const release = emulator.hold('sendMessage');
      let lastUpdateId = 0;
      for (const question of QUESTIONS) {
        for (const chat of CHATS) {
          const sent = await emulator.user(TOKEN, { userId: chat, languageCode: 'vi' }).sendText(question);
          lastUpdateId = sent.updateId;
        }
      }
      // The bot has asked for the updates after the last one: Telegram considers all of them delivered.
      await waitFor(
        () => emulator.callsOf('getUpdates').some((c) => c.token === TOKEN && Number(c.body.offset) > lastUpdateId),
        15_000,
        'the bot to confirm the burst',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      // The emulator hears that the killed process's connections closed a moment after the exit
      // (later on a busy machine); released before that, a parked reply would still go through.
      await new Promise((resolve) => setTimeout(resolve, 500));
      release(); // the replies on the wire died with the process
      for (const chat of CHATS) expect(emulator.botMessages(TOKEN, chat)).toHaveLength(0);

      second = startProcess(TOKEN, database);
      const total = QUESTIONS.length * CHATS.length;
      await waitFor(() => CHATS.every((chat) => emulator.botMessages(TOKEN, chat).length >= QUESTIONS.length), 60_000, 'every question answered');
      await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more comes
      expect(second.stderr()).toContain(`inbox: ${total} update(s) left unanswered by the previous run are answered now, 0 older get an apology`);
      const expected = ['994 hòm', '44/45 bộ hồ sơ', 'dioxin', 'Nhiệt đới'];
      for (const chat of CHATS) {
        const replies = emulator.botMessages(TOKEN, chat).map((m) => htmlToText(m.text));
        expect(replies).toHaveLength(QUESTIONS.length); // none twice
        replies.forEach((reply, i) => expect(reply).toContain(expected[i])); // each chat's order kept
      }
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGINT');
      if (second) await second.exited;
    }
  });

  it('an update Telegram delivers again is not handled twice, and polling moves past it', async () => {
    const token = `444444444:${'Inbox_redeliver-token'.repeat(2)}`;
    const known = new Set<number>();
    const doneIds: number[] = [];
    // The inbox already has every update of chat 5301 (as if a crashed run had fetched them).
    const inbox: Inbox = {
      receive: async (updates) => updates.filter((u) => u.message?.chat.id !== 5301 && !known.has(u.update_id)),
      done: async (id) => void doneIds.push(id),
      reserveReply: async () => {},
      renew: async () => {},
      pending: async () => [],
    };
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.apiRoot });
    const engine = fakeEngine([fakeArticle('a1', 'Dioxin', 'Dioxin ở sân bay Biên Hòa đã được xử lý.')]);
    const bot = createBot({ engine, config, log: silentLogger, inbox });
    const running = await startBot(bot, config, { mode: 'polling' });
    try {
      const again = await emulator.user(token, { userId: 5301 }).sendText('dioxin ở đâu?');
      // Alone in its batch, it is still confirmed (a batch filtered to nothing would be fetched forever).
      await waitFor(
        () => emulator.callsOf('getUpdates').some((c) => c.token === token && Number(c.body.offset) > again.updateId),
        5_000,
        'polling to move past the update delivered again',
      );
      const fresh = await emulator.user(token, { userId: 5302 }).sendText('dioxin ở đâu?');
      await waitFor(() => doneIds.includes(fresh.updateId), 10_000, 'the new update handled');
      expect(emulator.botMessages(token, 5301)).toHaveLength(0);
      expect(emulator.botMessages(token, 5302)).toHaveLength(1);
      expect(doneIds).not.toContain(again.updateId);
    } finally {
      await running.stop();
    }
  });

  it('a crash after the answer reached Telegram but before it was marked done: the restart writes the same message again, no second answer', async () => {
    const token = `454545454:${'Inbox_written-token'.repeat(2)}`;
    const sql = new SqliteClient(path.join(work, 'written.sqlite'));
    const store = new InboxStore(sql, 454545454);
    // The first run dies right after its reply: the update is never marked done.
    const crashing: Inbox = { receive: (u) => store.receive(u), done: async () => {}, reserveReply: (u, m) => store.reserveReply(u, m), renew: (ids) => store.renew(ids), pending: () => store.pending() };
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.apiRoot });
    const engine = fakeEngine([fakeArticle('a1', 'Dioxin', 'Dioxin ở sân bay Biên Hòa đã được xử lý.')]);
    const first = await startBot(createBot({ engine, config, log: silentLogger, inbox: crashing }), config, { mode: 'polling' });
    try {
      await emulator.user(token, { userId: 5401, languageCode: 'vi' }).sendText('dioxin ở đâu?');
      await waitFor(() => emulator.botMessages(token, 5401)[0], 10_000, 'the answer');
    } finally {
      await first.stop();
    }
    const answer = emulator.botMessages(token, 5401)[0];
    expect(htmlToText(answer.text)).toContain('Biên Hòa');

    const restarted = createBot({ engine, config, log: silentLogger, inbox: store });
    try {
      await restarted.bot.init();
      const edits = () => emulator.callsOf('editMessageText').filter((c) => c.token === token).length;
      const editsBefore = edits();
      const { answered, done } = await restarted.recover();
      await done;
      expect(answered).toBe(1);
      // Written into the same message (Telegram: "message is not modified"), not sent again.
      expect(edits()).toBe(editsBefore + 1);
      expect(emulator.allBotMessages(token, 5401)).toEqual([answer]);
      expect(await store.pending()).toEqual([]);
    } finally {
      await sql.close();
    }
  });

  it('a replayed question whose "searching…" message is gone (deleted) is answered in a new message; an old one is answered into its "searching…"', async () => {
    const token = `464646464:${'Inbox_slotgone-token'.repeat(2)}`;
    const now = Math.floor(Date.now() / 1000);
    // The crashed run had sent "searching…" to the old question (an earlier message in the emulator) …
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.apiRoot });
    const engine = fakeEngine([fakeArticle('a1', 'Dioxin', 'Dioxin ở sân bay Biên Hòa đã được xử lý.')]);
    const bot = createBot({ engine, config, log: silentLogger });
    await bot.bot.init();
    const searching = await bot.bot.api.sendMessage(5501, strings('vi').searching, { parse_mode: 'HTML' });
    const pending: PendingUpdate[] = [
      { update: message(9101, 5501, 'dioxin ở đâu?', now - 3600), receivedAt: Date.now(), replyMessageId: searching.message_id },
      // … and to the young one, a message that no longer exists.
      { update: message(9102, 5501, 'dioxin ở đâu?', now - 5), receivedAt: Date.now(), replyMessageId: 987_654 },
    ];
    const inbox: Inbox = { receive: async (u) => [...u], done: async () => {}, reserveReply: async () => {}, renew: async () => {}, pending: async () => pending };
    const restarted = createBot({ engine, config, log: silentLogger, inbox });
    await restarted.bot.init();
    const { done } = await restarted.recover();
    await done;
    const messages = emulator.allBotMessages(token, 5501);
    expect(messages).toHaveLength(2);
    // An hour old, but the user saw "searching…" (and it may already hold the answer): it gets the answer, not the apology.
    expect(messages[0].messageId).toBe(searching.message_id);
    expect(htmlToText(messages[0].text)).toContain('Biên Hòa');
    expect(htmlToText(messages[1].text)).toContain('Biên Hòa');
  });

  it('a question whose answer fails gets the apology in its "searching…" message, not a stale "searching…" and a second message', async () => {
    const token = `474747474:${'Inbox_failing-token'.repeat(2)}`;
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.apiRoot });
    const engine = fakeEngine([fakeArticle('a1', 'Dioxin', 'Dioxin ở sân bay Biên Hòa đã được xử lý.')]);
    engine.ask = async () => {
      throw new Error('disk I/O error');
    };
    const running = await startBot(createBot({ engine, config, log: silentLogger }), config, { mode: 'polling' });
    try {
      await emulator.user(token, { userId: 5601, languageCode: 'vi' }).sendText('dioxin ở đâu?');
      const [reply] = await waitFor(() => emulator.botMessages(token, 5601).length > 0 && emulator.botMessages(token, 5601), 10_000, 'the apology');
      expect(reply.text).toBe(strings('vi').internalError);
      expect(emulator.allBotMessages(token, 5601)).toHaveLength(1);
    } finally {
      await running.stop();
    }
  });

  it('a question whose answer fails after its "searching…" was deleted gets the apology as a new message', async () => {
    const token = `484848484:${'Inbox_failgone-token'.repeat(2)}`;
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.apiRoot });
    const engine = fakeEngine([fakeArticle('a1', 'Dioxin', 'Dioxin ở sân bay Biên Hòa đã được xử lý.')]);
    const bot = createBot({ engine, config, log: silentLogger });
    engine.ask = async () => {
      // The user deletes "searching…" while the engine works; then the engine fails.
      const [searching] = emulator.placeholders(token, 5701);
      await bot.bot.api.deleteMessage(5701, searching.messageId);
      throw new Error('disk I/O error');
    };
    const running = await startBot(bot, config, { mode: 'polling' });
    try {
      await emulator.user(token, { userId: 5701, languageCode: 'vi' }).sendText('dioxin ở đâu?');
      const [reply] = await waitFor(() => emulator.botMessages(token, 5701).length > 0 && emulator.botMessages(token, 5701), 10_000, 'the apology');
      expect(reply.text).toBe(strings('vi').internalError);
    } finally {
      await running.stop();
    }
  });

  it('a question older than a few minutes gets one short "please ask again" instead of an answer', async () => {
    const now = Math.floor(Date.now() / 1000);
    const pending: PendingUpdate[] = [
      { update: message(9001, 5201, 'dioxin ở đâu?', now - 3600), receivedAt: Date.now() - 3600_000 },
      { update: message(9002, 5202, 'dioxin ở đâu?', now - 10), receivedAt: Date.now() - 10_000 },
    ];
    const doneIds: number[] = [];
    const inbox: Inbox = { receive: async (u) => [...u], done: async (id) => void doneIds.push(id), reserveReply: async () => {}, renew: async () => {}, pending: async () => pending };
    const token = `434343434:${'Inbox_apology-token'.repeat(2)}`;
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.apiRoot });
    const engine = fakeEngine([fakeArticle('a1', 'Dioxin', 'Dioxin ở sân bay Biên Hòa đã được xử lý.')]);
    const bot = createBot({ engine, config, log: silentLogger, inbox });
    const running = await startBot(bot, config, { mode: 'polling' });
    try {
      await waitFor(() => doneIds.length === 2, 10_000, 'both handled');
      expect(emulator.botMessages(token, 5201).map((m) => m.text)).toEqual([strings('vi').restarted]);
      expect(htmlToText(emulator.botMessages(token, 5202)[0].text)).toContain('Biên Hòa');
    } finally {
      await running.stop();
    }
  });
});
