/**
 * vitest globalSetup: every temporary folder of the run (test corpora, indexes, databases, the
 * PostgreSQL server's data, the folders of the processes tests start) goes under one folder of
 * its own, removed when vitest exits, so `npm test` leaves nothing in the system's temp folder. It works
 * by pointing TMPDIR (what `os.tmpdir()` reads) at that folder before any worker starts.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): void {
  // Each vitest project runs its global setups: the first one makes the folder, the others use it.
  if (process.env.TRICHDAN_TEST_TMPDIR) return;
  const root = mkdtempSync(path.join(tmpdir(), 'trichdan-test-'));
  // Traversable by the postgres user the PostgreSQL test server runs as (its own folder inside is chowned to it).
  chmodSync(root, 0o755);
  process.env.TRICHDAN_TEST_TMPDIR = root;
  process.env.TMPDIR = root;
  // Removed when vitest exits, after every project's teardown (the PostgreSQL server stops first).
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
}
