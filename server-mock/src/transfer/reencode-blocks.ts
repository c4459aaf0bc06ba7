/**
 * Moving an upload's blocks to the namespace its path resolves to now (a folder above it was
 * shared while it ran; issue 7, item 1): each block is decoded with the old namespace's key and
 * stored encoded with the new one's, as the share conversion does. One block in memory at a time.
 */
import type { BlockCodecPool } from 'sync-engine/blocks';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockStore } from '../blocks/block-store.js';
import { ServerError } from '../errors.js';
import type { NamespaceKeyring } from '../keys/namespace-keyring.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { FreshBlocks } from './fresh-blocks.js';
import type { QuotaReservation } from './quota-reservation.js';
import { storeBlock, type StoreBlockDeps } from './store-block.js';

/** What re-encoding uses of the server (a ServerContext is one). */
export type ReencodeBlocksDeps = StoreBlockDeps & {
  readonly store: Pick<MetadataStore, 'hasBlock'>;
  readonly blocks: Pick<BlockStore, 'get'>;
  readonly keyring: Pick<NamespaceKeyring, 'keyOf'>;
  readonly codec: Pick<BlockCodecPool, 'decode' | 'encode'>;
};

export async function reencodeBlocks(
  deps: ReencodeBlocksDeps,
  input: {
    blocks: readonly BlockId[];
    from: NamespaceId;
    to: NamespaceId;
    reservation: QuotaReservation;
    fresh: FreshBlocks;
  },
): Promise<void> {
  const fromKey = await deps.keyring.keyOf(input.from);
  const toKey = await deps.keyring.keyOf(input.to);
  for (const id of new Set(input.blocks)) {
    // The share conversion re-encoded the blocks committed versions name; dedup hits are there.
    if (await deps.store.hasBlock(input.to, id)) continue;
    const encoded = await deps.blocks.get(input.from, id);
    if (!encoded) {
      throw new ServerError(
        'unavailable',
        `a block of this upload is gone from its old folder; upload the file again`,
        { retryAfterMs: 1000 },
      );
    }
    const plain = await deps.codec.decode(encoded, fromKey, id, { transfer: true });
    const plainSize = plain.length;
    const result = await deps.codec.encode(plain, toKey, { transfer: true });
    const args = { namespace: input.to, id, encoded: result.encoded, plainSize };
    if (await storeBlock(deps, { ...args, reservation: input.reservation })) {
      input.fresh.add(input.to, id);
    }
  }
}
