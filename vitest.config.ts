import { defineConfig } from 'vitest/config';

/**
 * Tests that start other processes (the CLI, `npm start`, a child holding a lock) or run the real
 * bot against the Bot API emulator: the slow part of `npm test`. A new test of that kind goes here.
 */
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/cli.test.ts',
  'test/cli-live.test.ts',
  'test/library/crash.test.ts',
  'test/index/lock.test.ts',
  'test/db/bot-lock.test.ts',
  'test/bot/admin.test.ts',
  'test/digest/scheduler.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Native modules (hnswlib-node, better-sqlite3) are happiest in forks.
    pool: 'forks',
    // A temp folder of the run's own, removed at the end; a real PostgreSQL server for the tests
    // that run on it (each project starts its own).
    globalSetup: ['test/setup/tmpdir.global.ts', 'test/setup/postgres.global.ts'],
    // `npm test` runs both; one alone: `npx vitest run --project unit` (or `e2e`).
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
