/**
 * One replica at a time polls the feeds (issue 13): of several replicas trying, one takes the
 * turn; when it stops (or dies: its session ends), another takes it at its next try. On the test
 * run's real PostgreSQL server.
 */
import { describe, expect, inject, it } from 'vitest';
import { takeTurns, type Leadership } from '../../src/db/leadership.ts';
import { createDatabase } from '../helpers/postgres.ts';

const pgUrl = inject('pgUrl') as string | null | undefined;
const skip = pgUrl ? null : ((inject('pgMissing') as string | null | undefined) ?? 'PostgreSQL tests skipped: no server was provided.');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('feeds polled by one replica at a time', () => {
  it.skipIf(skip)(skip ?? 'one of three replicas has the turn; when it stops, another takes it', async () => {
    const url = await createDatabase(pgUrl!);
    const holding = new Set<number>();
    const turns: Leadership[] = [];
    for (let i = 0; i < 3; i++) {
      turns.push(
        takeTurns(url, 4242, 200, {
          onGained: () => holding.add(i),
          onLost: () => holding.delete(i),
          log: () => {},
        }),
      );
    }
    // Connecting takes a moment on a busy machine: wait for a holder, then check there is only one.
    const someone = async () => {
      for (const deadline = Date.now() + 15_000; holding.size === 0 && Date.now() < deadline; ) await sleep(50);
      await sleep(600); // three more tries of each: still one holder
    };
    try {
      await someone();
      expect(holding.size).toBe(1);
      const [first] = [...holding];
      await turns[first].stop();
      holding.delete(first);
      await someone();
      expect(holding.size).toBe(1);
      expect(holding.has(first)).toBe(false);
    } finally {
      for (const t of turns) await t.stop();
    }
  });
});
