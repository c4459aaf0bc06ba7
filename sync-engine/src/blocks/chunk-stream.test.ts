import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveChunkBounds, type ChunkerOptions } from './chunk-bounds.js';
import { chunkStream } from './chunk-stream.js';
import { seededBytes } from '../testkit/index.js';

const SMALL: Required<ChunkerOptions> = { minBytes: 1024, avgBytes: 4096, maxBytes: 16384 };

/** Feeds `data` to the chunker in reads whose sizes cycle through `readSizes`. */
async function* inReads(data: Uint8Array, readSizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = Math.max(1, readSizes[i % readSizes.length]!);
    yield data.slice(at, at + size);
    at += size;
  }
}

async function blockSizes(source: AsyncIterable<Uint8Array>, options?: ChunkerOptions) {
  const sizes: number[] = [];
  let expectedOffset = 0;
  for await (const { offset, bytes } of chunkStream(source, options)) {
    expect(offset).toBe(expectedOffset);
    expectedOffset += bytes.length;
    sizes.push(bytes.length);
  }
  return sizes;
}

describe('chunkStream', () => {
  it('cuts the same boundaries whatever the read sizes', async () => {
    const data = seededBytes('random', 7, 300_000);
    const reference = await blockSizes(inReads(data, [data.length]), SMALL);
    expect(reference.length).toBeGreaterThan(30);
    for (const readSizes of [[1], [7], [1023, 1, 4096], [SMALL.maxBytes + 3], [65536]]) {
      // One-byte reads are slow through an async generator; a prefix is enough to exercise them.
      const input = readSizes[0] === 1 ? data.subarray(0, 40_000) : data;
      const expected =
        input === data ? reference : await blockSizes(inReads(input, [input.length]), SMALL);
      expect(await blockSizes(inReads(input, readSizes), SMALL)).toEqual(expected);
    }
  });

  it('cuts the same boundaries for random splits (property)', async () => {
    const data = seededBytes('text', 11, 120_000);
    const reference = await blockSizes(inReads(data, [data.length]), SMALL);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 12 }),
        async (readSizes) => {
          expect(await blockSizes(inReads(data, readSizes), SMALL)).toEqual(reference);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps every block but the last within bounds and loses no byte (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 60_000 }),
        fc.integer({ min: 1, max: 5000 }),
        async (data, readSize) => {
          const blocks: Uint8Array[] = [];
          for await (const { bytes } of chunkStream(inReads(data, [readSize]), SMALL))
            blocks.push(bytes);
          expect(Buffer.concat(blocks).equals(data)).toBe(true);
          blocks.forEach((block, i) => {
            expect(block.length).toBeLessThanOrEqual(SMALL.maxBytes);
            if (i < blocks.length - 1) expect(block.length).toBeGreaterThanOrEqual(SMALL.minBytes);
            else expect(block.length).toBeGreaterThan(0);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('cuts uniform input at the maximum size', async () => {
    // All-zero input never matches a mask, so only the forced cut at max applies.
    const data = new Uint8Array(3 * SMALL.maxBytes + 5);
    expect(await blockSizes(inReads(data, [5000]), SMALL)).toEqual([
      SMALL.maxBytes,
      SMALL.maxBytes,
      SMALL.maxBytes,
      5,
    ]);
  });

  it('cuts fixed-size blocks when min equals max', async () => {
    const data = seededBytes('random', 3, 10_000);
    const fixed = { minBytes: 3000, avgBytes: 3000, maxBytes: 3000 };
    expect(await blockSizes(inReads(data, [3000]), fixed)).toEqual([3000, 3000, 3000, 1000]);
    expect(await blockSizes(inReads(data, [777]), fixed)).toEqual([3000, 3000, 3000, 1000]);
  });

  it('yields nothing for an empty stream and one block for a short one', async () => {
    expect(await blockSizes(inReads(new Uint8Array(0), [1]), SMALL)).toEqual([]);
    expect(await blockSizes(inReads(Uint8Array.of(42), [1]))).toEqual([1]);
  });

  it('hands out blocks that own their buffer', async () => {
    const data = seededBytes('random', 5, 50_000);
    for await (const { bytes } of chunkStream(inReads(data, [9999]), SMALL)) {
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
    }
  });

  it('rejects invalid bounds and non-byte input', async () => {
    expect(() => resolveChunkBounds({ minBytes: 10, avgBytes: 5, maxBytes: 20 })).toThrow(
      RangeError,
    );
    expect(() =>
      resolveChunkBounds({ maxBytes: 32 * 1024 * 1024, minBytes: 1, avgBytes: 2 }),
    ).toThrow(RangeError);
    expect(() => resolveChunkBounds({ minBytes: 0 })).toThrow(RangeError);
    async function* strings(): AsyncGenerator<Uint8Array> {
      yield 'text' as unknown as Uint8Array;
    }
    await expect(blockSizes(strings())).rejects.toThrow(TypeError);
  });
});
