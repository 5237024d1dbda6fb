/**
 * The scheduler while the database is unreachable (issue 13), on both backends: a switchable
 * SqlClient in front of the real one plays a server that is down, then back.
 */
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult, SqlClient, SqlExecutor } from '../../src/db/sql.ts';
import { FakeClock } from '../../src/digest/clock.ts';
import { DigestComposer } from '../../src/digest/compose.ts';
import { Broadcaster } from '../../src/digest/delivery.ts';
import { DigestScheduler } from '../../src/digest/scheduler.ts';
import { DigestStore } from '../../src/digest/store.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';
import { FakeEngine, makeArticle } from './helpers/fake-engine.ts';

const defaults = { time: '07:30', zone: 'Asia/Ho_Chi_Minh', language: 'vi' as const };
/** 07:30 in Hanoi on 24 Nov 2026. */
const SLOT_24 = Date.parse('2026-11-24T00:30:00Z');

/** An SqlClient that fails every call like an unreachable server while `down`. */
class SwitchableClient implements SqlClient {
  down = false;
  constructor(private readonly inner: SqlClient) {}
  get dialect() {
    return this.inner.dialect;
  }
  get description() {
    return this.inner.description;
  }
  private check(): void {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
  async all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    this.check();
    return this.inner.all<T>(sql, params);
  }
  async get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    this.check();
    return this.inner.get<T>(sql, params);
  }
  async run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    this.check();
    return this.inner.run(sql, params);
  }
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.check();
    return this.inner.transaction(work);
  }
  async ping(): Promise<void> {
    this.check();
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe.each(testDatabases())('DigestScheduler with the database down on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  const schedulers: DigestScheduler[] = [];
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
    await clients.closeAll();
  });

  async function setUp() {
    const target = await url();
    const clock = new FakeClock(SLOT_24 - 60 * 60_000); // 06:30 in Hanoi: nothing due
    const client = new SwitchableClient(await clients.open(name, target));
    const store = new DigestStore(client, { clock });
    const engine = new FakeEngine([makeArticle({ id: 'a1', date: '2026-11-20' })]);
    const logs: string[] = [];
    const scheduler = new DigestScheduler({
      store,
      composer: new DigestComposer(engine, store),
      // Never called: nothing is due in these tests.
      broadcaster: new Broadcaster(new Api('1:never-used', { apiRoot: 'http://127.0.0.1:9' }), { perSecond: 25 }),
      engine,
      clock,
      graceMinutes: 180,
      tickMs: 3_600_000,
      log: (line) => logs.push(line),
    });
    schedulers.push(scheduler);
    return { client, store, clock, logs, scheduler };
  }

  it.skipIf(skip)(skip ?? 'a tick with the database down fails with one line naming it, and the next one works', async () => {
    const { client, store, logs, scheduler } = await setUp();
    await store.subscribe(1, defaults);
    client.down = true;
    await expect(scheduler.tick()).rejects.toThrow(/ECONNREFUSED/);
    client.down = false;
    expect(await scheduler.tick()).toMatchObject({ due: 0 });
    expect(await store.maxSeq()).toBe(1); // the registry was synced once the database was back
    expect(logs.filter((l) => l.includes('\n'))).toEqual([]);
  });

  (skip ? it.skip : it)(skip ?? 'retries the start-up recovery at the next tick when the database was down at start', async () => {
    const { client, store, clock, logs, scheduler } = await setUp();
    await store.subscribe(1, defaults);
    // A previous process died while composing yesterday's digest (its lease long gone on a shared database).
    await store.claim(1, '2026-11-23', new Date(SLOT_24 - 86_400_000));
    clock.advance(120_000);
    client.down = true;
    await scheduler.start();
    expect(logs.some((l) => l.startsWith('digest: recovery after restart failed: the database is unreachable'))).toBe(true);
    await expect.poll(() => logs.some((l) => l.startsWith('digest: tick failed: the database is unreachable'))).toBe(true); // start()'s own tick
    client.down = false;
    await scheduler.tick();
    expect(logs.some((l) => l.includes('1 interrupted digest(s) will be retried'))).toBe(true);
    expect(await store.getDelivery(1, '2026-11-23')).toMatchObject({ status: 'failed', lastError: 'interrupted before sending' });
  });
});
