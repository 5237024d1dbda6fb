import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/digest/clock.ts';
import { MIGRATIONS } from '../../src/db/migrations.ts';
import { PostgresClient } from '../../src/db/postgres-client.ts';
import { POSTGRES_MIGRATIONS } from '../../src/db/postgres-migrations.ts';
import { SqliteClient } from '../../src/db/sqlite-client.ts';
import { DigestStore, DigestStoreError, type DigestStoreOptions } from '../../src/digest/store.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { freePort } from '../helpers/postgres.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';
import { makeArticle } from './helpers/fake-engine.ts';

const defaults = { time: '07:30', zone: 'Asia/Ho_Chi_Minh', language: 'vi' as const };
const LEASE = 60_000;

const userVersion = (store: DigestStore) => (store.sql as SqliteClient).db.pragma('user_version', { simple: true });

describe('DigestStore on an SQLite file', () => {
  let dir: string;
  let file: string;
  let clock: FakeClock;
  let store: DigestStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trichdan-store-'));
    file = path.join(dir, 'nested', 'digest.sqlite');
    clock = new FakeClock('2026-11-24T00:00:00Z');
    store = new DigestStore(file, { clock, maxTopics: 3 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file (and its folder) in WAL mode with foreign keys, at the latest schema version', async () => {
    expect(store.sql.dialect).toBe('sqlite');
    expect(store.shared).toBe(false);
    const db = (store.sql as SqliteClient).db;
    expect(userVersion(store)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    await store.close();
    expect(db.open).toBe(false); // a store given a file path closes its own connection
    store = new DigestStore(file, { clock }); // reopening applies nothing twice
    expect(userVersion(store)).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer version, saying what to do', async () => {
    await store.close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new DigestStore(file)).toThrow(DigestStoreError);
    expect(() => new DigestStore(file)).toThrow(/newer than this trichdan knows/);
    store = new DigestStore(':memory:');
  });

  it('leaves a client it was given open when it closes', async () => {
    const client = new SqliteClient(path.join(dir, 'shared.sqlite'));
    const shared = new DigestStore(client, { clock });
    await shared.subscribe(1, defaults);
    await shared.close();
    expect(client.db.open).toBe(true);
    expect(await client.get<{ n: number }>('SELECT COUNT(*) AS n FROM subscribers')).toEqual({ n: 1 });
    await client.close();
  });
});

