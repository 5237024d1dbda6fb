/**
 * The SqlClient seam (src/db/sql.ts) on both backends: statements, RETURNING, transactions that
 * commit and roll back, and statements issued while another caller's transaction is open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inListBatches, numberedPlaceholders } from '../../src/db/sql.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from './helpers/sql-clients.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('inListBatches', () => {
  it('splits many values into IN (…) lists of at most 500, each with its placeholders', () => {
    const values = Array.from({ length: 1001 }, (_, i) => i);
    const batches = [...inListBatches(values)];
    expect(batches.map((b) => b.batch.length)).toEqual([500, 500, 1]);
    expect(batches.flatMap((b) => b.batch)).toEqual(values);
    expect(batches[2].placeholders).toBe('?');
    expect(batches[0].placeholders.split(', ')).toHaveLength(500);
    expect([...inListBatches([])]).toEqual([]);
  });
});

describe('numberedPlaceholders', () => {
  it('numbers ? placeholders for PostgreSQL', () => {
    expect(numberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    expect(numberedPlaceholders('SELECT 1')).toBe('SELECT 1');
  });
});

describe.each(testDatabases())('SqlClient on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  afterEach(() => clients.closeAll());

  const open = async () => {
    const client = await clients.open(name, await url());
    expect(client.dialect).toBe(name);
    await client.run('CREATE TABLE t (n INTEGER NOT NULL, s TEXT)');
    return client;
  };
  const values = async (client: Awaited<ReturnType<typeof open>>) =>
    (await client.all<{ n: number }>('SELECT n FROM t ORDER BY n')).map((r) => r.n);

  it.skipIf(skip)(skip ?? 'runs statements with ? parameters, counts changes and returns rows', async () => {
    const client = await open();
    expect(await client.run('INSERT INTO t (n, s) VALUES (?, ?), (?, ?)', [1, 'một', 2, 'hai'])).toEqual({ changes: 2 });
    expect(await client.get('SELECT n, s FROM t WHERE n = ?', [2])).toEqual({ n: 2, s: 'hai' });
    expect(await client.get('SELECT n FROM t WHERE n = ?', [3])).toBeUndefined();
    expect(await client.all('UPDATE t SET s = ? WHERE n >= ? RETURNING n', ['x', 1])).toHaveLength(2);
    expect(await client.run('DELETE FROM t WHERE n = ?', [9])).toEqual({ changes: 0 });
    await client.ping();
    expect(client.description).toBeTruthy();
    expect(client.description).not.toMatch(/password/);
  });

  it.skipIf(skip)(skip ?? 'commits a transaction that resolves and rolls back one that throws', async () => {
    const client = await open();
    expect(
      await client.transaction(async (tx) => {
        await tx.run('INSERT INTO t (n) VALUES (?)', [1]);
        await tick();
        return (await tx.get<{ c: number }>('SELECT COUNT(*) AS c FROM t'))!.c;
      }),
    ).toBe(1);
    await expect(
      client.transaction(async (tx) => {
        await tx.run('INSERT INTO t (n) VALUES (?)', [2]);
        await tick();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await values(client)).toEqual([1]);
  });

  it.skipIf(skip)(skip ?? 'runs transactions started together one after the other, each whole', async () => {
    const client = await open();
    await client.run('INSERT INTO t (n) VALUES (0)');
    // Read-modify-write in each: without isolation two would read the same value.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        client.transaction(async (tx) => {
          const { n } = (await tx.get<{ n: number }>(name === 'postgres' ? 'SELECT n FROM t FOR UPDATE' : 'SELECT n FROM t'))!;
          await tick();
          await tx.run('UPDATE t SET n = ?', [n + 1]);
        }),
      ),
    );
    expect(await values(client)).toEqual([5]);
  });

  // SQLite: a statement issued while another caller's transaction is open must wait for it, not
  // run inside it (and be lost when it rolls back).
  (skip ? it.skip : it)(
    skip ?? "keeps a statement issued while another caller's transaction is open out of that transaction",
    async () => {
      const client = await open();
      const failing = client.transaction(async (tx) => {
        await tx.run('INSERT INTO t (n) VALUES (?)', [1]);
        await tick();
        throw new Error('rolled back');
      });
      const outside = client.run('INSERT INTO t (n) VALUES (?)', [2]);
      await expect(failing).rejects.toThrow('rolled back');
      await outside;
      expect(await values(client)).toEqual([2]);
    },
  );
});
