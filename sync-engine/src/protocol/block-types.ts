/**
 * Wire shapes of the block endpoints and the namespace key endpoint. A block travels encoded
 * (compressed, then AES-256-GCM under its namespace's key; see sync-engine/src/blocks).
 */
import type { BlockId, NamespaceId } from './ids.js';

/** POST /blocks/check body. */
export interface CheckBlocksRequest {
  readonly namespace: NamespaceId;
  readonly hashes: readonly BlockId[];
}

/** POST /blocks/check response: the subset of `hashes` to upload, in request order. */
export interface CheckBlocksResponse {
  readonly missing: readonly BlockId[];
}

/** PUT /blocks/{namespace}/{hash} response. */
export interface PutBlockResponse {
  readonly id: BlockId;
  /** False when the namespace already held the block (idempotent). */
  readonly stored: boolean;
}

/** GET /keys/{namespace} response: the namespace's 32-byte data key, base64. */
export interface NamespaceKeyResponse {
  readonly namespace: NamespaceId;
  readonly key: string;
}

/** The Content-Type of a block body on PUT and GET. */
export const BLOCK_CONTENT_TYPE = 'application/octet-stream';
