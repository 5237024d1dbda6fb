/**
 * The PostgreSQL test harness itself (issue 13): the run's shared server from the globalSetup, a
 * server of a test's own that stops and starts again on the same port, and the backend matrix.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { testDatabases } from '../helpers/database-backends.ts';
import { findPostgres, startPostgres, type PgServer } from '../helpers/postgres.ts';

const pgUrl = inject('pgUrl');
const pgMissing = inject('pgMissing');
const backends = testDatabases();
const found = findPostgres();
// TRICHDAN_TEST_PG=0 turns this file's own server off too, not only the shared one.
const ownServerSkip = 'missing' in found ? found.missing : process.env.TRICHDAN_TEST_PG === '0' ? pgMissing : null;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!pgUrl)(pgUrl ? "the run's PostgreSQL server (globalSetup)" : `the run's PostgreSQL server — ${pgMissing}`, () => {
  it('is a real server on 127.0.0.1 that creates databases and answers queries', async () => {
    expect(pgUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const [{ version }] = await query<{ version: string }>(pgUrl!, 'select version()');
    expect(version).toMatch(/^PostgreSQL \d+/);
    const db = backends.find((d) => d.name === 'postgres')!;
    const url = await db.url();
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_[0-9a-f]+$/);
    expect(await query(url, 'select 1 as one, current_database() as db')).toEqual([{ one: 1, db: new URL(url).pathname.slice(1) }]);
    expect(await db.url()).not.toBe(url); // a fresh database per call
  });
});

describe.skipIf(ownServerSkip)(ownServerSkip ? `startPostgres — ${ownServerSkip}` : 'startPostgres', () => {
  let server: PgServer | undefined;
  afterAll(async () => {
    await server?.destroy();
    if (server) expect(existsSync(path.dirname(server.dataDir))).toBe(false);
  });

  it('keeps port and data across stop and start, and refuses connections while stopped', async () => {
    server = await startPostgres();
    const url = await server.createDatabase('restart_check');
    expect(url).toBe(`postgres://postgres@127.0.0.1:${server.port}/restart_check`);
    await query(url, 'create table t (n int); insert into t values (41), (1)');

    await server.stop();
    await expect(query(url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);

    await server.start();
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    expect(await query(url, 'select sum(n)::int as s from t')).toEqual([{ s: 42 }]);
  });
});

describe.each(backends)('backend matrix: $name', ({ name, skip, url }) => {
  it.skipIf(skip)(skip ?? 'gives a fresh database per call', async () => {
    const a = await url();
    const b = await url();
    expect(a).not.toBe(b);
    if (name === 'sqlite') {
      expect(path.basename(a)).toBe('trichdan.sqlite');
      expect(existsSync(path.dirname(a))).toBe(true);
    } else {
      expect(await query(b, 'select count(*)::int as n from pg_tables where schemaname = $1', ['public'])).toEqual([{ n: 0 }]);
    }
  });
});
