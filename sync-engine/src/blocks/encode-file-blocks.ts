import type { BlockId } from '../protocol/index.js';
import { BLOCK_KEY_BYTES, encodeBlock } from './block-codec.js';
import type { ChunkerOptions } from './chunk-bounds.js';
import { chunkStream } from './chunk-stream.js';
import type { BlockCodecPool, EncodedBlock } from './codec-pool.js';
import { hashBlock } from './hash-block.js';

/** One block of a file, ready to upload. */
export interface EncodedFileBlock {
  /** Offset of the block in the file, bytes. */
  offset: number;
  /** Plaintext size, bytes. */
  size: number;
  id: BlockId;
  /** The encoded block (docs/block-format.md). */
  encoded: Uint8Array;
}

export interface EncodeFileOptions {
  /** Encode in this pool's workers (fast); without one, blocks are encoded on the calling thread. */
  pool?: BlockCodecPool;
  chunker?: ChunkerOptions;
  /**
   * Upper bound of plaintext bytes handed to the pool and not yet yielded (default 64 MiB; one
   * block is always allowed). Together with one block being cut, this bounds memory.
   */
  maxInFlightBytes?: number;
}

const DEFAULT_MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

interface PendingBlock {
  offset: number;
  size: number;
  result: Promise<EncodedBlock>;
}

/**
 * Chunks a file's bytes and encodes every block with `key`, yielding blocks in file order as they
 * become ready. Streaming and bounded: with a pool, at most 2 × workers + 1 blocks and about
 * `maxInFlightBytes` of plaintext are in the workers at a time, and nothing more is read until the
 * consumer takes the next block. Stopping early (break) is fine; running tasks finish unobserved.
 *
 * @example
 * for await (const block of encodeFileBlocks(createReadStream(path, { highWaterMark: 4 << 20 }), key, { pool })) {
 *   await putBlock(block.id, block.encoded);
 * }
 * @throws RangeError for a key that is not 32 bytes or invalid chunker options; the source's
 *   errors; pool errors.
 */
export async function* encodeFileBlocks(
  source: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  options: EncodeFileOptions = {},
): AsyncGenerator<EncodedFileBlock> {
  if (!(key instanceof Uint8Array) || key.length !== BLOCK_KEY_BYTES) {
    throw new RangeError(`a block key must be ${BLOCK_KEY_BYTES} bytes`);
  }
  const { pool } = options;
  if (!pool) {
    for await (const { offset, bytes } of chunkStream(source, options.chunker)) {
      const id = hashBlock(bytes);
      yield { offset, size: bytes.length, id, encoded: encodeBlock(bytes, key, id) };
    }
    return;
  }
  const maxInFlightBytes = options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
  // Two blocks per worker keep every worker busy while the main thread cuts the next block.
  const maxInFlightBlocks = 2 * pool.workerCount + 1;
  const pending: PendingBlock[] = [];
  let pendingBytes = 0;

  async function takeHead(): Promise<EncodedFileBlock> {
    const head = pending.shift()!;
    pendingBytes -= head.size;
    const { id, encoded } = await head.result;
    return { offset: head.offset, size: head.size, id, encoded };
  }

  for await (const { offset, bytes } of chunkStream(source, options.chunker)) {
    const size = bytes.length;
    // The chunker hands over a fresh buffer per block, so it can move to the worker uncopied.
    const result = pool.encode(bytes, key, { transfer: true });
    // A later block may fail while an earlier one is awaited; its rejection is observed when its
    // turn comes (or dropped if the consumer stops first), so it must not count as unhandled.
    result.catch(() => undefined);
    pending.push({ offset, size, result });
    pendingBytes += size;
    while (pending.length >= maxInFlightBlocks || pendingBytes >= maxInFlightBytes) {
      yield await takeHead();
    }
  }
  while (pending.length > 0) yield await takeHead();
}
