import { BoundaryScanner } from './boundary-scanner.js';
import type { BlockBufferPool } from './block-buffer-pool.js';
import type { ChunkBounds } from './chunk-bounds.js';

/** A block assembled in a pooled buffer: `bytes` views [headroom, headroom + length). */
export interface AssembledBlock {
  offset: number;
  bytes: Uint8Array;
}

/**
 * Cuts `source` into content-defined blocks, copying each read into a buffer from `buffers`
 * (after `headroomBytes` left free for in-place encoding) before asking for the next read, so a source may reuse its read buffer (readFileChunks does).
 * Each yielded block owns its pool buffer: the consumer releases it to the pool when done (or
 * hands it to a worker that gives it back).
 * @throws TypeError when the source yields something that is not a Uint8Array.
 */
export async function* assembleBlocks(
  source: AsyncIterable<Uint8Array>,
  options: { bounds: ChunkBounds; buffers: BlockBufferPool; headroomBytes: number },
): AsyncGenerator<AssembledBlock> {
  const { bounds, buffers, headroomBytes } = options;
  const scanner = new BoundaryScanner(bounds);
  let buffer = buffers.acquire();
  let length = 0;
  let offset = 0;
  try {
    for await (const read of source) {
      if (!(read instanceof Uint8Array)) {
        throw new TypeError('block source must yield Uint8Array chunks');
      }
      let from = 0;
      while (from < read.length) {
        const end = scanner.scan(read, from, read.length);
        const stop = end < 0 ? read.length : end;
        buffers.ensureLength(buffer, headroomBytes + length + (stop - from));
        new Uint8Array(buffer, headroomBytes + length, stop - from).set(read.subarray(from, stop));
        length += stop - from;
        if (end < 0) break;
        const block = { offset, bytes: new Uint8Array(buffer, headroomBytes, length) };
        offset += length;
        buffer = buffers.acquire();
        length = 0;
        from = end;
        yield block;
      }
    }
    if (length > 0) {
      const block = { offset, bytes: new Uint8Array(buffer, headroomBytes, length) };
      buffer = buffers.acquire();
      length = 0;
      yield block;
    }
  } finally {
    // The buffer being filled (or a fresh one) goes back, however the consumer stopped.
    buffers.release(buffer);
  }
}
