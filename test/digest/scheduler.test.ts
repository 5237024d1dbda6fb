/**
 * The scheduler against a Bot API emulator on 127.0.0.1, through a real grammY Api: a fake
 * clock decides what time it is in each zone; pacing and flood-waits use real time.
 * (Composition runs on a small fake engine here; test/e2e/digest.test.ts uses the real one.)
 */
import { Bot } from 'grammy';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../src/db/sql.ts';
import { FakeClock } from '../../src/digest/clock.ts';
import { createDigest, type Digest } from '../../src/digest/extension.ts';
import { startEmulator, type Emulator } from '../e2e/helpers/emulator.ts';
import { telegramHtmlProblems } from '../e2e/helpers/telegram-html.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';
import { BLOCKED, startFaultProxy, tooManyRequests, type FaultProxy, type FaultRule } from './helpers/fault-proxy.ts';
import { FakeEngine, makeArticle } from './helpers/fake-engine.ts';

const TOKEN = '123456789:AAdigest-scheduler-test-token-xxxxxxxx';
const HCM = 'Asia/Ho_Chi_Minh';
const config = {
  dbPath: '',
  digest: { defaultTime: '07:30', defaultZone: HCM, graceMinutes: 180, broadcastPerSecond: 25 },
};
const vi = { time: '07:30', zone: HCM, language: 'vi' as const };
/** 07:30 in Hanoi on 24 Nov 2026. */
const SLOT_24 = Date.parse('2026-11-24T00:30:00Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** The store's default lease (createDigest without config.digest.leaseMs). */
const LEASE = 60_000;

describe.each(testDatabases())('DigestScheduler on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  let emulator: Emulator;
  /** The SQLite file, or the PostgreSQL URL. */
  let target: string;
  /** The connection of the running "process" (PostgreSQL); on SQLite the digest opens the file itself. */
  let client: SqlClient | undefined;
  let clock: FakeClock;
  let engine: FakeEngine;
  let digest: Digest;
  let proxy: FaultProxy | undefined;
  let logs: string[];

  beforeAll(async () => {
    if (skip) return;
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  beforeEach(async () => {
    if (skip) return;
    target = await url();
    clock = new FakeClock(SLOT_24 - 30 * MIN);
    engine = new FakeEngine([
      makeArticle({ id: 'a1', date: '2026-11-20', text: 'Hai bên bàn về xử lý dioxin tại Biên Hòa trong năm tới. Câu sau.' }),
      makeArticle({ id: 'a2', date: '2026-11-21' }),
    ]);
    logs = [];
    digest = await open();
  });
  afterEach(async () => {
    if (skip) return;
    await shutDown();
    await proxy?.stop();
    proxy = undefined;
    await clients.closeAll();
  });

  /**
   * Opens the digest on the database with a scheduler sending to `apiRoot` (a "process start"):
   * on SQLite the digest opens the file itself; on PostgreSQL it is given a new connection.
   */
  async function open(apiRoot = emulator.apiRoot, extra: Partial<Parameters<typeof createDigest>[0]> = {}): Promise<Digest> {
    client = name === 'postgres' ? await clients.open(name, target) : undefined;
    const d = createDigest({
      config: { ...config, dbPath: name === 'sqlite' ? target : '' },
      ...(client ? { database: client } : {}),
      engine,
      clock,
      log: (line) => logs.push(line),
      autoTick: false,
      scheduler: { retryDelayMs: 5 * MIN },
      ...extra,
    });
    d.startScheduler(new Bot(TOKEN, { client: { apiRoot } }).api, { autoTick: false });
    return d;
  }

  /** The process stops: the digest, and the connection it was given. */
  async function shutDown(): Promise<void> {
    await digest.close();
    await client?.close();
    client = undefined;
  }

  /** A simulated restart: stop everything, open the same database again. */
  async function restart(apiRoot?: string): Promise<void> {
    await shutDown();
    digest = await open(apiRoot);
  }

  const tick = () => digest.scheduler!.tick();
  const sentTo = (chatId: number) => emulator.botMessages(TOKEN, chatId);

  async function withProxy(rule: FaultRule): Promise<void> {
    proxy = await startFaultProxy(emulator.apiRoot, rule);
    await restart(proxy.apiRoot);
  }

  it.skipIf(skip)(skip ?? 'sends exactly one digest per day at local time, across a restart', async () => {
    await digest.store.subscribe(101, vi);
    await digest.store.subscribe(102, { ...vi, zone: 'Europe/Berlin' });

    clock.set(SLOT_24 - MIN); // 07:29 in Hanoi
    expect((await tick()).due).toBe(0);

    clock.set(SLOT_24); // 07:30 in Hanoi; 01:30 in Berlin
    const first = await tick();
    expect(first).toMatchObject({ due: 1, sent: 1 });
    expect(sentTo(101)).toHaveLength(1);
    expect(sentTo(102)).toHaveLength(0);
    expect(sentTo(101)[0].text).toContain('Bản tin trichdan ngày 24/11/2026');
    expect(sentTo(101)[0].parseMode).toBe('HTML');
    expect(telegramHtmlProblems(sentTo(101)[0].text)).toEqual([]);

    clock.set(SLOT_24 + MIN);
    expect((await tick()).due).toBe(0);
    await restart();
    clock.set(SLOT_24 + 5 * MIN);
    expect((await tick()).due).toBe(0);
    expect(sentTo(101)).toHaveLength(1);

    clock.set(Date.parse('2026-11-24T06:30:00Z')); // 07:30 in Berlin
    expect(await tick()).toMatchObject({ due: 1, sent: 1 });
    expect(sentTo(102)).toHaveLength(1);
    await restart();
    expect((await tick()).due).toBe(0);

    clock.set(SLOT_24 + DAY); // the next morning in Hanoi
    expect(await tick()).toMatchObject({ due: 1, sent: 1 });
    expect(sentTo(101)).toHaveLength(2);
    expect(sentTo(101)[1].text).toContain('25/11/2026');
    expect((await digest.store.deliveries(101)).map((d) => [d.slot, d.status])).toEqual([
      ['2026-11-24', 'sent'],
      ['2026-11-25', 'sent'],
    ]);
  });

  it.skipIf(skip)(skip ?? 'catches up a missed slot once within the grace window, and not after it', async () => {
    await digest.store.subscribe(201, vi);
    await shutDown(); // the bot is down at 07:30

    clock.set(SLOT_24 + 90 * MIN); // back at 09:00, 90 minutes late
    digest = await open();
    expect(await tick()).toMatchObject({ due: 1, sent: 1 });
    await restart();
    clock.set(SLOT_24 + 100 * MIN);
    expect((await tick()).due).toBe(0);
    expect(sentTo(201)).toHaveLength(1);

    // Down over the next morning for longer than the grace window (180 min): that day is skipped.
    await shutDown();
    clock.set(SLOT_24 + DAY + 181 * MIN);
    digest = await open();
    expect((await tick()).due).toBe(0);
    clock.set(SLOT_24 + 2 * DAY);
    expect(await tick()).toMatchObject({ due: 1, sent: 1 });
    expect(sentTo(201)).toHaveLength(2);
    expect((await digest.store.deliveries(201)).map((d) => d.slot)).toEqual(['2026-11-24', '2026-11-26']);
  });

  it.skipIf(skip)(skip ?? 'puts an article added between two digests in the next one, and only there', async () => {
    await digest.store.subscribe(301, vi);
    clock.set(SLOT_24);
    await tick();
    engine.add(
      makeArticle({ id: 'fresh', title: 'Bài mới về Biên Hòa', date: '2026-11-24', text: 'Dự án tẩy độc dioxin ở Biên Hòa bước sang giai đoạn hai. Hết.' }),
    );
    clock.set(SLOT_24 + DAY);
    await tick();
    clock.set(SLOT_24 + 2 * DAY);
    await tick();
    const [day1, day2, day3] = sentTo(301).map((m) => m.text);
    expect(day1).not.toContain('Bài mới về Biên Hòa');
    expect(day2).toContain('1 bài mới kể từ bản tin trước');
    expect(day2).toContain('Bài mới về Biên Hòa');
    expect(day2).toContain('Dự án tẩy độc dioxin ở Biên Hòa bước sang giai đoạn hai.');
    expect(day2).not.toContain('Bài a1');
    expect(day3).toContain('Không có bài mới kể từ bản tin trước.');
    expect(day3).not.toContain('Bài mới về Biên Hòa');
  });

  it.skipIf(skip)(skip ?? 'skips a day with nothing new when the chat asked for that', async () => {
    await digest.store.subscribe(401, vi);
    await digest.store.setSendEmpty(401, false);
    clock.set(SLOT_24);
    await tick();
    clock.set(SLOT_24 + DAY);
    expect(await tick()).toMatchObject({ due: 1, skipped: 1, sent: 0 });
    expect(sentTo(401)).toHaveLength(1);
    expect((await digest.store.getDelivery(401, '2026-11-25'))!.status).toBe('skipped');
    clock.set(SLOT_24 + DAY + MIN);
    expect((await tick()).due).toBe(0);
  });

  it.skipIf(skip)(skip ?? 'unsubscribes a chat that blocked the bot (403) after one attempt; others still get theirs', async () => {
    await withProxy(({ method, chatId }) => (method === 'sendMessage' && chatId === 502 ? BLOCKED : undefined));
    await digest.store.subscribe(501, vi);
    await digest.store.subscribe(502, vi);
    clock.set(SLOT_24);
    expect(await tick()).toMatchObject({ due: 2, sent: 1, gone: 1 });
    expect(proxy!.calls.filter((c) => c.chatId === 502)).toHaveLength(1);
    expect(await digest.store.getSubscriber(502)).toMatchObject({ active: false, deactivatedReason: 'blocked' });
    expect(await digest.store.getDelivery(502, '2026-11-24')).toMatchObject({ status: 'gave_up' });
    expect(sentTo(501)).toHaveLength(1);
    clock.set(SLOT_24 + DAY);
    expect(await tick()).toMatchObject({ due: 1, sent: 1 });
    expect(proxy!.calls.filter((c) => c.chatId === 502)).toHaveLength(1);
  });

  it.skipIf(skip)(skip ?? 'waits retry_after on a 429, then delivers the message once', async () => {
    let floods = 0;
    await withProxy(({ method, chatId }) =>
      method === 'sendMessage' && chatId === 601 && floods++ === 0 ? tooManyRequests(1) : undefined,
    );
    await digest.store.subscribe(601, vi);
    clock.set(SLOT_24);
    expect(await tick()).toMatchObject({ due: 1, sent: 1, failed: 0 });
    const calls = proxy!.calls.filter((c) => c.method === 'sendMessage' && c.chatId === 601);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1000);
    expect(sentTo(601)).toHaveLength(1);
    expect(logs.some((l) => l.includes('flood-wait 1 s'))).toBe(true);
  });

  it.skipIf(skip)(skip ?? 'retries a transient failure (5xx) on a later tick, a bounded number of times', async () => {
    await digest.store.subscribe(701, vi);
    emulator.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    clock.set(SLOT_24);
    expect(await tick()).toMatchObject({ due: 1, failed: 1, sent: 0 });
    expect(await digest.store.getDelivery(701, '2026-11-24')).toMatchObject({ status: 'failed', attempts: 1 });
    clock.set(SLOT_24 + MIN);
    expect((await tick()).due).toBe(0); // not yet: retry after 5 min
    clock.set(SLOT_24 + 5 * MIN);
    expect(await tick()).toMatchObject({ due: 1, sent: 1 });
    expect(sentTo(701)).toHaveLength(1);
    expect(await digest.store.getDelivery(701, '2026-11-24')).toMatchObject({ status: 'sent', attempts: 2 });

    await digest.store.unsubscribe(701);
    await digest.store.subscribe(702, vi);
    emulator.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' }, 3);
    clock.set(SLOT_24 + DAY);
    for (let i = 0; i < 6; i++) {
      await tick();
      clock.advance(15 * MIN);
    }
    expect(await digest.store.getDelivery(702, '2026-11-25')).toMatchObject({ status: 'gave_up', attempts: 3 });
    expect(sentTo(702)).toHaveLength(0);
  });

  it.skipIf(skip)(skip ?? 'resumes a long digest after the part that failed, without resending earlier parts', async () => {
    const long = Array.from({ length: 24 }, (_, i) =>
      makeArticle({
        id: `l${String(i).padStart(2, '0')}`,
        date: '2026-11-22',
        title: `Tiêu đề dài ${i} `.repeat(10),
        text: `${'Một câu mở đầu rất dài để bản tin phải chia thành nhiều tin nhắn '.repeat(4).trim()}. Hết.`,
      }),
    );
    await digest.store.subscribe(801, vi);
    clock.set(SLOT_24);
    await tick(); // first digest: latest five
    for (const a of long) engine.add(a);
    clock.set(SLOT_24 + DAY);
    let calls = 0;
    await withProxy(({ method }) => (method === 'sendMessage' && ++calls === 2 ? { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } } : undefined));
    expect(await tick()).toMatchObject({ failed: 1 });
    const d = (await digest.store.getDelivery(801, '2026-11-25'))!;
    expect(d.parts!.length).toBeGreaterThan(1);
    expect(d.partsSent).toBe(1);
    clock.set(SLOT_24 + DAY + 5 * MIN);
    expect(await tick()).toMatchObject({ sent: 1 });
    const texts = sentTo(801).slice(1).map((m) => m.text);
    expect(texts).toEqual(d.parts);
    for (const t of texts) expect(telegramHtmlProblems(t)).toEqual([]);
  });

  it.skipIf(skip)(skip ?? 'never sends a digest twice after a crash in the middle of sending it', async () => {
    await digest.store.subscribe(901, vi);
    clock.set(SLOT_24);
    // Simulate a process that claimed the slot and had a message on the wire when it died.
    const claim = (await digest.store.claim(901, '2026-11-24', new Date(SLOT_24)))!;
    await digest.store.saveComposition(claim.id, ['<b>x</b>'], 2);
    await digest.store.markInFlight(claim.id);
    // On a shared database a claim is recovered once its lease has run out (the dead process renews it no more).
    if (name === 'postgres') clock.advance(LEASE + 1);
    await restart();
    expect((await tick()).due).toBe(0); // the first tick recovers (start() does, with auto ticks)
    expect(logs.some((l) => l.includes('1 cut short (not resent)'))).toBe(true);
    expect(sentTo(901)).toHaveLength(0);
  });
});

