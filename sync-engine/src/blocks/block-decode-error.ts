import { EngineError } from '../errors.js';

/**
 * Why an encoded block was rejected. Wire-visible (the server answers an upload with it), so the
 * set is closed and snake_case.
 * - `block_format_invalid`: too short, wrong magic, unknown flag bits or compression codec, or a
 *   length that does not fit the header.
 * - `block_version_unsupported`: a format version this build does not know.
 * - `block_auth_failed`: AES-GCM authentication failed: wrong key, wrong expected id (the id is
 *   authenticated data), or any modified byte.
 * - `block_decompress_failed`: the authenticated payload is not valid DEFLATE or Brotli (as the
 *   flags say) of the stated length.
 * - `block_hash_mismatch`: the plaintext does not hash to the expected id (an encoder holding the
 *   key labelled the block with someone else's id).
 * - `block_too_large`: the encoded block or its stated plaintext length exceeds the maximum.
 */
export const BLOCK_DECODE_ERROR_CODES = [
  'block_format_invalid',
  'block_version_unsupported',
  'block_auth_failed',
  'block_decompress_failed',
  'block_hash_mismatch',
  'block_too_large',
] as const;

/** One of {@link BLOCK_DECODE_ERROR_CODES}. */
export type BlockDecodeErrorCode = (typeof BLOCK_DECODE_ERROR_CODES)[number];

/**
 * Thrown by `decodeBlock` (and the codec pool's `decode`) when an encoded block cannot be turned
 * back into the plaintext it claims to be. Decoding never returns bytes that were not verified.
 * Messages never contain block contents or keys.
 */
export class BlockDecodeError extends EngineError<BlockDecodeErrorCode> {
  constructor(code: BlockDecodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'BlockDecodeError';
  }
}

/** True when `value` is one of the closed set of decode error codes. */
export function isBlockDecodeErrorCode(value: unknown): value is BlockDecodeErrorCode {
  return (BLOCK_DECODE_ERROR_CODES as readonly unknown[]).includes(value);
}
