/**
 * Sharing: POST /shares, GET /shares, PATCH and DELETE /shares/{id} (docs/protocol.md
 * "Sharing"). Creating the first share of a folder, and removing the last, re-encrypts the
 * folder's blocks on the server, so those calls may take long: they get the slow timeout.
 */
import type {
  CreateShareRequest,
  ListSharesResponse,
  ShareId,
  ShareMetadata,
  ShareRole,
} from '../protocol/index.js';
import type { HttpTransport } from './http-transport.js';
import { deleteShareSchema, shareSchema, sharesSchema } from './response-schemas.js';

export interface ShareApi {
  /**
   * Shares a folder of the user's root with `email` as viewer or editor.
   * @throws RemoteError `not_found` (no such user or folder), `already_shared`, `path_conflict`
   *   (a share inside a share), `unavailable` with `retryAfterMs` (the folder kept changing).
   */
  createShare(request: CreateShareRequest, signal: AbortSignal): Promise<ShareMetadata>;
  /** The shares the user owns and the shares they received. */
  listShares(signal: AbortSignal): Promise<ListSharesResponse>;
  /**
   * Changes a recipient's role.
   * @throws RemoteError `forbidden` unless the user owns the share, `not_found`.
   */
  updateShare(
    request: { readonly id: ShareId; readonly role: ShareRole },
    signal: AbortSignal,
  ): Promise<ShareMetadata>;
  /** Revokes a share (owner) or leaves it (recipient). */
  deleteShare(id: ShareId, signal: AbortSignal): Promise<{ readonly id: ShareId }>;
}

export function createShareApi(transport: HttpTransport): ShareApi {
  return {
    createShare: (request, signal) =>
      transport.call<ShareMetadata>(
        {
          method: 'POST',
          path: '/shares',
          json: request,
          timing: 'slow',
          what: `share ${request.path} with ${request.email}`,
          signal,
        },
        shareSchema,
      ),
    listShares: (signal) =>
      transport.call<ListSharesResponse>(
        { method: 'GET', path: '/shares', what: 'list shares', signal },
        sharesSchema,
      ),
    updateShare: ({ id, role }, signal) =>
      transport.call<ShareMetadata>(
        {
          method: 'PATCH',
          path: `/shares/${encodeURIComponent(id)}`,
          json: { role },
          what: `make share ${id} ${role}`,
          signal,
        },
        shareSchema,
      ),
    deleteShare: (id, signal) =>
      transport.call<{ id: ShareId }>(
        {
          method: 'DELETE',
          path: `/shares/${encodeURIComponent(id)}`,
          timing: 'slow',
          what: `remove share ${id}`,
          signal,
        },
        deleteShareSchema,
      ),
  };
}
