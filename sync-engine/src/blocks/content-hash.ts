/**
 * The content hash of a file version: SHA-256 over the concatenated raw 32-byte block ids, in
 * file order (protocol/file-types.ts). Equal contents give equal hashes; the client computes
 * the same from its block list without re-reading the file.
 */
import { createHash } from 'node:crypto';
import type { BlockId } from '../protocol/index.js';

export function contentHashOf(blocks: readonly BlockId[]): string {
  const hash = createHash('sha256');
  for (const id of blocks) hash.update(Buffer.from(id, 'hex'));
  return hash.digest('hex');
}
