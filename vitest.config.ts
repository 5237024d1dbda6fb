import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Native modules (hnswlib-node, better-sqlite3) are happiest in forks.
    pool: 'forks',
    globalSetup: ['test/setup/postgres.global.ts'],
  },
});
