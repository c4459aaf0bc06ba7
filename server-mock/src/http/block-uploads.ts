/**
 * What the block routes share, single (block-routes.ts) and batched (block-batch-routes.ts): the
 * caller's role in the namespace, and the one way an uploaded block is stored: verified first
 * (decrypted with the namespace key, decompressed, hashed), so the store only ever holds blocks
 * that decode to their id, then stored durably under a quota reservation (store-block.ts).
 */
import type { FastifyRequest } from 'fastify';
import { BlockDecodeError } from 'sync-engine/blocks';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { AccessRole } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import type { QuotaReservation } from '../transfer/quota-reservation.js';
import { publishBlockStored } from '../transfer/block-arrival.js';
import { storeBlock } from '../transfer/store-block.js';
import { viewOf } from './request-paths.js';

/** The caller's role in `namespace`; forbidden when they have none, or only view and `write`. */
export async function requireNamespaceRole(
  ctx: ServerContext,
  request: FastifyRequest,
  namespace: NamespaceId,
  write: boolean,
): Promise<AccessRole> {
  const role = (await viewOf(ctx, request)).roleIn(namespace);
  if (role === undefined) throw new ServerError('forbidden', `no access to namespace ${namespace}`);
  if (write && role === 'viewer') throw new ServerError('forbidden', 'viewers cannot upload');
  return role;
}

/** An encoded block as uploaded. */
export interface UploadedBlock {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
  readonly encoded: Uint8Array;
}

/**
 * Decodes `block` with its namespace's key, expecting `id`: its plaintext size, and its encoded
 * bytes (the same bytes, handed to the codec's worker and back without a copy when they own
 * their buffer; `block.encoded` is then detached). Throws invalid_block (with `reason`) when it
 * does not decode to `id`.
 */
async function verifyUploadedBlock(
  ctx: Pick<ServerContext, 'codec' | 'keyring'>,
  block: UploadedBlock,
): Promise<{ plainLength: number; encoded: Uint8Array }> {
  const { namespace, id, encoded } = block;
  try {
    const key = await ctx.keyring.keyOf(namespace);
    return await ctx.codec.verify(encoded, key, id, { transfer: true });
  } catch (error) {
    if (error instanceof BlockDecodeError) {
      throw new ServerError('invalid_block', `block ${id} failed verification (${error.message})`, {
        cause: error,
        details: { reason: error.code },
      });
    }
    throw error;
  }
}

/**
 * Stores an uploaded block unless the namespace holds it: verified, then stored under
 * `reservation` (grown before the bytes are written). True when newly stored. Throws
 * invalid_block, quota_exceeded, forbidden (write access lost meanwhile).
 */
export async function storeUploadedBlock(
  ctx: ServerContext,
  block: UploadedBlock,
  reservation: QuotaReservation,
): Promise<boolean> {
  ctx.metrics.blocksUploaded.inc();
  if (await ctx.store.hasBlock(block.namespace, block.id)) return false;
  const { plainLength, encoded } = await verifyUploadedBlock(ctx, block);
  const stored = await storeBlock(ctx, { ...block, encoded, plainSize: plainLength, reservation });
  // Readers of an announced upload may be waiting for this block (streaming sync).
  if (stored) await publishBlockStored(ctx.bus, block.namespace, block.id);
  return stored;
}
