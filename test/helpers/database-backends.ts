/**
 * The database backends a store test runs against (issue 13), for matrix tests:
 *
 *   describe.each(testDatabases())('inbox store on $name', ({ skip, url }) => { ... });
 *
 * with `it.skipIf(skip)` (or `describe.skipIf`) inside. `url()` gives a fresh, empty database on
 * every call: for sqlite a file path in a new temporary folder (removed after the calling file or suite),
 * for postgres a new database (`t_<random>`) on the run's server from test/setup/postgres.global.ts,
 * which is thrown away with the server at the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { createDatabase } from './postgres.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Why this backend's tests skip (one sentence), null when they run. */
  skip: string | null;
  /** A fresh, empty database: a file path for sqlite, a `postgres://` URL for postgres. */
  url(): Promise<string>;
}

/**
 * The temporary sqlite folders of one `testDatabases()` call are removed by an `afterAll` of the
 * file or suite that called it (vitest's fork workers end without running process 'exit'
 * handlers); called outside test collection, at process exit instead.
 */
function sqliteFiles(): () => string {
  const dirs: string[] = [];
  const cleanup = () => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  };
  try {
    afterAll(cleanup);
  } catch {
    process.on('exit', cleanup);
  }
  return () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trichdan-sqlite-'));
    dirs.push(dir);
    return path.join(dir, 'trichdan.sqlite');
  };
}

export function testDatabases(): TestDatabase[] {
  // undefined (not null) when the globalSetup did not run at all, e.g. another vitest config.
  const pgUrl = inject('pgUrl') as string | null | undefined;
  const pgMissing = inject('pgMissing') as string | null | undefined;
  const pgSkip = pgUrl
    ? null
    : (pgMissing ?? 'PostgreSQL tests skipped: no server was provided (test/setup/postgres.global.ts is not in this vitest config\'s globalSetup).');
  const sqliteFile = sqliteFiles();
  return [
    { name: 'sqlite', skip: null, url: async () => sqliteFile() },
    {
      name: 'postgres',
      skip: pgSkip,
      url: async () => {
        if (!pgUrl) throw new Error(pgSkip ?? 'no PostgreSQL test server');
        return await createDatabase(pgUrl);
      },
    },
  ];
}
