import type { FileId, NamespaceId, Rev, ShareRole } from '../protocol/index.js';
import type { ItemId, ItemKind } from './item-id.js';
import type { TreeTableSpec } from './tree-table.js';

/** A folder that is a share's mount point: the shared namespace and the user's role in it. */
export interface RemoteMount {
  readonly namespace: NamespaceId;
  readonly role: ShareRole;
}

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
  /** The server's id of the item, stable across moves; absent on rows of schema 3. */
  readonly fileId?: FileId | undefined;
  /** The namespace that holds the item (whose key encrypts a file's blocks). */
  readonly namespace?: NamespaceId | undefined;
  /** Set when the folder is a share's mount point. */
  readonly mount?: RemoteMount | undefined;
}

/** The `remote_item` table. */
export const REMOTE_TREE_SPEC: TreeTableSpec<RemoteItem> = {
  tree: 'remote',
  table: 'remote_item',
  columns: [
    'rev',
    'size_bytes',
    'modified_ms',
    'content_hash',
    'file_id',
    'namespace',
    'mount_namespace',
    'mount_role',
  ],
  toColumns: (row) => ({
    rev: row.rev ?? null,
    size_bytes: row.sizeBytes,
    modified_ms: row.modifiedMs,
    content_hash: row.contentHash ?? null,
    file_id: row.fileId ?? null,
    namespace: row.namespace ?? null,
    mount_namespace: row.mount?.namespace ?? null,
    mount_role: row.mount?.role ?? null,
  }),
  fromColumns: (raw) => ({
    rev: (raw.rev as Rev | null) ?? undefined,
    sizeBytes: raw.size_bytes as number,
    modifiedMs: raw.modified_ms as number,
    contentHash: (raw.content_hash as string | null) ?? undefined,
    fileId: (raw.file_id as FileId | null) ?? undefined,
    namespace: (raw.namespace as NamespaceId | null) ?? undefined,
    mount:
      raw.mount_namespace === null || raw.mount_namespace === undefined
        ? undefined
        : {
            namespace: raw.mount_namespace as NamespaceId,
            role: raw.mount_role as ShareRole,
          },
  }),
};
