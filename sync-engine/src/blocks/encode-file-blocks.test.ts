import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockId } from '../protocol/index.js';
import { decodeBlock } from './block-codec.js';
import {
  CHUNK_AVG_BYTES,
  CHUNK_MAX_BYTES,
  CHUNK_MIN_BYTES,
  type ChunkerOptions,
} from './chunk-bounds.js';
import { createBlockCodecPool, type BlockCodecPool } from './codec-pool.js';
import { encodeFileBlocks } from './encode-file-blocks.js';
import { FILE_READ_BYTES } from './file-chunks.js';
import { inspectFile } from './inspect-file.js';
import { seededBytes, seededStream, writeSeededFile, createTestTempDir } from '../testkit/index.js';

const KEY = randomBytes(32);
const MiB = 1024 * 1024;

async function* inReads(data: Uint8Array, readBytes: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += readBytes) yield data.slice(at, at + readBytes);
}

/**
 * Encodes a stream, decodes every block (through the pool when given) and returns what came back:
 * the SHA-256 and size of the reassembled bytes and the block list. Never holds the whole file.
 */
async function encodeAndDecode(
  source: AsyncIterable<Uint8Array>,
  options: { pool?: BlockCodecPool; chunker?: ChunkerOptions },
) {
  const whole = createHash('sha256');
  const blocks: { offset: number; size: number; id: BlockId }[] = [];
  let size = 0;
  for await (const block of encodeFileBlocks(source, KEY, options)) {
    expect(block.offset).toBe(size);
    const plain = options.pool
      ? await options.pool.decode(block.encoded, KEY, block.id)
      : decodeBlock(block.encoded, KEY, block.id);
    expect(plain.length).toBe(block.size);
    whole.update(plain);
    size += plain.length;
    blocks.push({ offset: block.offset, size: block.size, id: block.id });
  }
  return { sha256: whole.digest('hex'), size, blocks };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('encodeFileBlocks', () => {
  let pool: BlockCodecPool;
  let dir: Awaited<ReturnType<typeof createTestTempDir>>;
  beforeAll(async () => {
    pool = createBlockCodecPool({ workers: 2 });
    dir = await createTestTempDir('encode-file');
  });
  afterAll(async () => {
    await pool.close();
    await dir.remove();
  });

  it('round-trips any byte string with small bounds, inline and pooled (property)', async () => {
    const chunker = { minBytes: 512, avgBytes: 2048, maxBytes: 8192 };
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 100_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.boolean(),
        async (data, readBytes, usePool) => {
          const result = await encodeAndDecode(inReads(data, readBytes), {
            chunker,
            pool: usePool ? pool : undefined,
          });
          expect(result).toMatchObject({ sha256: sha256(data), size: data.length });
        },
      ),
      { numRuns: 60 },
    );
  });

  const sizes = [
    0,
    1,
    CHUNK_MIN_BYTES - 1,
    CHUNK_MIN_BYTES,
    CHUNK_MIN_BYTES + 1,
    CHUNK_AVG_BYTES - 1,
    CHUNK_AVG_BYTES,
    CHUNK_AVG_BYTES + 1,
    CHUNK_MAX_BYTES - 1,
    CHUNK_MAX_BYTES,
    CHUNK_MAX_BYTES + 1,
  ];
  it.each(sizes)('round-trips %i bytes with the default bounds', async (sizeBytes) => {
    const data = seededBytes('random', sizeBytes, sizeBytes);
    const result = await encodeAndDecode(inReads(data, FILE_READ_BYTES), { pool });
    expect(result).toMatchObject({ sha256: sha256(data), size: sizeBytes });
    for (const block of result.blocks.slice(0, -1)) {
      expect(block.size).toBeGreaterThanOrEqual(CHUNK_MIN_BYTES);
      expect(block.size).toBeLessThanOrEqual(CHUNK_MAX_BYTES);
    }
    if (sizeBytes === 0) expect(result.blocks).toEqual([]);
  });

  it('round-trips text around the maximum block size (compressed blocks)', async () => {
    for (const sizeBytes of [CHUNK_MAX_BYTES - 1, CHUNK_MAX_BYTES + 1]) {
      const data = seededBytes('text', 9, sizeBytes);
      const result = await encodeAndDecode(inReads(data, FILE_READ_BYTES), { pool });
      expect(result).toMatchObject({ sha256: sha256(data), size: sizeBytes });
    }
  });

  it('round-trips a 100 MiB file streamed from disk, with the ids inspectFile reports', async () => {
    const path = join(dir.path, 'hundred.bin');
    await writeSeededFile({ path, kind: 'random', seed: 100, sizeBytes: 100 * MiB });
    const fileHash = createHash('sha256');
    for await (const read of createReadStream(path)) fileHash.update(read as Buffer);
    const source = createReadStream(path, { highWaterMark: FILE_READ_BYTES });
    const result = await encodeAndDecode(source, { pool });
    expect(result).toMatchObject({ sha256: fileHash.digest('hex'), size: 100 * MiB });
    expect((await inspectFile(path)).blocks).toEqual(result.blocks);
  });

  it('reads ahead only a bounded amount (backpressure)', async () => {
    let pulledBytes = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const read of seededStream('random', 1, 512 * MiB)) {
        pulledBytes += read.length;
        yield read;
      }
    }
    const maxInFlightBytes = 32 * MiB;
    const blocks = encodeFileBlocks(counted(), KEY, { pool, maxInFlightBytes });
    const first = await blocks.next();
    expect(first.done).toBe(false);
    // In flight, plus the block being cut, plus one read.
    expect(pulledBytes).toBeLessThanOrEqual(
      maxInFlightBytes + CHUNK_MAX_BYTES + 2 * FILE_READ_BYTES,
    );
    await blocks.return(undefined);
    // Stopping early leaves the pool usable.
    const { id } = await pool.encode(Uint8Array.of(1), KEY);
    expect(id).toHaveLength(64);
  });

  it('keeps every encoded block intact when the consumer holds on to them', async () => {
    // Buffers are recycled only when released: blocks kept without release must stay valid.
    const data = seededBytes('text', 12, 3 * MiB);
    const chunker = { minBytes: 16_384, avgBytes: 65_536, maxBytes: 262_144 };
    for (const options of [{ pool, chunker }, { chunker }]) {
      const kept = [];
      for await (const block of encodeFileBlocks(inReads(data, 100_000), KEY, options)) {
        kept.push(block);
      }
      expect(kept.length).toBeGreaterThan(20);
      const plain = await Promise.all(kept.map((b) => pool.decode(b.encoded, KEY, b.id)));
      expect(Buffer.concat(plain).equals(data)).toBe(true);
    }
  });

  it('reuses released buffers without corrupting later blocks', async () => {
    const data = seededBytes('random', 13, 6 * MiB);
    const chunker = { minBytes: 16_384, avgBytes: 65_536, maxBytes: 262_144 };
    for (const options of [{ pool, chunker }, { chunker }]) {
      // Buffers crossing threads come back as new ArrayBuffer objects; reuse shows inline only.
      const buffers = new Set<ArrayBufferLike>();
      const plain: Uint8Array[] = [];
      for await (const block of encodeFileBlocks(inReads(data, 1 << 20), KEY, options)) {
        buffers.add(block.encoded.buffer);
        plain.push(decodeBlock(block.encoded, KEY, block.id));
        block.release();
        block.release(); // idempotent
      }
      expect(plain.length).toBeGreaterThan(40);
      if (!options.pool) expect(buffers.size).toBeLessThanOrEqual(3);
      expect(Buffer.concat(plain).equals(data)).toBe(true);
    }
  });

  it('uses one worker for incompressible data and every worker for compressible data', async () => {
    // Memory: each worker that takes part holds its own garbage (docs/performance.md).
    for (const [kind, expectedWorkers] of [
      ['random', 1],
      ['text', 2],
    ] as const) {
      const own = createBlockCodecPool({ workers: 2 });
      try {
        const data = seededBytes(kind, 14, 12 * MiB);
        const chunker = { minBytes: 65_536, avgBytes: 262_144, maxBytes: MiB };
        const plain: Uint8Array[] = [];
        for await (const block of encodeFileBlocks(inReads(data, MiB), KEY, {
          pool: own,
          chunker,
        })) {
          plain.push(decodeBlock(block.encoded, KEY, block.id)); // on this thread: only encoding in the pool
        }
        expect(Buffer.concat(plain).equals(data)).toBe(true);
        expect(own.runningWorkerCount).toBe(expectedWorkers);
      } finally {
        await own.close();
      }
    }
  });

  it('refuses a key that is not 32 bytes', async () => {
    const blocks = encodeFileBlocks(inReads(Uint8Array.of(1), 1), randomBytes(16));
    await expect(blocks.next()).rejects.toThrow(RangeError);
  });
});
