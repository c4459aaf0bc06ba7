/**
 * The block lock across instances, on a real PostgreSQL: two locks (two instances) exclude each
 * other on one key and not on two, and a PostgreSQL that is away is a 503, not a free pass.
 */
import { describe, expect, it } from 'vitest';
import { postgresForSuite } from '../../../test/services/postgres-for-suite.js';
import { StoreUnavailableError } from '../../store-unavailable.js';
import { PgBlockLock } from './pg-block-lock.js';

const postgres = postgresForSuite();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PgBlockLock', () => {
  it('lets one instance at a time hold a key, and different keys at once', async () => {
    const one = new PgBlockLock(postgres().url);
    const two = new PgBlockLock(postgres().url);
    try {
      const order: string[] = [];
      let releaseFirst!: () => void;
      const held = new Promise<void>((resolve) => (releaseFirst = resolve));
      const first = one.run('ns/block-a', async () => {
        order.push('one in');
        await held;
        order.push('one out');
      });
      while (!order.includes('one in')) await sleep(5);
      const second = two.run('ns/block-a', async () => void order.push('two in'));
      const other = await two.run('ns/block-b', async () => 'b ran');
      expect(other).toBe('b ran');
      await sleep(100);
      expect(order).toEqual(['one in']);
      releaseFirst();
      await Promise.all([first, second]);
      expect(order).toEqual(['one in', 'one out', 'two in']);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('answers unavailable while PostgreSQL is down', async () => {
    const lock = new PgBlockLock(postgres().url);
    await postgres().kill();
    try {
      await expect(lock.run('ns/x', async () => 'ran')).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    } finally {
      await postgres().start();
      await lock.close();
    }
  }, 60_000);
});
