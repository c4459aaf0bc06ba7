/**
 * Where the server keeps encoded (encrypted) blocks. The store only ever holds ciphertext; it does
 * not verify or decode anything (the routes do that before `put`). Blocks are addressed by
 * namespace and plaintext SHA-256, because each namespace encrypts with its own key.
 *
 * Implementations: LocalDirBlockStore (embedded default: a hot and a cold directory); an
 * S3-compatible store later. Every implementation passes block-store.contract.ts.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';

/** Storage tier of a block: hot is read often; cold is cheaper and may be slower to read. */
export type BlockTier = 'hot' | 'cold';

export interface BlockStore {
  /**
   * Stores `encoded` as block `id` of `namespace`, durably (fsynced) and atomically: a reader
   * never sees a partial block, and a crash leaves either the whole block or none. Idempotent:
   * putting a block that already exists (in either tier) succeeds and changes nothing.
   */
  put(namespace: NamespaceId, id: BlockId, encoded: Uint8Array): Promise<void>;
  /**
   * The encoded bytes of a block, or `undefined` when absent. A block in the cold tier is read
   * back transparently and moved to the hot tier.
   */
  get(namespace: NamespaceId, id: BlockId): Promise<Uint8Array | undefined>;
  /** Which tier holds the block, or `undefined` when absent. */
  tierOf(namespace: NamespaceId, id: BlockId): Promise<BlockTier | undefined>;
  /** Moves a block to the cold tier (may recompress); no-op when already cold or absent. */
  moveToCold(namespace: NamespaceId, id: BlockId): Promise<void>;
  /** Removes a block from whichever tier holds it; no-op when absent. */
  delete(namespace: NamespaceId, id: BlockId): Promise<void>;
  /** Every block id the store holds for a namespace (for the garbage-collection sweep). */
  list(namespace: NamespaceId): AsyncIterable<BlockId>;
  /** Every namespace that has at least one block. */
  listNamespaces(): AsyncIterable<NamespaceId>;
  /** Releases handles; further calls fail. */
  close(): Promise<void>;
}
