import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/digest/clock.ts';
import { MIGRATIONS } from '../../src/db/migrations.ts';
import { DigestStore, DigestStoreError } from '../../src/digest/store.ts';
import { makeArticle } from './helpers/fake-engine.ts';

const defaults = { time: '07:30', zone: 'Asia/Ho_Chi_Minh', language: 'vi' as const };

describe('DigestStore', () => {
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
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file (and its folder) in WAL mode with foreign keys, at the latest schema version', () => {
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
    store = new DigestStore(file, { clock }); // reopening applies nothing twice
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer version, saying what to do', () => {
    store.close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new DigestStore(file)).toThrow(DigestStoreError);
    expect(() => new DigestStore(file)).toThrow(/newer than this trichdan knows/);
    store = new DigestStore(':memory:');
  });

  it('subscribes, changes settings and unsubscribes', () => {
    const first = store.subscribe(1, defaults);
    expect(first.wasActive).toBe(false);
    expect(first.subscriber).toMatchObject({ active: true, time: '07:30', zone: 'Asia/Ho_Chi_Minh', sendEmpty: true, seenSeq: null });
    expect(first.subscriber.scheduleFrom.toISOString()).toBe('2026-11-24T00:00:00.000Z');

    clock.advance(60_000);
    expect(store.subscribe(1, defaults).wasActive).toBe(true);
    expect(store.getSubscriber(1)!.scheduleFrom.toISOString()).toBe('2026-11-24T00:00:00.000Z'); // unchanged
    store.subscribe(1, defaults, '06:00');
    expect(store.getSubscriber(1)).toMatchObject({ time: '06:00' });
    expect(store.getSubscriber(1)!.scheduleFrom.toISOString()).toBe('2026-11-24T00:01:00.000Z');

    store.setZone(1, 'Europe/Berlin');
    store.setLanguage(1, 'en');
    store.setSendEmpty(1, false);
    expect(store.getSubscriber(1)).toMatchObject({ zone: 'Europe/Berlin', language: 'en', sendEmpty: false });

    expect(store.unsubscribe(1)).toBe(true);
    expect(store.unsubscribe(1)).toBe(false);
    expect(store.getSubscriber(1)).toMatchObject({ active: false, deactivatedReason: 'unsubscribed' });
    expect(store.activeSubscribers()).toEqual([]);
  });

  it('follows topics case-insensitively, with a limit', () => {
    store.ensureChat(5, defaults);
    expect(store.follow(5, 'Dioxin')).toBe('added');
    expect(store.follow(5, 'dioxin')).toBe('exists');
    expect(store.follow(5, 'Nga')).toBe('added');
    expect(store.follow(5, 'hợp tác quốc phòng')).toBe('added');
    expect(store.follow(5, 'Mỹ')).toBe('limit');
    expect(store.topics(5)).toEqual(['Dioxin', 'Nga', 'hợp tác quốc phòng']);
    expect(store.unfollow(5, 'DIOXIN')).toBe(true);
    expect(store.unfollow(5, 'dioxin')).toBe(false);
    expect(store.unfollow(5, 'HỢP TÁC QUỐC PHÒNG')).toBe(true);
    expect(store.topics(5)).toEqual(['Nga']);
  });

  it('claims a slot once; UNIQUE(chat_id, slot) holds across reopening the file', () => {
    store.subscribe(1, defaults);
    const at = new Date('2026-11-24T00:30:00Z');
    const claim = store.claim(1, '2026-11-24', at)!;
    expect(claim).toMatchObject({ status: 'pending', attempts: 1, parts: null, partsSent: 0 });
    expect(store.claim(1, '2026-11-24', at)).toBeUndefined();
    store.close();
    store = new DigestStore(file, { clock });
    expect(store.claim(1, '2026-11-24', at)).toBeUndefined();
    expect(store.claim(1, '2026-11-25', at)).toBeDefined();
  });

  it('records parts, finishes, and moves the chat cursor to what the digest covered', () => {
    store.subscribe(1, defaults);
    const claim = store.claim(1, '2026-11-24', new Date())!;
    store.saveComposition(claim.id, ['a', 'b'], 7);
    store.saveComposition(claim.id, ['x'], 9); // only the first composition counts
    store.markInFlight(claim.id);
    store.recordPartSent(claim.id, 101);
    store.markInFlight(claim.id);
    store.recordPartSent(claim.id, 102);
    store.finish(claim.id, 'sent');
    expect(store.getDelivery(1, '2026-11-24')).toMatchObject({
      status: 'sent',
      parts: ['a', 'b'],
      throughSeq: 7,
      partsSent: 2,
      messageIds: [101, 102],
    });
    expect(store.getSubscriber(1)!.seenSeq).toBe(7);
  });

  it('re-claims a failed slot only once its retry time has come; a final failure is never claimed', () => {
    store.subscribe(1, defaults);
    const claim = store.claim(1, 's1', new Date())!;
    store.fail(claim.id, '500: Internal', new Date(clock.now().getTime() + 60_000));
    expect(store.claim(1, 's1', new Date())).toBeUndefined();
    clock.advance(60_000);
    const again = store.claim(1, 's1', new Date())!;
    expect(again).toMatchObject({ status: 'pending', attempts: 2 });
    store.fail(again.id, '400: Bad Request');
    expect(store.getDelivery(1, 's1')!.status).toBe('gave_up');
    clock.advance(3_600_000);
    expect(store.claim(1, 's1', new Date())).toBeUndefined();
  });

  it('after a crash, retries digests not yet on the wire and never resends one that was', () => {
    store.subscribe(1, defaults);
    store.subscribe(2, defaults);
    const composing = store.claim(1, 's', new Date())!;
    const sending = store.claim(2, 's', new Date())!;
    store.saveComposition(sending.id, ['p1', 'p2'], 3);
    store.markInFlight(sending.id);
    store.close();
    store = new DigestStore(file, { clock });
    expect(store.recoverInterrupted()).toEqual({ retried: 1, abandoned: 1 });
    expect(store.getDelivery(1, 's')).toMatchObject({ id: composing.id, status: 'failed' });
    expect(store.getDelivery(2, 's')).toMatchObject({ status: 'gave_up', partsSent: 0 });
    expect(store.claim(1, 's', new Date())).toMatchObject({ status: 'pending', attempts: 2 });
    expect(store.claim(2, 's', new Date())).toBeUndefined();
  });

  it('registers articles in order of first sight, oldest first on the first sync', () => {
    const a = makeArticle({ id: 'a', date: '2026-11-01' });
    const b = makeArticle({ id: 'b', date: '2026-11-02' });
    // Engine order is newest first.
    expect(store.syncArticles([b, a])).toEqual({ added: ['a', 'b'], changed: [], removed: [] });
    expect(store.maxSeq()).toBe(2);
    expect(store.syncArticles([b, a])).toEqual({ added: [], changed: [], removed: [] });

    const c = makeArticle({ id: 'c', date: '2026-10-01' }); // an older article added later is still new
    const b2 = { ...b, contentHash: 'edited' };
    expect(store.syncArticles([b2, c])).toEqual({ added: ['c'], changed: ['b'], removed: ['a'] });
    expect(store.articlesAfter(2).map((r) => r.articleId)).toEqual(['c']);
    expect(store.articlesAfter(0).map((r) => r.articleId)).toEqual(['b', 'c']); // a was removed
    expect(store.syncArticles([b2, c, a]).changed).toEqual(['a']); // back, keeps its number
    expect(store.articlesAfter(0, 1).map((r) => r.articleId)).toEqual(['a']);
  });
});
