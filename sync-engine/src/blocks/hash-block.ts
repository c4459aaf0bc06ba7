import { createHash } from 'node:crypto';
import type { BlockId } from '../protocol/index.js';

/**
 * The id of a block: SHA-256 of its plaintext bytes as 64 lowercase hex characters (SPEC "The
 * block pipeline"). Ids name blocks on the wire and in the block store, and drive dedup.
 */
export function hashBlock(bytes: Uint8Array): BlockId {
  return createHash('sha256').update(bytes).digest('hex') as BlockId;
}
