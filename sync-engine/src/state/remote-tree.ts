import type { Rev } from '../protocol/index.js';
import type { ItemId, ItemKind } from './item-id.js';
import type { TreeTableSpec } from './tree-table.js';

/** One item as the server last described it (from a listing or the change journal). */
export interface RemoteItem {
  readonly itemId: ItemId;
  readonly kind: ItemKind;
  readonly path: string;
  /** The server's current revision; every file has one. */
  readonly rev?: Rev | undefined;
  /** 0 for folders. */
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  /** The server's `contentHash`, opaque here, when it reported one. */
  readonly contentHash?: string | undefined;
}

/** The `remote_item` table. */
export const REMOTE_TREE_SPEC: TreeTableSpec<RemoteItem> = {
  tree: 'remote',
  table: 'remote_item',
  columns: ['rev', 'size_bytes', 'modified_ms', 'content_hash'],
  toColumns: (row) => ({
    rev: row.rev ?? null,
    size_bytes: row.sizeBytes,
    modified_ms: row.modifiedMs,
    content_hash: row.contentHash ?? null,
  }),
  fromColumns: (raw) => ({
    rev: (raw.rev as Rev | null) ?? undefined,
    sizeBytes: raw.size_bytes as number,
    modifiedMs: raw.modified_ms as number,
    contentHash: (raw.content_hash as string | null) ?? undefined,
  }),
};
