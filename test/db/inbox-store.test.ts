import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { HeldInbox } from '../../src/bot/inbox.ts';
import { InboxStore } from '../../src/db/inbox-store.ts';

/** The default of TRICHDAN_INBOX_ORPHAN_SECONDS. */
const ORPHAN_AFTER_MS = 120_000;
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from './helpers/sql-clients.ts';

const update = (id: number): Update => ({ update_id: id, message: { message_id: id, date: 0, chat: { id: 1, type: 'private', first_name: 'A' }, text: `q${id}` } }) as Update;
const ids = (updates: readonly Update[]) => updates.map((u) => u.update_id);

describe.each(testDatabases())('InboxStore on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  afterEach(() => clients.closeAll());

  it.skipIf(skip)(skip ?? 'keeps what was received until it is done, across a reopen (a restart), and drops what comes again', async () => {
    const target = await url();
    let now = 1_000;
    const firstClient = await clients.open(name, target);
    const first = new InboxStore(firstClient, 42, () => now);
    expect(ids(await first.receive([update(1), update(2), update(3)]))).toEqual([1, 2, 3]);
    await first.done(1);
    await firstClient.close();

    const secondClient = await clients.open(name, target);
    const second = new InboxStore(secondClient, 42, () => now);
    const pending = await second.pending();
    expect(pending.map((p) => [p.update.update_id, p.receivedAt])).toEqual([
      [2, 1_000],
      [3, 1_000],
    ]);
    expect(pending[0].update).toEqual(update(2));
    // Telegram delivers 2 and 3 again (never confirmed), and 4 for the first time.
    expect(ids(await second.receive([update(2), update(3), update(4)]))).toEqual([4]);
    await second.done(2);
    await second.done(3);
    await second.done(4);
    expect(await second.pending()).toEqual([]);
    // Another bot on the same database has its own update ids.
    const other = new InboxStore(secondClient, 43, () => now);
    expect(ids(await other.receive([update(2)]))).toEqual([2]);
    await secondClient.close();

    // Done rows are forgotten after a day.
    now += 25 * 3600_000;
    const later = new InboxStore(await clients.open(name, target), 42, () => now);
    expect(ids(await later.receive([update(1)]))).toEqual([1]);
  });

  it.skipIf(skip)(skip ?? 'remembers across a restart the message an unfinished answer was being written into', async () => {
    const target = await url();
    const firstClient = await clients.open(name, target);
    const first = new InboxStore(firstClient, 42);
    await first.receive([update(7), update(8)]);
    await first.reserveReply(7, 3_000_000_001); // message ids go past 2^31 in busy chats
    await firstClient.close();
    const pending = await new InboxStore(await clients.open(name, target), 42).pending();
    expect(pending.map((p) => [p.update.update_id, p.replyMessageId])).toEqual([
      [7, 3_000_000_001],
      [8, undefined],
    ]);
  });

  it.skipIf(skip)(skip ?? 'an update its replica renews is not taken over, however long it waits its turn', async () => {
    const target = await url();
    let now = 1_000_000;
    const live = new HeldInbox(new InboxStore(await clients.open(name, target), 42, () => now));
    const other = new InboxStore(await clients.open(name, target), 42, () => now);
    await live.receive([update(1), update(2)]);
    await live.done(1);
    for (let sweep = 0; sweep < 5; sweep++) {
      now += ORPHAN_AFTER_MS / 3;
      await live.renewHeld();
      expect(await other.pending(ORPHAN_AFTER_MS)).toEqual([]); // 2 is queued at a live replica
    }
    now += ORPHAN_AFTER_MS; // the live replica dies: no more renewals
    expect((await other.pending(ORPHAN_AFTER_MS)).map((p) => p.update.update_id)).toEqual([2]);
  });

  it.skipIf(skip)(skip ?? 'gives an update received by two replicas at once to exactly one of them', async () => {
    const target = await url();
    const now = 5_000;
    const a = new InboxStore(await clients.open(name, target), 42, () => now);
    const b = new InboxStore(await clients.open(name, target), 42, () => now);
    // A webhook retried at another replica: the same update, at the same moment.
    for (let round = 0; round < 10; round++) {
      const batch = [update(100 + 2 * round), update(101 + 2 * round)];
      const [fromA, fromB] = await Promise.all([a.receive(batch), b.receive(batch)]);
      expect([...ids(fromA), ...ids(fromB)].sort()).toEqual(ids(batch).sort());
    }
    // And many single updates in parallel.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).receive([update(500)])));
    expect(results.flat().map((u) => u.update_id)).toEqual([500]);
  });

  it.skipIf(skip)(skip ?? 'replays only updates older than the given age, each exactly once across two replicas', async () => {
    const target = await url();
    let now = 1_000_000;
    const a = new InboxStore(await clients.open(name, target), 42, () => now);
    const b = new InboxStore(await clients.open(name, target), 42, () => now);
    expect(ids(await a.receive([update(1), update(2)]))).toEqual([1, 2]);
    now += ORPHAN_AFTER_MS;
    expect(ids(await b.receive([update(3)]))).toEqual([3]); // young: a live replica may still be handling it
    await a.done(2);

    // 1 is old and not done (its replica died); 2 is done; 3 is young.
    const [takenA, takenB] = await Promise.all([a.pending(ORPHAN_AFTER_MS), b.pending(ORPHAN_AFTER_MS)]);
    const taken = [...takenA, ...takenB];
    expect(taken.map((p) => p.update.update_id)).toEqual([1]);
    expect(taken[0]).toEqual({ update: update(1), receivedAt: now });
    // Taking restamped it: neither replica takes it again until it is old once more.
    expect(await a.pending(ORPHAN_AFTER_MS)).toEqual([]);
    expect(await b.pending(ORPHAN_AFTER_MS)).toEqual([]);

    now += ORPHAN_AFTER_MS;
    const again = await Promise.all([a.pending(ORPHAN_AFTER_MS), b.pending(ORPHAN_AFTER_MS)]);
    expect(
      again
        .flat()
        .map((p) => p.update.update_id)
        .sort(),
    ).toEqual([1, 3]);
    await b.done(1);
    await b.done(3);
    now += ORPHAN_AFTER_MS;
    expect(await a.pending(ORPHAN_AFTER_MS)).toEqual([]);
    // pending() with no age (one bot on an SQLite file) takes every undone update at once.
    expect(ids(await a.receive([update(4)]))).toEqual([4]);
    expect((await a.pending()).map((p) => p.update.update_id)).toEqual([4]);
  });
});
