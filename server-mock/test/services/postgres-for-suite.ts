/**
 * A PostgreSQL for the test file that calls this at its top level (postgres-service.ts):
 * started before its tests, stopped with its data removed after them. Apart from
 * postgres-service.ts, which the benchmarks load outside Vitest.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresService } from './postgres-service.js';

/** Read it inside tests or hooks through the returned getter. */
export function postgresForSuite(): () => PostgresService {
  let postgres: PostgresService | undefined;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.stop();
  });
  return () => {
    if (postgres === undefined) throw new Error('PostgreSQL is not started yet');
    return postgres;
  };
}
