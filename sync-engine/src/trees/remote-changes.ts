/**
 * Keeps the remote tree equal to what the server says: applies change-journal entries and full
 * listings. Items are matched by the server's file id, so a journal move moves the item (and a
 * folder's whole subtree) instead of deleting and adding it. A path the server reports that is
 * also a local item with no remote row (created on both sides, or downloaded before a crash)
 * adopts that item, so the planner compares the two instead of treating them as strangers.
 */
import type { ChangeEntry, EntryMetadata, FileId, NamespaceId, Rev } from '../protocol/index.js';
import type { ClientState, RemoteItem } from '../state/index.js';

/** A journal entry or a listing entry, in one shape. */
interface ServerEntry {
  readonly path: string;
  readonly fileId: FileId;
  readonly namespace: NamespaceId;
  readonly kind: 'file' | 'folder' | 'deleted';
  readonly rev?: Rev;
  readonly size?: number;
  readonly contentHash?: string;
  readonly modified?: number;
  readonly pending?: boolean;
  readonly mount?: RemoteItem['mount'];
}

function fromChange(entry: ChangeEntry): ServerEntry {
  if (entry.tag === 'deleted') return { ...entry, kind: 'deleted' };
  if (entry.tag === 'folder') return { ...entry, kind: 'folder' };
  return { ...entry, kind: 'file', pending: entry.status === 'pending' };
}

function fromListing(entry: EntryMetadata): ServerEntry {
  if (entry.type === 'folder') return { ...entry, kind: 'folder' };
  return { ...entry, kind: 'file', pending: entry.status === 'pending' };
}

type Tables = Pick<ClientState, 'items'>;

/** Removes the remote row and, for a folder, every remote row under it. */
function dropRemote(state: Tables, row: RemoteItem): void {
  if (row.kind === 'folder') {
    for (const child of state.items.remote.listUnder(row.path))
      state.items.remote.delete(child.itemId);
  }
  state.items.remote.delete(row.itemId);
}

function applyEntry(state: Tables, entry: ServerEntry, nowMs: number): void {
  const remote = state.items.remote;
  const known = state.items.remoteByFileId(entry.fileId);
  if (entry.kind === 'deleted') {
    // A move journals the new path first, then a tombstone of the old one with the same file
    // id: only a row still at the tombstone's path goes.
    const row = remote.getByPath(entry.path);
    if (row !== undefined && (row.fileId === undefined || row.fileId === entry.fileId)) {
      dropRemote(state, row);
    }
    return;
  }
  // An announced upload has no content yet: it becomes part of the tree once committed.
  if (entry.pending === true) return;
  const occupant = remote.getByPath(entry.path);
  if (occupant !== undefined && occupant.itemId !== known?.itemId) dropRemote(state, occupant);
  let itemId = known?.itemId;
  if (known !== undefined && known.kind !== entry.kind) {
    dropRemote(state, known);
    itemId = undefined;
  }
  if (known !== undefined && itemId !== undefined && known.path !== entry.path) {
    // Rows still under the new path are stale (the server says this item is there now).
    for (const stale of remote.listUnder(entry.path)) {
      if (stale.itemId !== known.itemId && !stale.path.startsWith(`${known.path}/`)) {
        remote.delete(stale.itemId);
      }
    }
    remote.movePath(known.path, entry.path);
  }
  if (itemId === undefined) {
    const local = state.items.local.getByPath(entry.path);
    itemId =
      local !== undefined && local.kind === entry.kind && remote.get(local.itemId) === undefined
        ? local.itemId
        : state.items.create({ kind: entry.kind, createdMs: nowMs });
  }
  remote.put({
    itemId,
    kind: entry.kind,
    path: entry.path,
    rev: entry.kind === 'file' ? entry.rev : undefined,
    sizeBytes: entry.kind === 'file' ? (entry.size ?? 0) : 0,
    modifiedMs: entry.modified ?? 0,
    contentHash: entry.contentHash,
    fileId: entry.fileId,
    namespace: entry.namespace,
    mount: entry.mount,
  });
}

/** Applies journal entries in order (the server sends parents first). Run in a transaction. */
export function applyRemoteChanges(
  state: Tables,
  entries: readonly ChangeEntry[],
  nowMs: number,
): void {
  for (const entry of entries) applyEntry(state, fromChange(entry), nowMs);
}

/**
 * Makes the remote tree the full listing: rows the listing lacks go, the rest are applied like
 * journal entries. Local and synced rows are untouched, so no local edit is lost: the planner
 * compares them with the new remote tree. Run in a transaction.
 */
export function replaceRemoteTree(
  state: Tables,
  listing: readonly EntryMetadata[],
  nowMs: number,
): void {
  const listed = new Set(listing.map((entry) => entry.fileId));
  for (const row of state.items.remote.list()) {
    if (row.fileId === undefined || !listed.has(row.fileId)) state.items.remote.delete(row.itemId);
  }
  const sorted = [...listing].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) applyEntry(state, fromListing(entry), nowMs);
}
