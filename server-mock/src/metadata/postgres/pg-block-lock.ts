/**
 * The lock held per block around "store the bytes, then record the row" and by garbage
 * collection around "forget the row, then delete the bytes" (ServerContext.blockLock), across
 * every instance sharing one PostgreSQL: a session advisory lock per key, taken on a connection
 * of a small pool of its own and held while the task runs (it spans object-store I/O, outside
 * any transaction). Tasks of one instance on one key queue in process first, so a key costs at
 * most one connection per instance.
 */
import pg from 'pg';
import { KeyedLock, type BlockLock } from '../../blocks/keyed-lock.js';
import { StoreUnavailableError } from '../../store-unavailable.js';

export class PgBlockLock implements BlockLock {
  private readonly local = new KeyedLock();
  private readonly pool: pg.Pool;

  constructor(url: string, connections = 8) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: connections,
      connectionTimeoutMillis: 5000,
    });
    this.pool.on('error', () => undefined);
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
        // hashtextextended: a 64-bit key from the text, the same on every instance.
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      } catch (error) {
        throw new StoreUnavailableError('metadata', `PostgreSQL: cannot lock ${key}`, {
          cause: error,
        });
      }
      let broken = false;
      try {
        return await task();
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
          .catch(() => (broken = true));
        // A connection that could not unlock is dropped: its session's locks end with it.
        client.release(broken);
      }
    });
  }

  async close(): Promise<void> {
    await this.local.idle();
    await this.pool.end();
  }
}
