import type { Rev } from '../protocol/index.js';
import type { ItemId, ItemKind } from './item-id.js';
import type { TreeTableSpec } from './tree-table.js';

/**
 * One item as both sides last agreed on it: the planner's merge base. Written only after an
 * operation really finished (upload committed, download renamed into place).
 */
export interface SyncedItem {
  readonly itemId: ItemId;
  readonly kind: ItemKind;
  readonly path: string;
  /** The last synced revision, the parentRev of the next commit; every file has one. */
  readonly rev?: Rev | undefined;
  /** 0 for folders. */
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** xxHash64 of the agreed content (16 lowercase hex); files only. */
  readonly fingerprint?: string | undefined;
  /** When the agreement was recorded. */
  readonly syncedMs: number;
  /**
   * The server's old copy of an item moved here across a share's boundary and copied to its new
   * place (execute/cross-share.ts): its delete completes that move.
   */
  readonly copiedAcross?: boolean | undefined;
}

/** The `synced_item` table. */
export const SYNCED_TREE_SPEC: TreeTableSpec<SyncedItem> = {
  tree: 'synced',
  table: 'synced_item',
  columns: ['rev', 'size_bytes', 'modified_ms', 'fingerprint', 'synced_ms', 'copied_across'],
  toColumns: (row) => ({
    rev: row.rev ?? null,
    size_bytes: row.sizeBytes,
    modified_ms: row.modifiedMs,
    fingerprint: row.fingerprint ?? null,
    synced_ms: row.syncedMs,
    copied_across: row.copiedAcross === true ? 1 : null,
  }),
  fromColumns: (raw) => ({
    rev: (raw.rev as Rev | null) ?? undefined,
    sizeBytes: raw.size_bytes as number,
    modifiedMs: raw.modified_ms as number,
    fingerprint: (raw.fingerprint as string | null) ?? undefined,
    syncedMs: raw.synced_ms as number,
    ...(raw.copied_across === 1 ? { copiedAcross: true } : {}),
  }),
};
