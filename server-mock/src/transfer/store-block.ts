/**
 * Storing one encoded block for a namespace: quota check first (507 before any byte is
 * stored), then the bytes (durable), then the metadata row, under the per-block lock that
 * garbage collection also takes. Idempotent: a block the namespace holds is not stored again.
 */
import type { BlockId, NamespaceId } from '../../../sync-engine/src/protocol/index.js';
import { blockAddressKey } from '../blocks/block-address.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';

export interface StoreBlockInput {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
  readonly encoded: Uint8Array;
  readonly plainSize: number;
}

/**
 * Throws quota_exceeded when `extraBytes` more would take the namespace owner over quota. With
 * `withReservations`, the sizes of the owner's open resumable sessions count as used too (for
 * checks made before an upload starts; a finishing session must not count itself).
 */
export async function assertQuota(
  ctx: ServerContext,
  namespace: NamespaceId,
  extraBytes: number,
  options: { withReservations?: boolean } = {},
): Promise<void> {
  const ns = await ctx.store.getNamespace(namespace);
  if (!ns) throw new ServerError('not_found', `no namespace ${namespace}`);
  const owner = await ctx.store.getUser(ns.ownerId);
  if (!owner) throw new ServerError('internal_error', `namespace ${namespace} has no owner`);
  const reserved = options.withReservations ? await ctx.store.reservedUploadBytesOf(owner.id) : 0;
  const used = (await ctx.store.usedBytesOf(owner.id)) + reserved;
  if (used + extraBytes > owner.quotaBytes) {
    throw new ServerError(
      'quota_exceeded',
      `storage quota exceeded: ${used} of ${owner.quotaBytes} bytes used, ${extraBytes} more needed`,
    );
  }
}

/**
 * Undoes the blocks an upload stored before it failed (quota, a broken stream): each one still
 * unreferenced is forgotten and its bytes deleted, so a refused upload leaves nothing charged.
 * Another upload that found such a block already present gets 412 at its commit and re-sends it.
 */
export async function discardStoredBlocks(
  ctx: ServerContext,
  namespace: NamespaceId,
  ids: readonly BlockId[],
): Promise<void> {
  for (const id of ids) {
    await ctx.blockLock.run(blockAddressKey({ namespace, id }), async () => {
      if (await ctx.store.forgetUnreferencedBlock(namespace, id)) {
        await ctx.blocks.delete(namespace, id);
      }
    });
  }
}

/** Stores the block unless the namespace has it. Returns true when newly stored. */
export async function storeBlock(ctx: ServerContext, input: StoreBlockInput): Promise<boolean> {
  const { namespace, id } = input;
  return ctx.blockLock.run(blockAddressKey({ namespace, id }), async () => {
    if (await ctx.store.hasBlock(namespace, id)) return false;
    await assertQuota(ctx, namespace, input.plainSize);
    // Bytes first, row second: a crash in between leaves an orphan the GC sweep removes,
    // never a row without bytes.
    await ctx.blocks.put(namespace, id, input.encoded);
    const isNew = await ctx.store.recordBlock({
      namespace,
      id,
      plainSize: input.plainSize,
      encodedSize: input.encoded.length,
      nowMs: ctx.now(),
    });
    if (isNew) {
      ctx.metrics.blocksStored.inc();
      ctx.metrics.blockBytesStored.inc(input.encoded.length);
    }
    return isNew;
  });
}
