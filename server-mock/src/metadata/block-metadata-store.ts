/**
 * Block bookkeeping: which blocks each namespace holds, their sizes, tier, reference counts and
 * last access. The bytes live in the BlockStore; a row is written only after the bytes are
 * durable there, so a row always means "the block store has it".
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockTier } from '../blocks/block-store.js';
import type { BlockRecord } from './records.js';

export interface RecordBlockInput {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
  readonly plainSize: number;
  readonly encodedSize: number;
  readonly nowMs: number;
  /**
   * The quota reservation the bytes were reserved under (QuotaStore.reserveQuota): recording
   * the block moves its plaintext size from the reservation into the namespace's used bytes.
   */
  readonly reservation?: string;
}

export interface BlockMetadataStore {
  /** The subset of `ids` the namespace does not hold, in the given order, without duplicates. */
  findMissingBlocks(namespace: NamespaceId, ids: readonly BlockId[]): Promise<BlockId[]>;
  /** Records a stored block (refcount 0 until a commit names it). False when already recorded. */
  recordBlock(input: RecordBlockInput): Promise<boolean>;
  getBlock(namespace: NamespaceId, id: BlockId): Promise<BlockRecord | undefined>;
  /** The records of those of `ids` the namespace holds, in one query however many they are. */
  getBlocks(namespace: NamespaceId, ids: readonly BlockId[]): Promise<Map<BlockId, BlockRecord>>;
  /** Sets last access (for the cold tier policy). */
  touchBlocks(namespace: NamespaceId, ids: readonly BlockId[], nowMs: number): Promise<void>;
  setBlockTier(namespace: NamespaceId, id: BlockId, tier: BlockTier): Promise<void>;
  /** Blocks with refcount 0 created before `createdBeforeMs` (garbage). */
  listUnreferencedBlocks(createdBeforeMs: number, limit: number): Promise<BlockRecord[]>;
  /** Hot blocks not read since `lastAccessBeforeMs`. */
  listColdCandidates(lastAccessBeforeMs: number, limit: number): Promise<BlockRecord[]>;
  /**
   * Forgets a block if it is still unreferenced, giving its bytes back to the quota. Returns
   * whether it was forgotten; the caller then deletes the bytes.
   */
  forgetUnreferencedBlock(namespace: NamespaceId, id: BlockId): Promise<boolean>;
  /** True when the namespace has a row for the block (for the store-vs-database sweep). */
  hasBlock(namespace: NamespaceId, id: BlockId): Promise<boolean>;
}
