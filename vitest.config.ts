import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Tests start real servers and write real files: generous limits, and forks so that native
    // modules (better-sqlite3) and worker threads run in isolated processes.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
