import { describe, expect, it } from 'vitest';
import { seededBytes } from '../testkit/index.js';
import { chunkAgainst, type KnownBlock } from './chunk-against.js';
import { chunkStream } from './chunk-stream.js';
import { loadBlockFingerprint } from './fingerprint.js';
import { hashBlock } from './hash-block.js';

const CHUNKER = { minBytes: 1024, avgBytes: 4096, maxBytes: 16384 };

async function* whole(bytes: Uint8Array) {
  yield bytes;
}

async function known(bytes: Uint8Array): Promise<KnownBlock[]> {
  const fingerprint = await loadBlockFingerprint();
  const blocks: KnownBlock[] = [];
  for await (const block of chunkStream(whole(bytes), CHUNKER)) {
    blocks.push({
      offset: block.offset,
      size: block.bytes.length,
      id: hashBlock(block.bytes),
      xxhash: fingerprint(block.bytes),
    });
  }
  return blocks;
}

/** chunkAgainst over `now`, and which of its blocks it took from `before`'s list. */
async function chunkEdited(before: Uint8Array, now: Uint8Array) {
  let reads = 0;
  const read = async (offset: number, length: number, into: Uint8Array) => {
    reads += 1;
    const bytes = now.subarray(offset, offset + length);
    into.set(bytes);
    return into.subarray(0, bytes.length);
  };
  const blocks = [];
  for await (const block of chunkAgainst(read, now.length, await known(before), CHUNKER)) {
    // The bytes are valid until the next block is asked for: check them now.
    expect(block.bytes).toEqual(now.subarray(block.offset, block.offset + block.size));
    blocks.push({ ...block, bytes: undefined });
  }
  return { blocks, reads };
}

async function expectSameAsChunkStream(before: Uint8Array, now: Uint8Array) {
  const { blocks } = await chunkEdited(before, now);
  const expected = await known(now);
  expect(blocks.map((b) => [b.offset, b.size, b.xxhash])).toEqual(
    expected.map((b) => [b.offset, b.size, b.xxhash]),
  );
  for (const block of blocks) {
    if (block.reused)
      expect(block.id).toBe(hashBlock(now.subarray(block.offset, block.offset + block.size)));
  }
  return blocks;
}

describe('chunkAgainst', () => {
  const original = seededBytes('random', 3, 256 * 1024);

  it('a 1-byte change in the middle: the boundaries of chunkStream, one block new', async () => {
    const edited = original.slice();
    edited[128 * 1024]! ^= 0xff;
    const blocks = await expectSameAsChunkStream(original, edited);
    expect(blocks.filter((b) => !b.reused).length).toBeLessThanOrEqual(2);
    expect(blocks.filter((b) => b.reused).length).toBeGreaterThan(blocks.length - 3);
  });

  it('a byte inserted at the start, or removed: shifted blocks are found again', async () => {
    const inserted = new Uint8Array(original.length + 1);
    inserted[0] = 0x42;
    inserted.set(original, 1);
    for (const now of [inserted, original.subarray(1)]) {
      const blocks = await expectSameAsChunkStream(original, now);
      const fresh = blocks.filter((b) => !b.reused);
      expect(fresh.length).toBeLessThanOrEqual(2);
      expect(fresh.every((b) => b.offset < 32 * 1024)).toBe(true);
    }
  });

  it('edits in several places, a grown and a truncated end, an unrelated file', async () => {
    const several = original.slice();
    several[10_000]! ^= 1;
    several[200_000]! ^= 1;
    await expectSameAsChunkStream(original, several);
    const grown = new Uint8Array(original.length + 5000);
    grown.set(original);
    await expectSameAsChunkStream(original, grown);
    await expectSameAsChunkStream(original, original.subarray(0, original.length - 3000));
    await expectSameAsChunkStream(original, seededBytes('random', 4, 100_000));
    await expectSameAsChunkStream(original, new Uint8Array(0));
  });

  it('an unchanged file is read block by block, each once', async () => {
    const { blocks, reads } = await chunkEdited(original, original);
    expect(blocks.every((b) => b.reused)).toBe(true);
    expect(reads).toBe(blocks.length);
  });
});
