import type { BlockId } from '../protocol/index.js';
import { encodeBlockInto } from './block-codec.js';
import { isResizable } from './block-buffer-pool.js';
import { HEADER_BYTES, TAG_BYTES } from './block-format.js';

/**
 * In-place encoding: a block assembled HEADER_BYTES into a resizable buffer is encoded over its
 * own bytes (header in the headroom, ciphertext over the plaintext, tag appended), so encoding
 * needs no second block-sized buffer. Halves the memory of every block in flight.
 */

/** Bytes left free before a block's first byte so its header fits in front of it. */
export const IN_PLACE_HEADROOM_BYTES = HEADER_BYTES;

/** Buffer capacity needed to encode a block of up to `maxBlockBytes` in place. */
export function inPlaceCapacity(maxBlockBytes: number): number {
  return HEADER_BYTES + maxBlockBytes + TAG_BYTES;
}

/** True when `plain` sits at the headroom offset of a resizable buffer with room for the tag. */
export function canEncodeInPlace(plain: Uint8Array): boolean {
  const buffer = plain.buffer;
  return (
    buffer instanceof ArrayBuffer &&
    isResizable(buffer) &&
    plain.byteOffset === IN_PLACE_HEADROOM_BYTES &&
    buffer.maxByteLength >= inPlaceCapacity(plain.length)
  );
}

/**
 * Encodes `plain` over its own buffer and returns the encoded block: a view from the start of
 * that buffer, which is resized to fit it exactly. `plain` is destroyed.
 * @throws RangeError when canEncodeInPlace(plain) is false; otherwise as encodeBlock.
 */
export function encodeBlockInPlace(plain: Uint8Array, key: Uint8Array, id: BlockId): Uint8Array {
  if (!canEncodeInPlace(plain)) {
    throw new RangeError('block is not laid out for in-place encoding');
  }
  const buffer = plain.buffer as ArrayBuffer & { resize(byteLength: number): void };
  return encodeBlockInto(plain, key, id, (length) => {
    buffer.resize(length);
    return new Uint8Array(buffer, 0, length);
  });
}
