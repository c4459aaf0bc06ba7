/**
 * Moves blocks not read for a while to the cold tier (SPEC "Storage policy"). Metadata knows
 * when each block was last read; the store does the move (and may recompress). Reading a cold
 * block later restores it to hot inside the store, transparently.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey, type BlockAddress } from '../blocks/block-address.js';
import type { BlockStore, BlockTier } from '../blocks/block-store.js';

/** What cold tiering needs from metadata (method names match the metadata store's). */
export interface ColdTierSource {
  /**
   * Up to `limit` blocks metadata holds as hot whose last read is before `lastAccessBeforeMs`.
   * Called again after each page; a block set to cold must no longer be listed.
   */
  listColdCandidates(lastAccessBeforeMs: number, limit: number): Promise<readonly BlockAddress[]>;
  /** Records which tier holds the block. */
  setBlockTier(namespace: NamespaceId, id: BlockId, tier: BlockTier): Promise<void>;
}

/** Inputs of one tiering run. */
export interface MoveIdleBlocksOptions {
  readonly blockStore: BlockStore;
  readonly metadata: ColdTierSource;
  readonly nowMs: number;
  /** Blocks not read for this long move. Default DEFAULT_COLD_AFTER_MS (30 days). */
  readonly idleForMs?: number;
  /** Blocks asked of metadata per call. Default 500. */
  readonly pageSize?: number;
  /** Stops the run between blocks (rejecting with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** What one run did. */
export interface ColdTieringReport {
  /** Blocks moved from the hot to the cold tier. */
  readonly moved: number;
  /** Blocks metadata listed whose bytes the store does not have (an integrity problem). */
  readonly missing: readonly BlockAddress[];
}

/** Default idle time before a block goes cold: 30 days. */
export const DEFAULT_COLD_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Moves every block idle for `idleForMs` to the cold tier and records its tier in metadata.
 * A block already cold in the store only gets its metadata corrected. Blocks the store lacks
 * are reported and their metadata left alone (their bytes are lost: a human must look).
 */
export async function moveIdleBlocksToCold(
  options: MoveIdleBlocksOptions,
): Promise<ColdTieringReport> {
  const { blockStore, metadata, nowMs, signal } = options;
  const cutoffMs = nowMs - (options.idleForMs ?? DEFAULT_COLD_AFTER_MS);
  const pageSize = options.pageSize ?? 500;
  let moved = 0;
  const missing = new Map<string, BlockAddress>();
  for (;;) {
    // Missing blocks stay candidates and come back in every page: ask for that many more.
    const limit = pageSize + missing.size;
    const page = await metadata.listColdCandidates(cutoffMs, limit);
    const fresh = page.filter((block) => !missing.has(blockAddressKey(block)));
    for (const { namespace, id } of fresh) {
      signal?.throwIfAborted();
      const tierBefore = await blockStore.tierOf(namespace, id);
      if (tierBefore === undefined) {
        missing.set(blockAddressKey({ namespace, id }), { namespace, id });
        continue;
      }
      if (tierBefore === 'hot') await blockStore.moveToCold(namespace, id);
      // Record where the block really is: a read racing the move may have brought it back hot.
      const tierAfter = (await blockStore.tierOf(namespace, id)) ?? tierBefore;
      await metadata.setBlockTier(namespace, id, tierAfter);
      if (tierBefore === 'hot' && tierAfter === 'cold') moved++;
    }
    if (page.length < limit || fresh.length === 0) return { moved, missing: [...missing.values()] };
  }
}
