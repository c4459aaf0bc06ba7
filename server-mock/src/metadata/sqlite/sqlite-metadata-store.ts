/**
 * SqliteMetadataStore: the embedded MetadataStore on one SQLite file (better-sqlite3, WAL), the
 * shared store (sql-metadata-store.ts) over a SqliteContext, durable through the WAL barrier.
 */
import type { MetadataStore } from '../metadata-store.js';
import { RELEASE_ABANDONED_SQL } from '../sql/quota-ledger.js';
import { openSqliteContext } from './sqlite-context.js';
import { createSqlMetadataStore } from '../sql/sql-metadata-store.js';
import { createWalBarrier, type WalBarrierOptions } from './wal-barrier.js';

/** The SQLite-backed metadata store (the embedded default). */
export type SqliteMetadataStore = MetadataStore;

/** Options of the SQLite store: test seams of its durability barrier. */
export type SqliteStoreOptions = WalBarrierOptions;

/** Opens (creating and migrating as needed) the store at `file` (`:memory:` for a throwaway). */
export function openSqliteMetadataStore(
  file: string,
  options: SqliteStoreOptions = {},
): SqliteMetadataStore {
  const ctx = openSqliteContext(file);
  const barrier = createWalBarrier(ctx.db, options);
  // Before any request: reservations of requests that ended with the last run of the server.
  ctx.db.prepare(RELEASE_ABANDONED_SQL).run();
  return createSqlMetadataStore(ctx, {
    durable: () => barrier.wait(),
    async isHealthy() {
      try {
        ctx.db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await barrier.close();
      ctx.db.close();
    },
  });
}
