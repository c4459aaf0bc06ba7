/**
 * Keeps the local tree equal to the disk after a scan. Items are matched by inode first, so a
 * file or folder renamed or moved on disk keeps its item (the planner then sees a move, not a
 * delete and an add); then by path, so an editor's "save as temp, rename over" keeps the file's
 * item although its inode changed. A new path that the remote tree has and no local row holds
 * adopts that remote item (created on both sides, or a download interrupted before its record).
 */
import type { ScannedEntry } from '../scan/scan-folder.js';
import type { ClientState, ItemId, LocalItem } from '../state/index.js';

type Tables = Pick<ClientState, 'items'>;

/**
 * Whether the scanned entry is `row` moved: same kind and inode, while the row's old path no
 * longer holds that inode (else it is a hard link). A file may also have been edited after the
 * move, so size and mtime are not compared; an inode reused by a brand-new file after a delete
 * looks the same, and then costs a move plus an upload instead of a delete plus an upload.
 */
function isSameObject(row: LocalItem, entry: ScannedEntry): boolean {
  return row.kind === entry.kind && row.inode === entry.inode;
}

/** Whether `path` is `top` or inside it (`/` holds everything). */
const isWithin = (path: string, top: string) =>
  top === '/' || path === top || path.startsWith(`${top}/`);

/**
 * Replaces the local tree with what a full scan found, in one transaction of the caller's.
 * Rows at or under an `unreadable` path (a folder that could not be listed, a file that could
 * not be read this time) stay as they were, unless their inode turned up elsewhere: the scan
 * did not see them gone, and taking them for deleted would delete them on the server.
 * Returns how many rows changed (0: the disk is as the tree said).
 */
export function applyLocalScan(
  state: Tables,
  entries: readonly ScannedEntry[],
  nowMs: number,
  unreadable: readonly string[] = [],
): number {
  const local = state.items.local;
  const previous = local.list();
  const byPath = new Map(previous.map((row) => [row.path, row]));
  const scannedPaths = new Map(entries.map((entry) => [entry.path, entry]));
  const claimed = new Set<ItemId>();
  const next: LocalItem[] = [];
  const byEntry = new Map<ScannedEntry, ItemId>();
  const claim = (entry: ScannedEntry, row: LocalItem) => {
    byEntry.set(entry, row.itemId);
    claimed.add(row.itemId);
  };

  // Unchanged places first: the row at the entry's path with its inode is that entry, even
  // when a row that left the disk since the last scan had the same inode (the file system gave
  // a deleted file's inode to a new one, a download say).
  for (const entry of entries) {
    const atPath = byPath.get(entry.path);
    if (atPath !== undefined && isSameObject(atPath, entry)) claim(entry, atPath);
  }
  // Then moves: an entry whose inode a row had at another path (that no longer holds it) is
  // that row's item, whatever the order of the paths. Only then do paths match, so a file moved
  // away and a new file at its old path are a move and an add, not an edit and an add.
  const byInode = new Map<string, LocalItem>();
  for (const row of previous) {
    if (!claimed.has(row.itemId) && !byInode.has(row.inode)) byInode.set(row.inode, row);
  }
  for (const entry of entries) {
    if (byEntry.has(entry)) continue;
    const moved = byInode.get(entry.inode);
    if (
      moved !== undefined &&
      moved.path !== entry.path &&
      !claimed.has(moved.itemId) &&
      scannedPaths.get(moved.path)?.inode !== entry.inode &&
      isSameObject(moved, entry)
    ) {
      claim(entry, moved);
    }
  }
  for (const entry of entries) {
    let itemId = byEntry.get(entry);
    const atPath = byPath.get(entry.path);
    if (
      itemId === undefined &&
      atPath !== undefined &&
      atPath.kind === entry.kind &&
      !claimed.has(atPath.itemId)
    ) {
      itemId = atPath.itemId;
    }
    if (itemId === undefined) {
      const remote = state.items.remote.getByPath(entry.path);
      itemId =
        remote !== undefined && remote.kind === entry.kind && local.get(remote.itemId) === undefined
          ? remote.itemId
          : state.items.create({ kind: entry.kind, createdMs: nowMs });
    }
    claimed.add(itemId);
    next.push({
      itemId,
      kind: entry.kind,
      path: entry.path,
      inode: entry.inode,
      sizeBytes: entry.kind === 'file' ? entry.sizeBytes : 0,
      mtimeMs: entry.mtimeMs,
      fingerprint: entry.kind === 'file' ? entry.fingerprint : undefined,
      scannedMs: nowMs,
    });
  }

  const nextPaths = new Set(next.map((row) => row.path));
  for (const row of previous) {
    if (
      !claimed.has(row.itemId) &&
      !nextPaths.has(row.path) &&
      unreadable.some((top) => isWithin(row.path, top))
    ) {
      next.push(row);
    }
  }

  const nextById = new Map(next.map((row) => [row.itemId, row]));
  let changes = 0;
  // Rows that went or moved first, so a swap of two names never collides on a path.
  for (const row of previous) {
    const after = nextById.get(row.itemId);
    if (after === undefined || after.path !== row.path) {
      local.delete(row.itemId);
      changes += 1;
    }
  }
  const previousById = new Map(previous.map((row) => [row.itemId, row]));
  for (const row of next) {
    const before = previousById.get(row.itemId);
    const same =
      before !== undefined &&
      before.path === row.path &&
      before.inode === row.inode &&
      before.sizeBytes === row.sizeBytes &&
      before.mtimeMs === row.mtimeMs &&
      before.fingerprint === row.fingerprint;
    if (!same) {
      local.put(row);
      if (before !== undefined && before.path === row.path) changes += 1;
    }
  }
  return changes + next.filter((row) => previousById.get(row.itemId)?.path !== row.path).length;
}
