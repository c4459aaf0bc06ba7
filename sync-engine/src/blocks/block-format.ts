import { CHUNK_MAX_BYTES } from './chunk-bounds.js';
import { BlockDecodeError } from './block-decode-error.js';

/**
 * Byte layout of an encoded block, version 1 (docs/block-format.md is the normative description):
 *
 *   0  4  magic "FRYB"
 *   4  1  format version (1)
 *   5  1  flags: bit 0 = payload is raw DEFLATE; other bits must be 0
 *   6  4  plaintext length, unsigned 32-bit big-endian, ≤ CHUNK_MAX_BYTES
 *  10 12  AES-GCM nonce
 *  22  n  ciphertext of the payload
 *  22+n 16 GCM tag
 */
export const BLOCK_MAGIC = Uint8Array.of(0x46, 0x52, 0x59, 0x42);
export const BLOCK_FORMAT_VERSION = 1;
/** Flag bit: the payload is raw DEFLATE (RFC 1951) of the plaintext; clear = the plaintext. */
export const FLAG_COMPRESSED = 0x01;
const KNOWN_FLAGS = FLAG_COMPRESSED;

export const NONCE_OFFSET = 10;
export const NONCE_BYTES = 12;
export const HEADER_BYTES = NONCE_OFFSET + NONCE_BYTES;
export const TAG_BYTES = 16;

/**
 * Largest valid encoded block: header + tag + a payload of at most CHUNK_MAX_BYTES (a compressed
 * payload is stored only when smaller than the plaintext). Servers use it as the body limit of a
 * block upload.
 */
export const MAX_ENCODED_BLOCK_BYTES = HEADER_BYTES + CHUNK_MAX_BYTES + TAG_BYTES;

/** The fields of a header that passed the structural checks. */
export interface BlockHeader {
  isCompressed: boolean;
  plainLength: number;
  /** Length of the ciphertext between header and tag. */
  payloadLength: number;
}

/**
 * Writes magic, version, flags and plaintext length into out[0, NONCE_OFFSET). The caller fills
 * the nonce.
 */
export function writeHeaderFields(
  out: Uint8Array,
  isCompressed: boolean,
  plainLength: number,
): void {
  out.set(BLOCK_MAGIC, 0);
  out[4] = BLOCK_FORMAT_VERSION;
  out[5] = isCompressed ? FLAG_COMPRESSED : 0;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(6, plainLength, false);
}

/**
 * Checks everything about an encoded block that can be checked before decryption, in this order:
 * total size, magic, version, flags, stated plaintext length, and (for a raw payload) that the
 * payload length equals the plaintext length. Nothing here is trusted yet: the header is also
 * authenticated, so a modified field that passes these checks fails authentication.
 * @throws BlockDecodeError
 */
export function parseHeader(encoded: Uint8Array): BlockHeader {
  if (encoded.length > MAX_ENCODED_BLOCK_BYTES) {
    throw new BlockDecodeError(
      'block_too_large',
      `encoded block is ${encoded.length} bytes, more than the maximum ${MAX_ENCODED_BLOCK_BYTES}`,
    );
  }
  if (encoded.length < HEADER_BYTES + TAG_BYTES) {
    throw new BlockDecodeError(
      'block_format_invalid',
      `encoded block is too short (${encoded.length} bytes)`,
    );
  }
  for (let i = 0; i < BLOCK_MAGIC.length; i++) {
    if (encoded[i] !== BLOCK_MAGIC[i]) {
      throw new BlockDecodeError('block_format_invalid', 'not an encoded block (bad magic)');
    }
  }
  const version = encoded[4]!;
  if (version !== BLOCK_FORMAT_VERSION) {
    throw new BlockDecodeError(
      'block_version_unsupported',
      `block format version ${version} is not supported`,
    );
  }
  const flags = encoded[5]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new BlockDecodeError(
      'block_format_invalid',
      `unknown block flags 0x${flags.toString(16)}`,
    );
  }
  const plainLength = new DataView(
    encoded.buffer,
    encoded.byteOffset,
    encoded.byteLength,
  ).getUint32(6, false);
  if (plainLength > CHUNK_MAX_BYTES) {
    throw new BlockDecodeError(
      'block_too_large',
      `stated plaintext length ${plainLength} exceeds the maximum block size ${CHUNK_MAX_BYTES}`,
    );
  }
  const isCompressed = (flags & FLAG_COMPRESSED) !== 0;
  const payloadLength = encoded.length - HEADER_BYTES - TAG_BYTES;
  if (!isCompressed && payloadLength !== plainLength) {
    throw new BlockDecodeError(
      'block_format_invalid',
      `raw payload of ${payloadLength} bytes does not match the stated length ${plainLength}`,
    );
  }
  return { isCompressed, plainLength, payloadLength };
}

/**
 * Associated data authenticated by AES-GCM: the whole header (so no flag, length or nonce can be
 * changed) followed by the 32-byte binary block id (so a block cannot be served under another id).
 */
export function buildAssociatedData(header: Uint8Array, idHex: string): Buffer {
  const aad = Buffer.alloc(HEADER_BYTES + 32);
  aad.set(header.subarray(0, HEADER_BYTES), 0);
  aad.write(idHex, HEADER_BYTES, 32, 'hex');
  return aad;
}
