import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createBlockCodecPool } from './codec-pool.js';
import { hashBlock } from './hash-block.js';
import { seededBytes } from './seeded-data.js';
import { createMinorGc } from './worker-gc.js';

const KEY = new Uint8Array(32).fill(7);

describe('createMinorGc', () => {
  it('returns a collection that frees dead buffers, and leaves the flag off and the lock free', () => {
    const lock = new Int32Array(new SharedArrayBuffer(4));
    const collect = createMinorGc(lock);
    expect(Atomics.load(lock, 0)).toBe(0);
    expect(runInNewContext('typeof gc')).toBe('undefined');
    // 32 MB of buffers that die as soon as they are made, as a codec task's garbage does: they
    // stay allocated until a collection.
    const baseline = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 128; i++) Buffer.alloc(256 * 1024, i);
    const withGarbage = process.memoryUsage().arrayBuffers;
    collect();
    const after = process.memoryUsage().arrayBuffers;
    expect(withGarbage - baseline).toBeGreaterThan(24 * 1024 * 1024);
    expect(after - baseline).toBeLessThan(4 * 1024 * 1024);
  });

  it('is a no-op without a lock, and never touches the flag then', () => {
    const collect = createMinorGc(undefined);
    expect(() => collect()).not.toThrow();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});

describe('codec workers starting together', () => {
  it('all start and answer, and leave the flag off', async () => {
    // Many workers of several pools switch the process-wide flag at the same moment (under the
    // pool's lock; a worker that still failed to get `gc` would run without it, never die).
    for (let round = 0; round < 6; round++) {
      const pools = Array.from({ length: 3 }, () => createBlockCodecPool({ workers: 4 }));
      try {
        const inputs = Array.from({ length: 12 }, (_, i) =>
          seededBytes('text', round * 12 + i, 20_000),
        );
        const results = await Promise.all(
          inputs.map((plain, i) => pools[i % pools.length]!.encode(plain, KEY)),
        );
        results.forEach(({ id }, i) => expect(id).toBe(hashBlock(inputs[i]!)));
      } finally {
        await Promise.all(pools.map((pool) => pool.close()));
      }
    }
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
