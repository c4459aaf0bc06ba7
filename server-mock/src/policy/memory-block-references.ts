/**
 * An in-memory stand-in for the metadata store's block bookkeeping, for the policy tests: it is
 * the data source the garbage collector and cold tiering read, not the thing under test. It
 * follows the same rules as the SQLite store (forget only when refcount is 0; list pages of
 * unreferenced blocks by creation time; hot candidates by last access).
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey, type BlockAddress } from '../blocks/block-address.js';
import type { BlockTier } from '../blocks/block-store.js';
import type { ColdTierSource } from './cold-tiering.js';
import type { BlockReferenceSource } from './garbage-collection.js';

interface BlockRow extends BlockAddress {
  refcount: number;
  createdMs: number;
  lastAccessMs: number;
  tier: BlockTier;
}

/** Block rows in a Map; implements both policy ports. */
export class MemoryBlockReferences implements BlockReferenceSource, ColdTierSource {
  readonly rows = new Map<string, BlockRow>();

  /** Records a stored block with refcount 0 (as the upload route does); false when known. */
  record(block: BlockAddress, nowMs: number): boolean {
    const key = blockAddressKey(block);
    if (this.rows.has(key)) return false;
    this.rows.set(key, {
      ...block,
      refcount: 0,
      createdMs: nowMs,
      lastAccessMs: nowMs,
      tier: 'hot',
    });
    return true;
  }

  /** Adds (`+1`, a commit) or releases (`-1`, a dropped version) one reference. */
  addReference(block: BlockAddress, delta: 1 | -1): void {
    this.row(block).refcount += delta;
  }

  row(block: BlockAddress): BlockRow {
    const row = this.rows.get(blockAddressKey(block));
    if (row === undefined) throw new Error(`no row for ${blockAddressKey(block)}`);
    return row;
  }

  async listUnreferencedBlocks(createdBeforeMs: number, limit: number): Promise<BlockAddress[]> {
    return [...this.rows.values()]
      .filter((row) => row.refcount === 0 && row.createdMs < createdBeforeMs)
      .sort((a, b) => a.createdMs - b.createdMs)
      .slice(0, limit)
      .map(({ namespace, id }) => ({ namespace, id }));
  }

  async forgetUnreferencedBlock(namespace: NamespaceId, id: BlockId): Promise<boolean> {
    const key = blockAddressKey({ namespace, id });
    if (this.rows.get(key)?.refcount !== 0) return false;
    return this.rows.delete(key);
  }

  async hasBlock(namespace: NamespaceId, id: BlockId): Promise<boolean> {
    return this.rows.has(blockAddressKey({ namespace, id }));
  }

  async listColdCandidates(lastAccessBeforeMs: number, limit: number): Promise<BlockAddress[]> {
    return [...this.rows.values()]
      .filter((row) => row.tier === 'hot' && row.lastAccessMs < lastAccessBeforeMs)
      .sort((a, b) => a.lastAccessMs - b.lastAccessMs)
      .slice(0, limit)
      .map(({ namespace, id }) => ({ namespace, id }));
  }

  async setBlockTier(namespace: NamespaceId, id: BlockId, tier: BlockTier): Promise<void> {
    this.row({ namespace, id }).tier = tier;
  }
}