describe('DigestStore on a PostgreSQL database', () => {
  const pgDb = testDatabases().find((d) => d.name === 'postgres')!;
  const clients = sqlClients();
  afterEach(() => clients.closeAll());

  it.skipIf(pgDb.skip)(pgDb.skip ?? 'migrates a fresh database once, also when replicas open it together', async () => {
    const url = await pgDb.url();
    const [a, b] = (await Promise.all([clients.open('postgres', url), clients.open('postgres', url)])) as PostgresClient[];
    expect(await a.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    expect(await b.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    const store = new DigestStore(a);
    expect(store.shared).toBe(true);
    await store.subscribe(1, defaults);
    await store.close(); // the client was given: it stays open
    expect(await a.get<{ n: number }>('SELECT COUNT(*) AS n FROM subscribers')).toEqual({ n: 1 });
    const again = (await clients.open('postgres', url)) as PostgresClient; // reopening applies nothing twice
    expect(await again.get<{ n: number }>('SELECT COUNT(*) AS n FROM schema_migrations')).toEqual({ n: POSTGRES_MIGRATIONS.length });
  });

  it.skipIf(pgDb.skip)(pgDb.skip ?? 'refuses a database from a newer version, saying what to do', async () => {
    const url = await pgDb.url();
    const first = await clients.open('postgres', url);
    await first.run('INSERT INTO schema_migrations (version) VALUES (?)', [POSTGRES_MIGRATIONS.length + 1]);
    const opening = PostgresClient.open(url);
    await expect(opening).rejects.toThrow(DigestStoreError);
    await expect(opening).rejects.toThrow(/newer than this trichdan knows/);
  });

  it.skipIf(pgDb.skip)(pgDb.skip ?? 'says in one line when the server cannot be reached', async () => {
    const url = await pgDb.url();
    const dead = new URL(url);
    dead.port = String(await freePort());
    await expect(PostgresClient.open(dead.href)).rejects.toThrow(/^the database postgres:\/\/.* \(TRICHDAN_DATABASE_URL\) cannot be reached/);
  });
});

describe.each(testDatabases())('DigestStore on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  let target: string;
  let clock: FakeClock;
  let store: DigestStore;

  /** A store on the test's database through a connection of its own (a process, or a replica). */
  const open = async (options: DigestStoreOptions = {}) => new DigestStore(await clients.open(name, target), { clock, maxTopics: 3, ...options });
  /** A process ends: its store and its connection close. */
  const closeStore = async (s: DigestStore) => {
    await s.close();
    await s.sql.close();
  };

  beforeEach(async () => {
    if (skip) return;
    target = await url();
    clock = new FakeClock('2026-11-24T00:00:00Z');
    store = await open();
  });
  afterEach(() => clients.closeAll());

  describe.skipIf(skip)(skip ?? 'one replica', () => {
    it('subscribes, changes settings and unsubscribes', async () => {
      const first = await store.subscribe(1, defaults);
      expect(first.wasActive).toBe(false);
      expect(first.subscriber).toMatchObject({ active: true, time: '07:30', zone: 'Asia/Ho_Chi_Minh', sendEmpty: true, seenSeq: null });
      expect(first.subscriber.scheduleFrom.toISOString()).toBe('2026-11-24T00:00:00.000Z');

      clock.advance(60_000);
      expect((await store.subscribe(1, defaults)).wasActive).toBe(true);
      expect((await store.getSubscriber(1))!.scheduleFrom.toISOString()).toBe('2026-11-24T00:00:00.000Z'); // unchanged
      await store.subscribe(1, defaults, '06:00');
      expect(await store.getSubscriber(1)).toMatchObject({ time: '06:00' });
      expect((await store.getSubscriber(1))!.scheduleFrom.toISOString()).toBe('2026-11-24T00:01:00.000Z');

      await store.setZone(1, 'Europe/Berlin');
      await store.setLanguage(1, 'en');
      await store.setSendEmpty(1, false);
      expect(await store.getSubscriber(1)).toMatchObject({ zone: 'Europe/Berlin', language: 'en', sendEmpty: false });

      expect(await store.unsubscribe(1)).toBe(true);
      expect(await store.unsubscribe(1)).toBe(false);
      expect(await store.getSubscriber(1)).toMatchObject({ active: false, deactivatedReason: 'unsubscribed' });
      expect(await store.activeSubscribers()).toEqual([]);
    });

    it('keeps chat ids beyond 32 bits (supergroups) as numbers', async () => {
      const chat = -1001234567890;
      await store.subscribe(chat, defaults);
      expect((await store.getSubscriber(chat))!.chatId).toBe(chat);
      expect((await store.activeSubscribers()).map((s) => s.chatId)).toEqual([chat]);
      const claim = (await store.claim(chat, 's', clock.now()))!;
      expect(claim.chatId).toBe(chat);
      expect(typeof claim.id).toBe('number');
    });

    it('follows topics case-insensitively, with a limit', async () => {
      await store.ensureChat(5, defaults);
      expect(await store.follow(5, 'Dioxin')).toBe('added');
      expect(await store.follow(5, 'dioxin')).toBe('exists');
      expect(await store.follow(5, 'Nga')).toBe('added');
      expect(await store.follow(5, 'hợp tác quốc phòng')).toBe('added');
      expect(await store.follow(5, 'Mỹ')).toBe('limit');
      expect(await store.topics(5)).toEqual(['Dioxin', 'Nga', 'hợp tác quốc phòng']);
      expect(await store.unfollow(5, 'DIOXIN')).toBe(true);
      expect(await store.unfollow(5, 'dioxin')).toBe(false);
      expect(await store.unfollow(5, 'HỢP TÁC QUỐC PHÒNG')).toBe(true);
      expect(await store.topics(5)).toEqual(['Nga']);
    });

    it('takes "hoà" and "hòa" as one topic (tone-mark placement does not matter)', async () => {
      await store.ensureChat(5, defaults);
      expect(await store.follow(5, 'Biên Hoà')).toBe('added');
      expect(await store.follow(5, 'biên hòa')).toBe('exists');
      expect(await store.topics(5)).toEqual(['Biên Hoà']);
      expect(await store.unfollow(5, 'BIÊN HÒA')).toBe(true);
      expect(await store.topics(5)).toEqual([]);
    });

    it('claims a slot once; UNIQUE(chat_id, slot) holds across reopening the database', async () => {
      await store.subscribe(1, defaults);
      const at = new Date('2026-11-24T00:30:00Z');
      const claim = (await store.claim(1, '2026-11-24', at))!;
      expect(claim).toMatchObject({ status: 'pending', attempts: 1, parts: null, partsSent: 0 });
      expect(claim).toMatchObject({ claimedBy: store.replicaId, leaseUntil: new Date(clock.now().getTime() + LEASE) });
      expect(await store.claim(1, '2026-11-24', at)).toBeUndefined();
      await closeStore(store);
      store = await open();
      expect(await store.claim(1, '2026-11-24', at)).toBeUndefined();
      expect(await store.claim(1, '2026-11-25', at)).toBeDefined();
    });

    it('records parts, finishes, and moves the chat cursor to what the digest covered', async () => {
      await store.subscribe(1, defaults);
      const claim = (await store.claim(1, '2026-11-24', new Date()))!;
      await store.saveComposition(claim.id, ['a', 'b'], 7);
      await store.saveComposition(claim.id, ['x'], 9); // only the first composition counts
      expect(await store.markInFlight(claim.id)).toBe(true);
      await store.recordPartSent(claim.id, 101);
      expect(await store.markInFlight(claim.id)).toBe(true);
      await store.recordPartSent(claim.id, 102);
      await store.finish(claim.id, 'sent');
      expect(await store.getDelivery(1, '2026-11-24')).toMatchObject({
        status: 'sent',
        parts: ['a', 'b'],
        throughSeq: 7,
        partsSent: 2,
        messageIds: [101, 102],
      });
      expect((await store.getSubscriber(1))!.seenSeq).toBe(7);
      expect(await store.markInFlight(claim.id)).toBe(false); // finished: nothing more may be sent
    });

    it('re-claims a failed slot only once its retry time has come; a final failure is never claimed', async () => {
      await store.subscribe(1, defaults);
      const claim = (await store.claim(1, 's1', new Date()))!;
      await store.fail(claim.id, '500: Internal', new Date(clock.now().getTime() + 60_000));
      expect(await store.claim(1, 's1', new Date())).toBeUndefined();
      clock.advance(60_000);
      const again = (await store.claim(1, 's1', new Date()))!;
      expect(again).toMatchObject({ status: 'pending', attempts: 2 });
      await store.fail(again.id, '400: Bad Request');
      expect((await store.getDelivery(1, 's1'))!.status).toBe('gave_up');
      clock.advance(3_600_000);
      expect(await store.claim(1, 's1', new Date())).toBeUndefined();
    });

    it('after a crash, retries digests not yet on the wire and never resends one that was', async () => {
      await store.subscribe(1, defaults);
      await store.subscribe(2, defaults);
      const composing = (await store.claim(1, 's', new Date()))!;
      const sending = (await store.claim(2, 's', new Date()))!;
      await store.saveComposition(sending.id, ['p1', 'p2'], 3);
      await store.markInFlight(sending.id);
      await closeStore(store);
      // On a shared database recovery touches only claims whose lease ran out (the crashed
      // process renews it no more); on an SQLite file every pending claim is the dead process's.
      if (name === 'postgres') clock.advance(LEASE + 1);
      store = await open();
      expect(await store.recoverInterrupted()).toEqual({ retried: 1, abandoned: 1 });
      expect(await store.getDelivery(1, 's')).toMatchObject({ id: composing.id, status: 'failed' });
      expect(await store.getDelivery(2, 's')).toMatchObject({ status: 'gave_up', partsSent: 0 });
      expect(await store.claim(1, 's', new Date())).toMatchObject({ status: 'pending', attempts: 2 });
      expect(await store.claim(2, 's', new Date())).toBeUndefined();
    });

    it('registers articles in order of first sight, oldest first on the first sync', async () => {
      const a = makeArticle({ id: 'a', date: '2026-11-01' });
      const b = makeArticle({ id: 'b', date: '2026-11-02' });
      // Engine order is newest first.
      expect(await store.syncArticles([b, a])).toEqual({ added: ['a', 'b'], changed: [], removed: [] });
      expect(await store.maxSeq()).toBe(2);
      expect(await store.syncArticles([b, a])).toEqual({ added: [], changed: [], removed: [] });

      const c = makeArticle({ id: 'c', date: '2026-10-01' }); // an older article added later is still new
      const b2 = { ...b, contentHash: 'edited' };
      expect(await store.syncArticles([b2, c])).toEqual({ added: ['c'], changed: ['b'], removed: ['a'] });
      expect((await store.articlesAfter(2)).map((r) => r.articleId)).toEqual(['c']);
      expect((await store.articlesAfter(0)).map((r) => r.articleId)).toEqual(['b', 'c']); // a was removed
      expect((await store.syncArticles([b2, c, a])).changed).toEqual(['a']); // back, keeps its number
      expect((await store.articlesAfter(0, 1)).map((r) => r.articleId)).toEqual(['a']);
    });

    it('syncs without removals when told (a replica whose list may lag; the registry marks removals: test/library/registry.test.ts)', async () => {
      const a = makeArticle({ id: 'a', date: '2026-11-01' });
      const b = makeArticle({ id: 'b', date: '2026-11-02' });
      await store.syncArticles([b, a]);
      expect(await store.syncArticles([b], { removals: false })).toEqual({ added: [], changed: [], removed: [] });
      expect((await store.articlesAfter(0)).map((r) => r.articleId)).toEqual(['a', 'b']);
      expect((await store.articlesAfter(0))[1]).toMatchObject({ seq: 2, title: b.title, contentHash: b.contentHash });
    });

    it('looks up the log rows of many chats at once, and counts them by status', async () => {
      for (const chat of [1, 2, 3]) await store.subscribe(chat, defaults);
      const one = (await store.claim(1, 'd1', clock.now()))!;
      await store.claim(2, 'd1', clock.now());
      await store.claim(1, 'd2', clock.now());
      await store.finish(one.id, 'sent');
      const found = await store.deliveriesForSlots([
        { chatId: 1, slot: 'd1' },
        { chatId: 2, slot: 'd1' },
        { chatId: 3, slot: 'd1' },
      ]);
      expect(found.get('1|d1')).toMatchObject({ status: 'sent' });
      expect(found.get('2|d1')).toMatchObject({ status: 'pending' });
      expect(found.has('3|d1')).toBe(false);
      expect(await store.deliveryCounts()).toEqual({ pending: 2, sent: 1, skipped: 0, failed: 0, gave_up: 0 });
      expect((await store.deliveries(1)).map((d) => d.slot)).toEqual(['d1', 'd2']);
    });

    /** Writes a topic row as an older trichdan did: the key was the lower-cased topic. */
    const oldTopic = (chat: number, topic: string, at: string) =>
      store.sql.run('INSERT INTO topics (chat_id, topic, topic_key, created_at) VALUES (?, ?, ?, ?)', [chat, topic, topic.toLowerCase(), at]);

    it('re-keys topics an older trichdan keyed apart ("hoà"/"hòa"), merging duplicates into the one followed first', async () => {
      await store.ensureChat(5, defaults);
      await store.ensureChat(6, defaults);
      await store.ensureChat(7, defaults);
      await oldTopic(5, 'hòa bình', '2026-11-01T00:00:00.000Z'); // canonical placement: its old key is already right
      await oldTopic(5, 'Dioxin', '2026-11-02T00:00:00.000Z');
      await oldTopic(5, 'Hoà Bình', '2026-11-03T00:00:00.000Z'); // the same topic, other tone placement
      await oldTopic(6, 'Biên Hoà', '2026-11-01T00:00:00.000Z'); // alone: only re-keyed
      // Both old keys differ from the new one (composed and decomposed "à").
      await oldTopic(7, 'Thanh Hoà', '2026-11-01T00:00:00.000Z');
      await oldTopic(7, 'Thanh Hoa\u0300', '2026-11-02T00:00:00.000Z');
      expect(await store.topics(5)).toEqual(['hòa bình', 'Dioxin', 'Hoà Bình']);

      expect(await store.rekeyTopics()).toBe(2);
      expect(await store.topics(5)).toEqual(['hòa bình', 'Dioxin']);
      expect(await store.topics(6)).toEqual(['Biên Hoà']);
      expect(await store.topics(7)).toEqual(['Thanh Hoà']);
      expect(await store.follow(5, 'HOÀ BÌNH')).toBe('exists');
      expect(await store.follow(6, 'biên hòa')).toBe('exists');
      expect(await store.unfollow(7, 'thanh hòa')).toBe(true);
      expect(await store.rekeyTopics()).toBe(0); // nothing left to change
    });

    // The topic followed first has an outdated key ("Hoà" → 'hoà') and a later duplicate already has the new one.
    it('keeps the first-followed topic also when a later duplicate already has the new key', async () => {
      await store.ensureChat(5, defaults);
      await oldTopic(5, 'Hoà', '2026-11-01T00:00:00.000Z');
      await oldTopic(5, 'hòa', '2026-11-02T00:00:00.000Z');
      expect(await store.rekeyTopics()).toBe(1);
      expect(await store.topics(5)).toEqual(['Hoà']);
    });
  });

  describe.skipIf(skip)(skip ?? 'replicas sharing the database', () => {
    it('of two replicas claiming the same slots at once, exactly one wins each', async () => {
      const a = await open({ replicaId: 'a' });
      const b = await open({ replicaId: 'b' });
      for (const chat of [1, 2, 3]) await a.subscribe(chat, defaults);
      const at = clock.now();
      const race = async (slot: string) => {
        const claims = await Promise.all(
          Array.from({ length: 12 }, (_, i) => [1, 2, 3].map((chat) => (i % 2 ? a : b).claim(chat, slot, at))).flat(),
        );
        return claims.filter((c) => c !== undefined);
      };
      const won = await race('d1');
      expect(won.map((c) => c.chatId).sort()).toEqual([1, 2, 3]);
      for (const c of won) expect(await a.getDelivery(c.chatId, 'd1')).toMatchObject({ claimedBy: c.claimedBy, attempts: 1 });

      // A failed digest due for its retry: again one winner.
      for (const c of won) await a.fail(c.id, '502: Bad Gateway', clock.now());
      const retried = await race('d1');
      expect(retried.map((c) => c.chatId).sort()).toEqual([1, 2, 3]);
      expect(retried.every((c) => c.attempts === 2)).toBe(true);

      // Claims whose lease ran out (their replica died): taken over by one.
      clock.advance(LEASE + 1);
      const taken = await race('d1');
      expect(taken.map((c) => c.chatId).sort()).toEqual([1, 2, 3]);
      expect(await a.deliveryCounts()).toMatchObject({ pending: 3 });
    });

    it('takes over a claim whose lease ran out and resumes after the parts sent; the old owner may send no more', async () => {
      const a = await open({ replicaId: 'a', leaseMs: 10_000 });
      const b = await open({ replicaId: 'b', leaseMs: 10_000 });
      await a.subscribe(1, defaults);
      const claim = (await a.claim(1, 'd1', clock.now()))!;
      await a.saveComposition(claim.id, ['p1', 'p2', 'p3'], 4);
      expect(await a.markInFlight(claim.id)).toBe(true);
      await a.recordPartSent(claim.id, 501);
      // Every message renews the lease: B cannot take it while A makes progress.
      clock.advance(9_000);
      expect(await b.claim(1, 'd1', clock.now())).toBeUndefined();
      expect(await a.markInFlight(claim.id)).toBe(true);
      await a.recordPartSent(claim.id, 502);
      clock.advance(9_000);
      expect(await b.claim(1, 'd1', clock.now())).toBeUndefined();

      // A stops making progress (it died, or hangs): once its lease has run out B takes over.
      clock.advance(1_001);
      const taken = (await b.claim(1, 'd1', clock.now()))!;
      expect(taken).toMatchObject({
        id: claim.id,
        status: 'pending',
        claimedBy: 'b',
        parts: ['p1', 'p2', 'p3'],
        throughSeq: 4,
        partsSent: 2,
        messageIds: [501, 502],
        attempts: 1,
        leaseUntil: new Date(clock.now().getTime() + 10_000),
      });
      expect(await a.markInFlight(claim.id)).toBe(false); // A comes back: not its claim any more
      expect(await a.claim(1, 'd1', clock.now())).toBeUndefined();
      expect(await b.markInFlight(claim.id)).toBe(true);
      await b.recordPartSent(claim.id, 503);
      await b.finish(claim.id, 'sent');
      expect(await a.getDelivery(1, 'd1')).toMatchObject({ status: 'sent', partsSent: 3, messageIds: [501, 502, 503] });
      expect((await a.getSubscriber(1))!.seenSeq).toBe(4);
    });

    it('gives up a claim whose replica died with a message on the wire, once its lease ran out', async () => {
      const a = await open({ replicaId: 'a' });
      const b = await open({ replicaId: 'b' });
      await a.subscribe(1, defaults);
      const claim = (await a.claim(1, 'd1', clock.now()))!;
      await a.saveComposition(claim.id, ['p1', 'p2'], 4);
      expect(await a.markInFlight(claim.id)).toBe(true);
      clock.advance(LEASE - 1);
      expect(await b.claim(1, 'd1', clock.now())).toBeUndefined();
      expect(await b.getDelivery(1, 'd1')).toMatchObject({ status: 'pending', claimedBy: 'a' }); // alive: left alone
      clock.advance(2);
      expect(await b.claim(1, 'd1', clock.now())).toBeUndefined();
      const row = (await b.getDelivery(1, 'd1'))!;
      expect(row).toMatchObject({ status: 'gave_up', partsSent: 0 });
      expect(row.lastError).toMatch(/stopped while a message was being sent/);
      expect(await a.markInFlight(claim.id)).toBe(false);
      clock.advance(LEASE * 10);
      expect(await b.claim(1, 'd1', clock.now())).toBeUndefined(); // never resent
    });

    it(
      name === 'postgres'
        ? 'recovers at start only the claims whose lease ran out: a live replica keeps its own'
        : 'recovers at start every claim left pending (one process per SQLite file)',
      async () => {
        const live = await open({ replicaId: 'live' });
        const starting = await open({ replicaId: 'starting' });
        await live.subscribe(1, defaults);
        await live.subscribe(2, defaults);
        await live.subscribe(3, defaults);
        // Chats 2 and 3: claimed by a replica that died, lease long gone (3 had a message on the wire).
        const dead = await open({ replicaId: 'dead' });
        await dead.claim(2, 'd1', clock.now());
        const wire = (await dead.claim(3, 'd1', clock.now()))!;
        await dead.markInFlight(wire.id);
        clock.advance(LEASE + 1);
        // Chat 1: claimed just now by a live replica, with a message on the wire.
        const mine = (await live.claim(1, 'd1', clock.now()))!;
        await live.saveComposition(mine.id, ['p1'], 1);
        expect(await live.markInFlight(mine.id)).toBe(true);

        const recovered = await starting.recoverInterrupted();
        if (name === 'postgres') {
          expect(recovered).toEqual({ retried: 1, abandoned: 1 });
          expect(await starting.getDelivery(1, 'd1')).toMatchObject({ status: 'pending', claimedBy: 'live' });
          await live.recordPartSent(mine.id, 7);
          await live.finish(mine.id, 'sent');
          expect(await starting.getDelivery(1, 'd1')).toMatchObject({ status: 'sent', messageIds: [7] });
        } else {
          expect(recovered).toEqual({ retried: 1, abandoned: 2 });
          expect(await starting.getDelivery(1, 'd1')).toMatchObject({ status: 'gave_up' });
        }
        expect(await starting.getDelivery(2, 'd1')).toMatchObject({ status: 'failed', lastError: 'interrupted before sending' });
        expect(await starting.getDelivery(3, 'd1')).toMatchObject({ status: 'gave_up' });
        expect(await starting.claim(2, 'd1', clock.now())).toMatchObject({ claimedBy: 'starting', attempts: 2 });
      },
    );

    /**
     * Two stores taking commands at the same moment: replicas with their own connections on
     * PostgreSQL; on SQLite (one process per file) two stores on the process's one connection.
     */
    const pair = async () => {
      const a = await open({ replicaId: 'a' });
      const b = name === 'sqlite' ? new DigestStore(a.sql, { clock, maxTopics: 3, replicaId: 'b' }) : await open({ replicaId: 'b' });
      return [a, b] as const;
    };
    const outcomes = (results: PromiseSettledResult<string>[]) =>
      results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason).split('\n')[0])).sort();

    // PostgreSQL runs READ COMMITTED: without the chat's row lock the "already followed?" and "how many?"
    // checks would race (a duplicate-key error instead of 'exists'; the limit passed).
    it('follows a topic followed on two replicas at once once', async () => {
      const [a, b] = await pair();
      await a.ensureChat(5, defaults);
      for (let round = 0; round < 5; round++) {
        const topic = `chủ đề ${round}`;
        expect(outcomes(await Promise.allSettled([a.follow(5, topic), b.follow(5, topic.toUpperCase())]))).toEqual(['added', 'exists']);
        await a.unfollow(5, topic);
      }
    });

    it('keeps the topic limit when topics are followed on two replicas at once', async () => {
      const [a, b] = await pair();
      const topics = Array.from({ length: 16 }, (_, i) => `chủ đề ${i}`);
      for (const chat of [10, 11, 12, 13, 14]) {
        await a.ensureChat(chat, defaults);
        const results = await Promise.allSettled(topics.map((t, i) => (i % 2 ? a : b).follow(chat, t)));
        expect(outcomes(results)).toEqual([...Array(3).fill('added'), ...Array(13).fill('limit')]);
        expect(await a.topics(chat)).toHaveLength(3);
      }
    });

    it('counts the live replicas by their heartbeats; a replica that leaves is not counted', async () => {
      const a = await open({ replicaId: 'a' });
      const b = await open({ replicaId: 'b' });
      const c = await open({ replicaId: 'c' });
      const within = 90_000;
      expect(await a.heartbeat(within)).toBe(1);
      expect(await b.heartbeat(within)).toBe(2);
      expect(await c.heartbeat(within)).toBe(3);
      expect(await a.heartbeat(within)).toBe(3); // beating again counts once
      clock.advance(60_000);
      expect(await a.heartbeat(within)).toBe(3);
      expect(await b.heartbeat(within)).toBe(3);
      clock.advance(31_000); // c has been silent for 91 s
      expect(await a.heartbeat(within)).toBe(2);
      await b.leave();
      expect(await a.heartbeat(within)).toBe(1);
      await a.leave();
      expect(await a.heartbeat(within)).toBe(1); // itself, at least
      expect(await c.heartbeat(within)).toBe(2); // back after a pause
    });
  });
});