/**
 * Several bot replicas on one PostgreSQL database, each with its own connection, store (replica
 * id) and scheduler, sending through one Bot API. (One process per SQLite file: the bot lock.)
 */
describe.each(testDatabases())('DigestScheduler replicas on $name', ({ name, skip, url }) => {
  const reason = skip ?? (name === 'sqlite' ? 'replicas share a PostgreSQL database; an SQLite file has one process (the bot lock)' : null);
  const clients = sqlClients();
  let emulator: Emulator;
  let target: string;
  let clock: FakeClock;
  let engine: FakeEngine;
  const digests: Digest[] = [];

  beforeAll(async () => {
    if (reason) return;
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    if (reason) return;
    target = await url();
    clock = new FakeClock(SLOT_24 - 30 * MIN);
    engine = new FakeEngine([makeArticle({ id: 'a1', date: '2026-11-20' }), makeArticle({ id: 'a2', date: '2026-11-21' })]);
  });
  afterEach(async () => {
    for (const d of digests.splice(0)) await d.close();
    await clients.closeAll();
  });

  /** A replica starts: its own connection, store and scheduler. */
  async function replica(apiRoot = emulator.apiRoot, logs: string[] = []): Promise<Digest> {
    const d = createDigest({
      config: { ...config, dbPath: '' },
      database: await clients.open('postgres', target),
      engine,
      clock,
      log: (line) => logs.push(line),
      autoTick: false,
      scheduler: { retryDelayMs: 5 * MIN },
    });
    d.startScheduler(new Bot(TOKEN, { client: { apiRoot } }).api, { autoTick: false });
    digests.push(d);
    return d;
  }
  const sentTo = (chatId: number) => emulator.botMessages(TOKEN, chatId);

  it.skipIf(reason)(reason ?? 'replicas ticking at the same moment send each chat its digest exactly once', async () => {
    const [a, b, c] = [await replica(), await replica(), await replica()];
    const chats = Array.from({ length: 24 }, (_, i) => 1100 + i);
    for (const chat of chats) await a.store.subscribe(chat, vi);
    clock.set(SLOT_24);
    const reports = await Promise.all([a, b, c].map((d) => d.scheduler!.tick()));
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(chats.length);
    expect(reports.reduce((n, r) => n + r.failed, 0)).toBe(0);
    for (const chat of chats) expect(sentTo(chat)).toHaveLength(1);
    expect(await a.store.deliveryCounts()).toMatchObject({ sent: chats.length, pending: 0 });
    expect(await a.store.heartbeat(90_000)).toBe(3); // every replica beat at its tick

    clock.set(SLOT_24 + 5 * MIN);
    const again = await Promise.all([a, b, c].map((d) => d.scheduler!.tick()));
    expect(again.map((r) => r.due)).toEqual([0, 0, 0]);
    for (const chat of chats) expect(sentTo(chat)).toHaveLength(1);
  });

  it.skipIf(reason)(reason ?? "a replica takes over a dead replica's digest once its lease ran out, and sends only the parts not sent", async () => {
    const dead = await replica();
    const survivor = await replica();
    await dead.store.subscribe(1201, vi);
    clock.set(SLOT_24);
    // The dead replica had claimed and composed a three-part digest and sent the first part when it died.
    const claim = (await dead.store.claim(1201, '2026-11-24', new Date(SLOT_24)))!;
    await dead.store.saveComposition(claim.id, ['<b>một</b>', '<b>hai</b>', '<b>ba</b>'], 2);
    expect(await dead.store.markInFlight(claim.id)).toBe(true);
    await dead.store.recordPartSent(claim.id, 77);

    clock.set(SLOT_24 + LEASE / 2);
    await survivor.scheduler!.recover(); // a replica starting now leaves a live claim alone
    expect((await survivor.scheduler!.tick()).due).toBe(0);
    expect(await survivor.store.getDelivery(1201, '2026-11-24')).toMatchObject({ status: 'pending', claimedBy: dead.store.replicaId });

    clock.set(SLOT_24 + LEASE + 1);
    expect(await survivor.scheduler!.tick()).toMatchObject({ due: 1, sent: 1, messages: 2 });
    expect(sentTo(1201).map((m) => m.text)).toEqual(['<b>hai</b>', '<b>ba</b>']);
    expect(await survivor.store.getDelivery(1201, '2026-11-24')).toMatchObject({
      status: 'sent',
      partsSent: 3,
      claimedBy: survivor.store.replicaId,
    });
    expect(await dead.store.markInFlight(claim.id)).toBe(false); // had it only hung: it may send no more
  });
});
