import { describe, expect, it } from 'vitest';
import { BlockBufferPool, isResizable } from './block-buffer-pool.js';

const MiB = 1024 * 1024;

describe('BlockBufferPool', () => {
  it('hands out resizable buffers and grows them in 1 MiB steps up to the capacity', () => {
    const pool = new BlockBufferPool({ maxBytes: 5 * MiB, retainBytes: MiB, maxFree: 2 });
    const buffer = pool.acquire();
    expect(isResizable(buffer)).toBe(true);
    expect(buffer.maxByteLength).toBe(5 * MiB);
    pool.ensureLength(buffer, 10);
    expect(buffer.byteLength).toBe(MiB);
    pool.ensureLength(buffer, MiB + 1);
    expect(buffer.byteLength).toBe(2 * MiB);
    pool.ensureLength(buffer, 5 * MiB - 3);
    expect(buffer.byteLength).toBe(5 * MiB);
    pool.ensureLength(buffer, 100);
    expect(buffer.byteLength).toBe(5 * MiB);
  });

  it('reuses released buffers, shrunk to the retained size', () => {
    const pool = new BlockBufferPool({ maxBytes: 4 * MiB, retainBytes: MiB, maxFree: 1 });
    const first = pool.acquire();
    pool.ensureLength(first, 3 * MiB);
    pool.release(first);
    expect(first.byteLength).toBe(MiB);
    expect(pool.acquire()).toBe(first);
    expect(pool.acquire()).not.toBe(first);
  });

  it('keeps at most maxFree buffers and ignores foreign ones', () => {
    const pool = new BlockBufferPool({ maxBytes: MiB, retainBytes: MiB, maxFree: 1 });
    const [a, b] = [pool.acquire(), pool.acquire()];
    pool.release(a);
    pool.release(b);
    pool.release(new ArrayBuffer(10));
    const other = new BlockBufferPool({ maxBytes: 2 * MiB, retainBytes: MiB, maxFree: 1 });
    pool.release(other.acquire());
    expect(pool.acquire()).toBe(a);
    const fresh = pool.acquire();
    expect([a, b]).not.toContain(fresh);
    expect(fresh.maxByteLength).toBe(MiB);
  });
});
