/**
 * PostgresMetadataStore: the shared store (sql/sql-metadata-store.ts) over a PostgreSQL pool,
 * for several server instances. Commits are durable when COMMIT returns (synchronous_commit on),
 * so `durable()` has nothing to wait for.
 */
import type { MetadataStore } from '../metadata-store.js';
import { createSqlMetadataStore } from '../sql/sql-metadata-store.js';
import { PgContext, type PgContextOptions } from './pg-context.js';

/**
 * Connects, migrates the schema (under an advisory lock: instances may start together) and
 * returns the store. Reservations without a session are not released at start here: another
 * instance's uploads may hold them; they expire instead.
 */
export async function openPostgresMetadataStore(options: PgContextOptions): Promise<MetadataStore> {
  const ctx = new PgContext(options);
  try {
    await ctx.migrate();
  } catch (error) {
    await ctx.close();
    throw error;
  }
  return createSqlMetadataStore(ctx, {
    durable: async () => undefined,
    isHealthy: () => ctx.isHealthy(),
    close: () => ctx.close(),
  });
}
