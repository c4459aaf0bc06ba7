import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    // Tests start real servers and write real files: generous limits, and forks so that native
    // modules (better-sqlite3) and worker threads run in isolated processes.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'ferry', include: ['**/*.test.ts'] } },
      {
        // The server's own suites once more with its metadata on a real PostgreSQL (one for the
        // run, a database per server): every route, hostile input and crash test on both stores.
        extends: true,
        test: {
          name: 'server-on-postgres',
          include: ['server-mock/**/*.test.ts'],
          exclude: [
            'node_modules/**',
            // Not about metadata: blocks, buses, configuration and the SQLite internals.
            'server-mock/src/blocks/**',
            'server-mock/src/notify/**',
            'server-mock/src/metadata/sqlite/**',
            'server-mock/src/metadata/postgres/**',
            'server-mock/test/services/**',
            'server-mock/test/scale/**',
          ],
          globalSetup: ['./server-mock/test/services/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
