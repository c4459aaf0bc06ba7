import type { BlockId } from '../protocol/index.js';
import { assembleBlocks } from './block-assembler.js';
import { BlockBufferPool } from './block-buffer-pool.js';
import { BLOCK_KEY_BYTES, encodeBlock } from './block-codec.js';
import { FLAGS_OFFSET, FLAG_COMPRESSED } from './block-format.js';
import { CHUNK_AVG_BYTES, resolveChunkBounds, type ChunkerOptions } from './chunk-bounds.js';
import type { BlockCodecPool, EncodedBlock } from './codec-pool.js';
import { IN_PLACE_HEADROOM_BYTES, encodeBlockInPlace, inPlaceCapacity } from './encode-in-place.js';
import { loadBlockFingerprint } from './fingerprint.js';
import { hashBlock } from './hash-block.js';

/** One block of a file, ready to upload. */
export interface EncodedFileBlock {
  /** Offset of the block in the file, bytes. */
  offset: number;
  /** Plaintext size, bytes. */
  size: number;
  id: BlockId;
  /** xxHash64 of the plaintext, 16 lowercase hex characters (fingerprint.ts). */
  xxhash: string;
  /** The encoded block (docs/block-format.md). */
  encoded: Uint8Array;
  /**
   * Optional: hands `encoded`'s buffer back for the next blocks once you are done with it (after
   * the upload); `encoded` must not be used afterwards. Without it the buffer is simply garbage
   * collected, but calling it keeps memory flat on large files (docs/performance.md).
   */
  release(): void;
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
/**
 * A recycled buffer keeps at most this much resident between blocks: twice the average, so most
 * blocks fit without faulting pages in again (measured: same peak RSS as 4 MiB, less system time).
 */
const RETAINED_BUFFER_BYTES = 2 * CHUNK_AVG_BYTES;

/** True when an encoded block's payload is the plaintext (flags byte, docs/block-format.md). */
export function isStoredRaw(encoded: Uint8Array): boolean {
  return ((encoded[FLAGS_OFFSET] ?? 0) & FLAG_COMPRESSED) === 0;
}

/**
 * The source whole when it ends before `minBytes` (a file smaller than the smallest block: one
 * block, and most synced files), else the same bytes as a source again. Such a block is encoded
 * in a plain buffer of its size: the pooled buffers reserve room for the largest block, and
 * setting up and resizing them cost a 10 KiB file far more than encoding it (docs/performance.md
 * "Sync").
 */
async function wholeIfSmall(
  source: AsyncIterable<Uint8Array>,
  minBytes: number,
): Promise<{ whole: Uint8Array } | { rest: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      return { whole: head.length === 1 ? head[0]! : Buffer.concat(head, headBytes) };
    }
    if (!(next.value instanceof Uint8Array)) {
      throw new TypeError('block source must yield Uint8Array chunks');
    }
    head.push(next.value.slice()); // the source may reuse its read buffer
    headBytes += next.value.length;
    if (headBytes >= minBytes) break;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* head;
    head.length = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { rest: rest() };
}

interface PendingBlock {
  offset: number;
  size: number;
  xxhash: string;
  result: Promise<EncodedBlock>;
}

/**
 * Chunks a file's bytes and encodes every block with `key`, yielding blocks in file order as they
 * become ready. Streaming and bounded: with a pool, at most workers + 1 blocks and about
 * `maxInFlightBytes` of plaintext are being encoded at a time, and nothing more is read until the
 * consumer takes the next block. Each block is encoded over its own buffer (encode-in-place.ts),
 * and buffers the consumer releases are reused (block-buffer-pool.ts). Stopping early (break) is
 * fine; running tasks finish unobserved.
 *
 * Pass readFileChunks(path) as the source for files: it reuses its read buffers (any
 * AsyncIterable works; reads are copied before the next is requested).
 *
 * @example
 * for await (const block of encodeFileBlocks(readFileChunks(path), key, { pool })) {
 *   await putBlock(block.id, block.encoded);
 *   block.release();
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
  const bounds = resolveChunkBounds(options.chunker);
  const { pool } = options;
  const small = await wholeIfSmall(source, bounds.minBytes);
  const fingerprint = await loadBlockFingerprint();
  if ('whole' in small) {
    const bytes = small.whole;
    if (bytes.length === 0) return;
    const id = hashBlock(bytes);
    const encoded = encodeBlock(bytes, key, id);
    yield { offset: 0, size: bytes.length, id, xxhash: fingerprint(bytes), encoded, release() {} };
    return;
  }
  // One spare block per pool keeps the workers fed while the main thread cuts the next block;
  // each block in flight costs its size in memory (docs/performance.md).
  const maxInFlightBlocks = pool ? pool.workerCount + 1 : 1;
  // Each block is encoded over its own buffer, which then holds the encoded block until the
  // consumer releases it.
  const buffers = new BlockBufferPool({
    maxBytes: inPlaceCapacity(bounds.maxBytes),
    retainBytes: RETAINED_BUFFER_BYTES,
    maxFree: maxInFlightBlocks + 2,
  });
  const fileBlock = (
    offset: number,
    size: number,
    id: BlockId,
    xxhash: string,
    encoded: Uint8Array,
  ) => {
    let isReleased = false;
    const release = () => {
      if (!isReleased) buffers.release(encoded.buffer);
      isReleased = true;
    };
    return { offset, size, id, xxhash, encoded, release };
  };
  const blocks = assembleBlocks(small.rest, {
    bounds,
    buffers,
    headroomBytes: IN_PLACE_HEADROOM_BYTES,
  });

  if (!pool) {
    for await (const { offset, bytes } of blocks) {
      const size = bytes.length;
      const id = hashBlock(bytes);
      const xxhash = fingerprint(bytes);
      yield fileBlock(offset, size, id, xxhash, encodeBlockInPlace(bytes, key, id));
    }
    return;
  }

  const maxInFlightBytes = options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
  const pending: PendingBlock[] = [];
  let pendingBytes = 0;
  // Incompressible blocks (stored raw) cost a worker about what cutting them costs this thread,
  // so one worker with one block queued keeps pace; a second worker only competes with this
  // thread for the cores and holds more blocks (measured: ~400 instead of ~510 MB/s, +20 MB).
  // Compressible blocks cost several times more: use every worker.
  // Start as if incompressible: a compressible file switches over after its first block.
  let isRecentBlockRaw = true;
  const inFlightLimit = () => (isRecentBlockRaw ? 2 : maxInFlightBlocks);
  async function takeHead(): Promise<EncodedFileBlock> {
    const head = pending.shift()!;
    pendingBytes -= head.size;
    const { id, encoded } = await head.result;
    isRecentBlockRaw = isStoredRaw(encoded);
    return fileBlock(head.offset, head.size, id, head.xxhash, encoded);
  }

  for await (const { offset, bytes } of blocks) {
    const size = bytes.length;
    const xxhash = fingerprint(bytes); // before its buffer leaves this thread
    // The block's buffer moves to a worker and comes back holding the encoded block.
    const result = pool.encode(bytes, key, {
      inPlace: true,
      maxWorkers: isRecentBlockRaw ? 1 : undefined,
    });
    // A later block may fail while an earlier one is awaited; its rejection is observed when its
    // turn comes (or dropped if the consumer stops first), so it must not count as unhandled.
    result.catch(() => undefined);
    pending.push({ offset, size, xxhash, result });
    pendingBytes += size;
    while (pending.length >= inFlightLimit() || pendingBytes >= maxInFlightBytes) {
      yield await takeHead();
    }
  }
  while (pending.length > 0) yield await takeHead();
}
