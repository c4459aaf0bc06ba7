import type { BlockId } from '../protocol/index.js';
import { BoundaryScanner } from './boundary-scanner.js';
import { resolveChunkBounds, type ChunkerOptions } from './chunk-bounds.js';
import { loadBlockFingerprint } from './fingerprint.js';

/** A block of the file's previous version: where it was, which block, and its xxHash64. */
export interface KnownBlock {
  readonly offset: number;
  readonly size: number;
  readonly id: BlockId;
  readonly xxhash: string;
}

/** One block of the file as it is now: a known block found again, or new bytes. */
export type ChunkedBlock =
  | {
      readonly offset: number;
      readonly size: number;
      readonly xxhash: string;
      /** The known block's id: its bytes are unchanged (same length and xxHash). */
      readonly id: BlockId;
      /** The block's bytes (the caller may fingerprint them; nothing needs to encode them). */
      readonly bytes: Uint8Array;
      readonly reused: true;
    }
  | {
      readonly offset: number;
      readonly size: number;
      readonly xxhash: string;
      readonly bytes: Uint8Array;
      readonly reused: false;
    };

/**
 * Reads `length` bytes of the file from `offset` (fewer only at its end) into `into`, returning
 * the bytes read as a view of it.
 */
export type ReadRange = (offset: number, length: number, into: Uint8Array) => Promise<Uint8Array>;

/**
 * Chunks a file of `fileSize` bytes exactly as chunkStream would, using its previous version's
 * block list to skip the gear hash wherever the content is unchanged.
 *
 * Why this gives chunkStream's boundaries: a boundary depends only on the bytes from the start
 * of its block (BoundaryScanner). So where a block starts at a boundary and the next `size`
 * bytes are a known block (same length and xxHash64), the chunker would cut exactly there
 * again: that block ends at a boundary and the next one starts. Only a file's last block ends
 * without a cut, so a known last block is taken only where the file ends with it. Elsewhere the
 * gear hash cuts the new bytes; content-defined boundaries fall back into step with the old ones
 * within a block or two of a change, and each new boundary is tried against the known block
 * that starts there under the current shift (the last match's, none, or the size difference).
 * xxHash64 is not an identity (block ids are SHA-256): a collision of a known block with new
 * bytes of the same length, 2^-64 per try, would go unnoticed; local edits are not adversarial.
 *
 * Reads are positioned and one ahead; each block is read once (a new one a little further, up
 * to the largest block size, to find its end). A yielded block's bytes are valid until the next
 * block is asked for: the buffer is then read into again.
 */
export async function* chunkAgainst(
  read: ReadRange,
  fileSize: number,
  previous: readonly KnownBlock[],
  options?: ChunkerOptions,
): AsyncGenerator<ChunkedBlock> {
  const bounds = resolveChunkBounds(options);
  const fingerprint = await loadBlockFingerprint();
  const byOffset = new Map(previous.map((block) => [block.offset, block]));
  const last = previous.at(-1);
  const previousSize = last === undefined ? 0 : last.offset + last.size;
  let shift = 0;

  // Two buffers, reused (fresh memory for each block would cost more than reading it): the one
  // holding the block last yielded, and the one the read ahead fills. Each grows to the largest
  // read it takes (a new block's window: up to the largest block size).
  const buffers = [new Uint8Array(0), new Uint8Array(0)];
  const bufferFor = (index: number, length: number): Uint8Array => {
    if (buffers[index]!.length < length) buffers[index] = new Uint8Array(length);
    return buffers[index]!;
  };
  let current = 0;
  let ahead:
    { offset: number; length: number; index: number; bytes: Promise<Uint8Array> } | undefined;
  const readAt = async (offset: number, length: number): Promise<Uint8Array> => {
    if (ahead !== undefined) {
      const done = ahead;
      ahead = undefined;
      if (done.offset === offset && done.length === length) {
        current = done.index;
        return done.bytes;
      }
      // Not the range wanted: let it finish before its buffer is read into again.
      await done.bytes.catch(() => undefined);
    }
    return read(offset, length, bufferFor(current, length));
  };
  const readAhead = (offset: number) => {
    const next = byOffset.get(offset - shift);
    if (next === undefined || offset + next.size > fileSize) return;
    const index = 1 - current;
    const bytes = read(offset, next.size, bufferFor(index, next.size));
    bytes.catch(() => undefined); // observed when used; dropped if not
    ahead = { offset, length: next.size, index, bytes };
  };
  const knownAt = (position: number): KnownBlock[] => {
    const shifts = new Set([shift, 0, fileSize - previousSize]);
    return [...shifts].flatMap((s) => {
      const known = byOffset.get(position - s);
      if (known === undefined || position + known.size > fileSize) return [];
      if (known === last && position + known.size !== fileSize) return [];
      return [known];
    });
  };

  let position = 0;
  outer: while (position < fileSize) {
    for (const known of knownAt(position)) {
      const bytes = await readAt(position, known.size);
      if (bytes.length !== known.size) throw new Error('the file got shorter while it was read');
      const xxhash = fingerprint(bytes);
      if (xxhash !== known.xxhash) continue;
      shift = position - known.offset;
      const offset = position;
      position += known.size;
      readAhead(position);
      yield { offset, size: known.size, xxhash, id: known.id, bytes, reused: true };
      continue outer;
    }
    const window = await readAt(position, Math.min(bounds.maxBytes, fileSize - position));
    if (window.length === 0) throw new Error('the file got shorter while it was read');
    const cut = new BoundaryScanner(bounds).scan(window, 0, window.length);
    const bytes = window.subarray(0, cut < 0 ? window.length : cut);
    const offset = position;
    position += bytes.length;
    readAhead(position);
    yield { offset, size: bytes.length, xxhash: fingerprint(bytes), bytes, reused: false };
  }
}
