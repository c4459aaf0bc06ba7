import { BoundaryScanner } from './boundary-scanner.js';
import { resolveChunkBounds, type ChunkerOptions } from './chunk-bounds.js';

/** One block cut from a stream: where it starts in the stream, and its bytes. */
export interface StreamBlock {
  /** Byte offset of the block's first byte in the stream. */
  offset: number;
  /**
   * The block's bytes: a fresh copy the caller owns (its own ArrayBuffer, byteOffset 0), so it
   * can be transferred to a worker without affecting anything else.
   */
  bytes: Uint8Array;
}

/**
 * Splits a byte stream into content-defined blocks (see BoundaryScanner for the exact rule)
 * without holding more than one block plus one read in memory.
 *
 * Boundaries depend only on the bytes, never on how the source splits them into reads. Every
 * block is between `minBytes` and `maxBytes` long except the last, which may be shorter; an empty
 * stream yields no block.
 *
 * The source must not reuse a buffer after yielding it (Node streams do not): reads are referenced
 * until the block they belong to is complete.
 *
 * @example
 * for await (const { offset, bytes } of chunkStream(createReadStream(path, { highWaterMark: 4 << 20 }))) { … }
 * @throws RangeError for invalid options; TypeError when the source yields something that is not
 *   a Uint8Array (a stream opened with an encoding, for instance).
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  options?: ChunkerOptions,
): AsyncGenerator<StreamBlock> {
  const scanner = new BoundaryScanner(resolveChunkBounds(options));
  let pieces: Uint8Array[] = [];
  let pendingBytes = 0;
  let offset = 0;
  for await (const read of source) {
    if (!(read instanceof Uint8Array)) {
      throw new TypeError('chunkStream: the source must yield Uint8Array chunks');
    }
    let from = 0;
    while (from < read.length) {
      const end = scanner.scan(read, from, read.length);
      if (end < 0) {
        pieces.push(read.subarray(from));
        pendingBytes += read.length - from;
        break;
      }
      pieces.push(read.subarray(from, end));
      pendingBytes += end - from;
      yield { offset, bytes: joinPieces(pieces, pendingBytes) };
      offset += pendingBytes;
      pieces = [];
      pendingBytes = 0;
      from = end;
    }
  }
  if (pendingBytes > 0) yield { offset, bytes: joinPieces(pieces, pendingBytes) };
}

/** Copies the pieces of one block into a fresh, exactly sized buffer. */
function joinPieces(pieces: Uint8Array[], totalBytes: number): Uint8Array {
  const bytes = new Uint8Array(totalBytes);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return bytes;
}
