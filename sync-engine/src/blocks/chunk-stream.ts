import { assembleBlocks } from './block-assembler.js';
import { BlockBufferPool } from './block-buffer-pool.js';
import { resolveChunkBounds, type ChunkerOptions } from './chunk-bounds.js';

/** One block cut from a stream: where it starts in the stream, and its bytes. */
export interface StreamBlock {
  /** Byte offset of the block's first byte in the stream. */
  offset: number;
  /**
   * The block's bytes: a fresh copy the caller owns (its own ArrayBuffer, byteOffset 0), so it
   * can be kept or transferred to a worker without affecting anything else.
   */
  bytes: Uint8Array;
}

/**
 * Splits a byte stream into content-defined blocks (see BoundaryScanner for the exact rule)
 * holding at most one block in memory.
 *
 * Boundaries depend only on the bytes, never on how the source splits them into reads. Every
 * block is between `minBytes` and `maxBytes` long except the last, which may be shorter; an empty
 * stream yields no block. Each read is copied before the next is requested, so the source may
 * reuse its buffer (readFileChunks does).
 *
 * @example
 * for await (const { offset, bytes } of chunkStream(readFileChunks(path))) { … }
 * @throws RangeError for invalid options; TypeError when the source yields something that is not
 *   a Uint8Array (a stream opened with an encoding, for instance).
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  options?: ChunkerOptions,
): AsyncGenerator<StreamBlock> {
  const bounds = resolveChunkBounds(options);
  // One assembly buffer, reused: each block is copied out exactly sized for the caller.
  const buffers = new BlockBufferPool({
    maxBytes: bounds.maxBytes,
    retainBytes: bounds.maxBytes,
    maxFree: 1,
  });
  for await (const { offset, bytes } of assembleBlocks(source, {
    bounds,
    buffers,
    headroomBytes: 0,
  })) {
    const copy = bytes.slice();
    buffers.release(bytes.buffer);
    yield { offset, bytes: copy };
  }
}
