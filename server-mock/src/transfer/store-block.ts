/**
 * Storing one encoded block for a namespace: quota reserved first (507 before any byte is
 * stored), then the bytes (durable), then the metadata row, which consumes the reservation, all
 * under the per-block lock that garbage collection also takes. Idempotent: a block the namespace
 * holds is not stored again.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey } from '../blocks/block-address.js';
import type { ServerContext } from '../server-context.js';
import type { QuotaReservation } from './quota-reservation.js';

export interface StoreBlockInput {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
  readonly encoded: Uint8Array;
  readonly plainSize: number;
  /** The upload's reservation: grown to cover the block before its bytes are written. */
  readonly reservation: QuotaReservation;
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
    // The atomic quota check: after it, these bytes are ours to write whatever runs in parallel.
    await input.reservation.ensure(namespace, input.plainSize);
    // Bytes first, row second: a crash in between leaves an orphan the GC sweep removes,
    // never a row without bytes.
    await ctx.blocks.put(namespace, id, input.encoded);
    const isNew = await ctx.store.recordBlock({
      namespace,
      id,
      plainSize: input.plainSize,
      encodedSize: input.encoded.length,
      nowMs: ctx.now(),
      reservation: input.reservation.id,
    });
    if (isNew) {
      ctx.metrics.blocksStored.inc();
      ctx.metrics.blockBytesStored.inc(input.encoded.length);
    }
    return isNew;
  });
}
