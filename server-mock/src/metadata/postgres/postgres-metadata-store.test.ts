/**
 * PostgresMetadataStore against a real PostgreSQL on loopback (Debian's package, started by
 * the test): the same contract suite as the SQLite store, each test on a fresh database.
 */
import pg from 'pg';
import { postgresForSuite } from '../../../test/services/postgres-for-suite.js';
import { describeMetadataStoreContract } from '../metadata-store.contract.js';
import { openPostgresMetadataStore } from './postgres-metadata-store.js';

const postgres = postgresForSuite();
let databases = 0;

describeMetadataStoreContract('PostgresMetadataStore', async () => {
  const name = `contract_${++databases}`;
  const admin = new pg.Client({ connectionString: postgres().url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = postgres().url.replace(/\/ferry$/, `/${name}`);
  return {
    store: await openPostgresMetadataStore({ url, poolSize: 8 }),
    cleanup: async () => undefined,
  };
});
