import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock } from './block-codec.js';
import { BlockBufferPool } from './block-buffer-pool.js';
import { BlockDecodeError } from './block-decode-error.js';
import { createBlockCodecPool } from './codec-pool.js';
import { IN_PLACE_HEADROOM_BYTES, inPlaceCapacity } from './encode-in-place.js';
import { hashBlock } from './hash-block.js';
import { seededBytes } from '../testkit/index.js';

const KEY = randomBytes(32);

describe('createBlockCodecPool', () => {
  const pool = createBlockCodecPool({ workers: 2 });
  afterAll(() => pool.close());

  it('encodes and decodes like the inline codec', async () => {
    for (const plain of [
      new Uint8Array(0),
      seededBytes('text', 1, 300_000),
      seededBytes('random', 1, 300_000),
    ]) {
      const { id, encoded } = await pool.encode(plain, KEY);
      expect(id).toBe(hashBlock(plain));
      expect(Buffer.from(decodeBlock(encoded, KEY, id)).equals(plain)).toBe(true);
      const inline = encodeBlock(plain, KEY);
      expect(Buffer.from(await pool.decode(inline, KEY, id)).equals(plain)).toBe(true);
    }
  });

  it('runs many tasks concurrently and answers each with its own result', async () => {
    const inputs = Array.from({ length: 24 }, (_, i) =>
      seededBytes(i % 2 ? 'text' : 'random', 100 + i, 50_000 + i),
    );
    const results = await Promise.all(inputs.map((plain) => pool.encode(plain, KEY)));
    results.forEach(({ id }, i) => expect(id).toBe(hashBlock(inputs[i]!)));
    const decoded = await Promise.all(
      results.map(({ id, encoded }) => pool.decode(encoded, KEY, id)),
    );
    decoded.forEach((plain, i) => expect(Buffer.from(plain).equals(inputs[i]!)).toBe(true));
  });

  it('rejects with BlockDecodeError and its code', async () => {
    const plain = seededBytes('text', 2, 10_000);
    const { id, encoded } = await pool.encode(plain, KEY);
    await expect(pool.decode(encoded, randomBytes(32), id)).rejects.toSatisfy(
      (error) => error instanceof BlockDecodeError && error.code === 'block_auth_failed',
    );
    const tampered = Uint8Array.from(encoded);
    tampered[4] = 9;
    await expect(pool.decode(tampered, KEY, id)).rejects.toSatisfy(
      (error) => error instanceof BlockDecodeError && error.code === 'block_version_unsupported',
    );
    await expect(pool.encode(plain, randomBytes(8))).rejects.toThrow(RangeError);
  });

  it('copies inputs unless asked to transfer them', async () => {
    const plain = seededBytes('random', 3, 20_000);
    await pool.encode(plain, KEY);
    expect(plain.length).toBe(20_000);
    const moved = seededBytes('random', 3, 20_000);
    const { id } = await pool.encode(moved, KEY, { transfer: true });
    expect(moved.length).toBe(0);
    expect(id).toBe(hashBlock(plain));
    // A view into a larger buffer is copied even when transfer is asked: the rest is not ours.
    const whole = seededBytes('random', 4, 1000);
    await pool.encode(whole.subarray(10, 20), KEY, { transfer: true });
    expect(whole.length).toBe(1000);
  });

  it('encodes in place when the block is laid out for it, and copies otherwise', async () => {
    for (const kind of ['random', 'text'] as const) {
      const plain = seededBytes(kind, 5, 300_000);
      const buffers = new BlockBufferPool({
        maxBytes: inPlaceCapacity(plain.length),
        retainBytes: 0,
        maxFree: 1,
      });
      const buffer = buffers.acquire();
      buffers.ensureLength(buffer, IN_PLACE_HEADROOM_BYTES + plain.length);
      const laidOut = new Uint8Array(buffer, IN_PLACE_HEADROOM_BYTES, plain.length);
      laidOut.set(plain);
      const { id, encoded } = await pool.encode(laidOut, KEY, { inPlace: true });
      expect(buffer.byteLength).toBe(0); // transferred to the worker
      expect(encoded.buffer.byteLength).toBe(encoded.length); // came back holding the result
      expect(id).toBe(hashBlock(plain));
      expect(Buffer.from(decodeBlock(encoded, KEY, id)).equals(plain)).toBe(true);
    }
    // Not laid out (no headroom): a normal, copying encode.
    const plain = seededBytes('random', 6, 1000);
    const { id, encoded } = await pool.encode(plain, KEY, { inPlace: true });
    expect(plain.length).toBe(1000);
    expect(Buffer.from(decodeBlock(encoded, KEY, id)).equals(plain)).toBe(true);
  });

  it('verifies a block: its plaintext length, its encoded bytes back (handed over when asked), or the decode error', async () => {
    const plain = seededBytes('text', 9, 200_000);
    const encoded = encodeBlock(plain, KEY);
    const id = hashBlock(plain);
    const copy = Uint8Array.from(encoded);
    const kept = await pool.verify(copy, KEY, id);
    expect(kept.plainLength).toBe(plain.length);
    expect(copy.length).toBe(encoded.length); // copied: the caller's bytes stay
    expect(Buffer.from(kept.encoded).equals(encoded)).toBe(true);
    const owned = Uint8Array.from(encoded);
    const handed = await pool.verify(owned, KEY, id, { transfer: true });
    expect(owned.length).toBe(0); // transferred to the worker and back
    expect(Buffer.from(handed.encoded).equals(encoded)).toBe(true);
    const tampered = Uint8Array.from(encoded);
    tampered[tampered.length - 20]! ^= 1;
    await expect(pool.verify(tampered, KEY, id)).rejects.toMatchObject({
      code: 'block_auth_failed',
    });
  });

  it('rejects queued and new tasks once closed', async () => {
    const own = createBlockCodecPool({ workers: 1 });
    const tasks = Array.from({ length: 4 }, (_, i) =>
      own.encode(seededBytes('text', i, 500_000), KEY),
    );
    const settled = Promise.allSettled(tasks);
    await own.close();
    const outcomes = await settled;
    expect(outcomes.some((outcome) => outcome.status === 'rejected')).toBe(true);
    await expect(own.encode(Uint8Array.of(1), KEY)).rejects.toThrow(/closed/);
    await own.close();
  });

  it('starts workers on demand and keeps maxWorkers tasks on the first workers', async () => {
    const own = createBlockCodecPool({ workers: 2 });
    try {
      expect(own.runningWorkerCount).toBe(0);
      const inputs = Array.from({ length: 6 }, (_, i) => seededBytes('text', 30 + i, 200_000));
      const limited = await Promise.all(inputs.map((p) => own.encode(p, KEY, { maxWorkers: 1 })));
      expect(own.runningWorkerCount).toBe(1);
      limited.forEach(({ id }, i) => expect(id).toBe(hashBlock(inputs[i]!)));
      await Promise.all(inputs.map((p) => own.encode(p, KEY)));
      expect(own.runningWorkerCount).toBe(2);
    } finally {
      await own.close();
    }
    expect(own.runningWorkerCount).toBe(0);
  });

  it('refuses a pool without workers', () => {
    expect(() => createBlockCodecPool({ workers: 0 })).toThrow(RangeError);
  });
});
