/**
 * PostgresMetadataStore against a real PostgreSQL on loopback (Debian's package, started by
 * the test): the same contract suite as the SQLite store, each test on a fresh database.
 */
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { startPostgres, type PostgresService } from '../../../test/services/postgres-service.js';
import { describeMetadataStoreContract } from '../metadata-store.contract.js';
import { openPostgresMetadataStore } from './postgres-metadata-store.js';

let postgres: PostgresService;
let databases = 0;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

describeMetadataStoreContract('PostgresMetadataStore', async () => {
  const name = `contract_${++databases}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = postgres.url.replace(/\/ferry$/, `/${name}`);
  return {
    store: await openPostgresMetadataStore({ url, poolSize: 8 }),
    cleanup: async () => undefined,
  };
});
