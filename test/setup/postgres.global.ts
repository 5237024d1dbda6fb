/**
 * vitest globalSetup (issue 13): one real PostgreSQL server for the whole run, thrown away at the
 * end. Tests read its admin URL with `inject('pgUrl')` (or use test/helpers/database-backends.ts);
 * when the server binaries are missing, or TRICHDAN_TEST_PG=0, `pgUrl` is null and `pgMissing`
 * says why, so the PostgreSQL tests skip with that reason.
 *
 * Binaries found but the server does not start: the run fails (with the server log), it does not
 * silently skip; TRICHDAN_TEST_PG=0 turns the PostgreSQL tests off on purpose.
 */
import type { TestProject } from 'vitest/node';
import { findPostgres, startPostgres } from '../helpers/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL test server (`postgres://postgres@127.0.0.1:PORT/postgres`), null when there is none. */
    pgUrl: string | null;
    /** Why there is no PostgreSQL test server (one sentence), null when there is one. */
    pgMissing: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TRICHDAN_TEST_PG === '0') {
    project.provide('pgUrl', null);
    project.provide('pgMissing', 'PostgreSQL tests skipped: TRICHDAN_TEST_PG=0; unset it to run them.');
    return undefined;
  }
  const found = findPostgres();
  if ('missing' in found) {
    project.provide('pgUrl', null);
    project.provide('pgMissing', found.missing);
    return undefined;
  }
  let server;
  try {
    server = await startPostgres();
  } catch (err) {
    throw new Error(`${(err as Error).message}\n(set TRICHDAN_TEST_PG=0 to run the tests without PostgreSQL)`, { cause: err });
  }
  project.provide('pgUrl', server.url);
  project.provide('pgMissing', null);
  return async () => {
    await server.destroy();
  };
}
