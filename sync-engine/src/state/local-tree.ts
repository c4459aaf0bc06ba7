import type { ItemId, ItemKind } from './item-id.js';
import type { TreeTableSpec } from './tree-table.js';

/**
 * The scanner's memo of one item on disk. A file whose inode, size and mtime all match its row
 * is taken as unchanged without reading it; otherwise it is hashed again and the row rewritten.
 */
export interface LocalItem {
  readonly itemId: ItemId;
  readonly kind: ItemKind;
  readonly path: string;
  /** Decimal string (64-bit inodes exceed safe integers); equal inode at a new path = a move. */
  readonly inode: string;
  /** 0 for folders. */
  readonly sizeBytes: number;
  /** `fs.Stats.mtimeMs`, fraction included. */
  readonly mtimeMs: number;
  /** xxHash64 of the content, 16 lowercase hex digits; files only. */
  readonly fingerprint?: string | undefined;
  /** When a scan last confirmed the row. */
  readonly scannedMs: number;
}

/** The `local_item` table. */
export const LOCAL_TREE_SPEC: TreeTableSpec<LocalItem> = {
  tree: 'local',
  table: 'local_item',
  columns: ['inode', 'size_bytes', 'mtime_ms', 'fingerprint', 'scanned_ms'],
  toColumns: (row) => ({
    inode: row.inode,
    size_bytes: row.sizeBytes,
    mtime_ms: row.mtimeMs,
    fingerprint: row.fingerprint ?? null,
    scanned_ms: row.scannedMs,
  }),
  fromColumns: (raw) => ({
    inode: raw.inode as string,
    sizeBytes: raw.size_bytes as number,
    mtimeMs: raw.mtime_ms as number,
    fingerprint: (raw.fingerprint as string | null) ?? undefined,
    scannedMs: raw.scanned_ms as number,
  }),
};
