/**
 * Vitest global setup of the "server on PostgreSQL" test project: one PostgreSQL for the run,
 * its address handed to every test server (test-server.ts makes a fresh database per server).
 */
import { startPostgres } from './postgres-service.js';

export default async function setup(): Promise<() => Promise<void>> {
  const postgres = await startPostgres();
  process.env.FERRY_TEST_POSTGRES_URL = postgres.url;
  return () => postgres.stop();
}
