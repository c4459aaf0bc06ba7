import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { isBlockId, type BlockId } from '../protocol/index.js';
import { compressBlock, decompressBlock } from './block-compress.js';
import { CHUNK_MAX_BYTES } from './chunk-bounds.js';
import { BlockDecodeError } from './block-decode-error.js';
import {
  HEADER_BYTES,
  NONCE_BYTES,
  NONCE_OFFSET,
  TAG_BYTES,
  buildAssociatedData,
  parseHeader,
  writeHeaderFields,
} from './block-format.js';
import { hashBlock } from './hash-block.js';

/** Length of a namespace data key: AES-256. */
export const BLOCK_KEY_BYTES = 32;
const CIPHER = 'aes-256-gcm';
const CIPHER_SLICE_BYTES = 16 * 1024;

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== BLOCK_KEY_BYTES) {
    // The message states the expected length only; never the key.
    throw new RangeError(`a block key must be ${BLOCK_KEY_BYTES} bytes`);
  }
}

function checkId(id: string): void {
  if (!isBlockId(id)) throw new TypeError('a block id must be 64 lowercase hex characters');
}

/**
 * Encodes one plaintext block for the wire and the block store: compress with Brotli (unless
 * incompressible), then AES-256-GCM with a fresh random nonce, the header and the block id as
 * associated data. The result is self-describing (docs/block-format.md) and at most
 * MAX_ENCODED_BLOCK_BYTES long.
 *
 * @param plain  the block, at most CHUNK_MAX_BYTES bytes
 * @param key    the namespace's 32-byte data key
 * @param id     the block's id when the caller already computed it (saves one SHA-256 pass); it
 *   must be hashBlock(plain): a wrong id yields a block that fails to decode with
 *   `block_hash_mismatch`.
 * @throws RangeError for an oversized block or a key that is not 32 bytes; TypeError for a
 *   malformed id.
 */
export function encodeBlock(plain: Uint8Array, key: Uint8Array, id?: BlockId): Uint8Array {
  return encodeBlockInto(plain, key, id ?? hashBlock(plain), (length) => new Uint8Array(length));
}

/**
 * encodeBlock writing into storage from `allocate`, called once with the encoded length after
 * compression: a new Uint8Array for encodeBlock, the block's own buffer for encodeBlockInPlace.
 * Writes go strictly behind the reads of `plain`, so `allocate` may return memory that overlaps
 * `plain` shifted by HEADER_BYTES.
 */
export function encodeBlockInto(
  plain: Uint8Array,
  key: Uint8Array,
  id: BlockId,
  allocate: (length: number) => Uint8Array,
): Uint8Array {
  checkKey(key);
  // Read once: when encoding in place, allocate() may shrink the buffer under `plain`.
  const plainLength = plain.length;
  if (plainLength > CHUNK_MAX_BYTES) {
    throw new RangeError(`a block is at most ${CHUNK_MAX_BYTES} bytes, got ${plainLength}`);
  }
  checkId(id);
  const { payload, compression } = compressBlock(plain);
  const out = allocate(HEADER_BYTES + payload.length + TAG_BYTES);
  writeHeaderFields(out, compression, plainLength);
  const nonce = out.subarray(NONCE_OFFSET, NONCE_OFFSET + NONCE_BYTES);
  randomFillSync(nonce);
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(buildAssociatedData(out, id));
  // Encrypt in slices: Node allocates a new buffer for every update() that lives until the next
  // GC; small ones are recycled by the allocator, block-sized ones pile up (measured on the
  // single-thread 1 GiB encode: 190 -> 155 MB peak RSS). 16 KiB slices were also the fastest
  // (docs/performance.md).
  for (let at = 0; at < payload.length; at += CIPHER_SLICE_BYTES) {
    const slice = payload.subarray(at, Math.min(payload.length, at + CIPHER_SLICE_BYTES));
    out.set(cipher.update(slice), HEADER_BYTES + at);
  }
  cipher.final();
  out.set(cipher.getAuthTag(), HEADER_BYTES + payload.length);
  return out;
}

/**
 * Decodes an encoded block and proves it is the block named `expectedId`: parse the header,
 * authenticate and decrypt (the header and `expectedId` are authenticated data), decompress with
 * an output limit (Brotli or DEFLATE, as the header says), then re-hash. Returns the plaintext
 * only when every step succeeded.
 *
 * @throws BlockDecodeError with `code`:
 *   block_too_large, block_format_invalid, block_version_unsupported (header checks, before any
 *   crypto); block_auth_failed (wrong key, wrong expected id, any modified byte);
 *   block_decompress_failed; block_hash_mismatch.
 * @throws RangeError for a key that is not 32 bytes; TypeError for a malformed expectedId.
 */
export function decodeBlock(encoded: Uint8Array, key: Uint8Array, expectedId: BlockId): Uint8Array {
  checkKey(key);
  checkId(expectedId);
  const header = parseHeader(encoded);
  const nonce = encoded.subarray(NONCE_OFFSET, NONCE_OFFSET + NONCE_BYTES);
  const payloadEnd = HEADER_BYTES + header.payloadLength;
  let payload: Uint8Array;
  try {
    const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(buildAssociatedData(encoded, expectedId));
    decipher.setAuthTag(encoded.subarray(payloadEnd, payloadEnd + TAG_BYTES));
    // GCM releases plaintext before the tag is checked; nothing is used until final() passed.
    payload = decipher.update(encoded.subarray(HEADER_BYTES, payloadEnd));
    decipher.final();
  } catch (error) {
    throw new BlockDecodeError(
      'block_auth_failed',
      'block failed authentication (wrong key, wrong id or modified bytes)',
      { cause: error },
    );
  }
  const plain =
    header.compression === 'none'
      ? payload
      : decompressBlock(payload, header.compression, header.plainLength);
  const actualId = hashBlock(plain);
  if (actualId !== expectedId) {
    throw new BlockDecodeError(
      'block_hash_mismatch',
      `block content hashes to ${actualId}, expected ${expectedId}`,
    );
  }
  return plain;
}
