/**
 * Storing one encoded block for a namespace: quota reserved first (507 before any byte is
 * stored), then the bytes (durable), then the metadata row, which consumes the reservation, all
 * under the per-block lock that garbage collection also takes. Idempotent: a block the namespace
 * holds is not stored again.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey } from '../blocks/block-address.js';
import type { BlockStore } from '../blocks/block-store.js';
import type { BlockLock } from '../blocks/keyed-lock.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { QuotaReservation } from './quota-reservation.js';

/** What discarding an upload's blocks uses of the server (a ServerContext is one). */
export interface DiscardBlocksDeps {
  readonly store: Pick<MetadataStore, 'forgetUnreferencedBlock'>;
  readonly blocks: Pick<BlockStore, 'delete'>;
  /** The per-block lock garbage collection also takes. */
  readonly blockLock: BlockLock;
}

/** What storing a block uses of the server (a ServerContext is one). */
export interface StoreBlockDeps {
  readonly store: Pick<MetadataStore, 'hasBlock' | 'recordBlock'>;
  readonly blocks: Pick<BlockStore, 'put'>;
  readonly blockLock: BlockLock;
  readonly metrics: Pick<ServerMetrics, 'blocksStored' | 'blockBytesStored'>;
  readonly now: () => number;
}

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
  deps: DiscardBlocksDeps,
  namespace: NamespaceId,
  ids: readonly BlockId[],
): Promise<void> {
  for (const id of ids) {
    await deps.blockLock.run(blockAddressKey({ namespace, id }), async () => {
      if (await deps.store.forgetUnreferencedBlock(namespace, id)) {
        await deps.blocks.delete(namespace, id);
      }
    });
  }
}

/** Stores the block unless the namespace has it. Returns true when newly stored. */
export async function storeBlock(deps: StoreBlockDeps, input: StoreBlockInput): Promise<boolean> {
  const { namespace, id } = input;
  return deps.blockLock.run(blockAddressKey({ namespace, id }), async () => {
    if (await deps.store.hasBlock(namespace, id)) return false;
    // The atomic quota check: after it, these bytes are ours to write whatever runs in parallel.
    await input.reservation.ensure(namespace, input.plainSize);
    // Bytes first, row second: a crash in between leaves an orphan the GC sweep removes,
    // never a row without bytes.
    await deps.blocks.put(namespace, id, input.encoded);
    const isNew = await deps.store.recordBlock({
      namespace,
      id,
      plainSize: input.plainSize,
      encodedSize: input.encoded.length,
      nowMs: deps.now(),
      reservation: input.reservation.id,
    });
    if (isNew) {
      deps.metrics.blocksStored.inc();
      deps.metrics.blockBytesStored.inc(input.encoded.length);
    }
    return isNew;
  });
}
