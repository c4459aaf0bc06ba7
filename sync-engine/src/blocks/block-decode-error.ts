import { EngineError } from '../errors.js';
import { BLOCK_DECODE_ERROR_CODES, type BlockDecodeErrorCode } from '../protocol/index.js';
/**
 * Thrown (with a code from the wire-visible set in protocol/errors.ts) by `decodeBlock` (and the codec pool's `decode`) when an encoded block cannot be turned
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
