/**
 * Wire shapes of sharing: POST/GET /shares, PATCH/DELETE /shares/{id}.
 */
import type { NamespaceId, ShareId } from './ids.js';
import type { ShareRole } from './file-types.js';

/** POST /shares body: share the folder at `path` (in the owner's root) with `email`. */
export interface CreateShareRequest {
  readonly path: string;
  readonly email: string;
  readonly role: ShareRole;
}

/** PATCH /shares/{id} body. */
export interface UpdateShareRequest {
  readonly role: ShareRole;
}

/** One share, as its owner or its recipient sees it. */
export interface ShareMetadata {
  readonly id: ShareId;
  readonly namespace: NamespaceId;
  readonly role: ShareRole;
  readonly ownerEmail: string;
  readonly recipientEmail: string;
  /** The folder's path in the caller's own view (owner: where it lives; recipient: the mount). */
  readonly path: string;
  /** When the share was made, epoch milliseconds. */
  readonly created: number;
}

/** GET /shares response: shares the caller owns and shares they received. */
export interface ListSharesResponse {
  readonly owned: readonly ShareMetadata[];
  readonly received: readonly ShareMetadata[];
}
