/**
 * Namespace keys and encoded blocks: GET /keys/{namespace}, POST /blocks/check, PUT and GET
 * /blocks/{namespace}/{hash} (docs/protocol.md "Namespaces, keys and blocks"). Blocks travel
 * encoded (blocks/block-format.ts); this module never looks inside them.
 */
import { BLOCK_KEY_BYTES, MAX_ENCODED_BLOCK_BYTES } from '../blocks/index.js';
import {
  BLOCK_CONTENT_TYPE,
  MAX_CHECK_HASHES,
  type BlockId,
  type CheckBlocksResponse,
  type NamespaceId,
  type NamespaceKeyResponse,
  type PutBlockResponse,
} from '../protocol/index.js';
import type { HttpTransport } from './http-transport.js';
import { RemoteError } from './remote-error.js';
import { checkBlocksSchema, keySchema, putBlockSchema } from './response-schemas.js';

/** One block of one namespace. */
export interface BlockAddress {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
}

export interface BlockApi {
  /**
   * The namespace's 32-byte data key, for encodeBlock/decodeBlock. Keep it in memory only.
   * @throws RemoteError `forbidden` for a namespace the user cannot see.
   */
  getNamespaceKey(namespace: NamespaceId, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Which of `hashes` the namespace lacks, in request order: upload only those. Any number of
   * hashes; more than MAX_CHECK_HASHES are asked in several requests.
   */
  checkBlocks(
    request: { readonly namespace: NamespaceId; readonly hashes: readonly BlockId[] },
    signal: AbortSignal,
  ): Promise<readonly BlockId[]>;
  /**
   * Uploads one encoded block (encodeBlock with the namespace's key). Idempotent: `stored` is
   * false when the namespace had it.
   * @throws RemoteError `invalid_block` (with `reason`), `quota_exceeded`, `forbidden` (viewer).
   */
  putBlock(
    request: BlockAddress & { readonly encoded: Uint8Array },
    signal: AbortSignal,
  ): Promise<PutBlockResponse>;
  /**
   * One encoded block, to decodeBlock (which verifies it) with the namespace's key. With
   * `waitMs`, the server waits that long for a block not stored yet (an announced upload's).
   * @throws RemoteError `not_found` when the namespace does not hold it (by then).
   */
  getBlock(
    address: BlockAddress & { readonly waitMs?: number },
    signal: AbortSignal,
  ): Promise<Uint8Array>;
}

function blockPath({ namespace, id }: BlockAddress): string {
  return `/blocks/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;
}

export function createBlockApi(transport: HttpTransport): BlockApi {
  const checkBatch = async (
    namespace: NamespaceId,
    hashes: readonly BlockId[],
    signal: AbortSignal,
  ): Promise<readonly BlockId[]> => {
    const what = `check ${hashes.length} blocks of ${namespace}`;
    const { missing } = await transport.call<CheckBlocksResponse>(
      { method: 'POST', path: '/blocks/check', json: { namespace, hashes }, what, signal },
      checkBlocksSchema,
    );
    // A block we did not ask about would be uploaded for nothing, or worse, committed.
    const asked = new Set(hashes);
    if (!missing.every((id) => asked.has(id))) {
      throw new RemoteError('invalid_response', `${what}: the server named a block not asked`);
    }
    return missing;
  };

  return {
    async getNamespaceKey(namespace, signal) {
      const what = `read the key of ${namespace}`;
      const answer = await transport.call<NamespaceKeyResponse>(
        { method: 'GET', path: `/keys/${encodeURIComponent(namespace)}`, what, signal },
        keySchema,
      );
      const key = new Uint8Array(Buffer.from(answer.key, 'base64'));
      if (key.length !== BLOCK_KEY_BYTES || answer.namespace !== namespace) {
        throw new RemoteError('invalid_response', `${what}: not a ${BLOCK_KEY_BYTES}-byte key`);
      }
      return key;
    },

    async checkBlocks({ namespace, hashes }, signal) {
      const missing: BlockId[] = [];
      for (let start = 0; start < hashes.length; start += MAX_CHECK_HASHES) {
        const batch = hashes.slice(start, start + MAX_CHECK_HASHES);
        missing.push(...(await checkBatch(namespace, batch, signal)));
      }
      return missing;
    },

    async putBlock(request, signal) {
      const what = `upload block ${request.id}`;
      const answer = await transport.call<PutBlockResponse>(
        {
          method: 'PUT',
          path: blockPath(request),
          body: request.encoded,
          headers: { 'content-type': BLOCK_CONTENT_TYPE },
          what,
          signal,
        },
        putBlockSchema,
      );
      if (answer.id !== request.id) {
        throw new RemoteError('invalid_response', `${what}: the server stored another id`);
      }
      return answer;
    },

    async getBlock(address, signal) {
      const what = `download block ${address.id}`;
      const response = await transport.send({
        method: 'GET',
        path: blockPath(address),
        ...(address.waitMs === undefined ? {} : { query: { waitMs: address.waitMs } }),
        maxResponseBytes: MAX_ENCODED_BLOCK_BYTES,
        what,
        signal,
      });
      transport.expectStatus(response, what, [200]);
      return response.bytes;
    },
  };
}
