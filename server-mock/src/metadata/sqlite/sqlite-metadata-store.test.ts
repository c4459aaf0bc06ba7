import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeMetadataStoreContract } from '../metadata-store.contract.js';
import { openSqliteMetadataStore } from './sqlite-metadata-store.js';

describeMetadataStoreContract('SqliteMetadataStore', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-meta-'));
  return {
    store: openSqliteMetadataStore(path.join(dir, 'meta.db')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
