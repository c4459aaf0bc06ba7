import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createBlockCodecPool } from './codec-pool.js';
import { hashBlock } from './hash-block.js';
import { seededBytes } from '../testkit/index.js';
import { createMinorGc } from './worker-gc.js';

const KEY = new Uint8Array(32).fill(7);

describe('createMinorGc', () => {
  it('returns a collection that frees dead buffers, and leaves the flag off and the lock free', async () => {
    const lock = new Int32Array(new SharedArrayBuffer(4));
    const collect = createMinorGc(lock);
    expect(Atomics.load(lock, 0)).toBe(0);
    expect(runInNewContext('typeof gc')).toBe('undefined');
    // 8 MB of buffers that die as soon as they are made, as a codec task's garbage does: they
    // stay allocated until a collection. V8 may collect on its own while they are made (then
    // there is nothing to show): try again until the garbage is all there.
    const MB = 1024 * 1024;
    for (let attempt = 0; ; attempt++) {
      const baseline = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 32; i++) Buffer.alloc(256 * 1024, i);
      const withGarbage = process.memoryUsage().arrayBuffers;
      if (withGarbage - baseline < 7 * MB && attempt < 20) continue;
      expect(withGarbage - baseline).toBeGreaterThanOrEqual(7 * MB);
      collect();
      // V8 frees the buffers' memory on a background thread just after the collection.
      for (let wait = 0; wait < 50 && process.memoryUsage().arrayBuffers - baseline >= MB; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(process.memoryUsage().arrayBuffers - baseline).toBeLessThan(MB);
      break;
    }
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
