/**
 * Keeps the remote tree equal to what the server says: applies change-journal entries and full
 * listings. Items are matched by the server's file id, so a journal move moves the item (and a
 * folder's whole subtree) instead of deleting and adding it. A path the server reports that is
 * also a local item with no remote row (created on both sides, or downloaded before a crash)
 * adopts that item, so the planner compares the two instead of treating them as strangers.
 */
import type { ChangeEntry, EntryMetadata, FileId, NamespaceId, Rev } from '../protocol/index.js';
import type { ClientState, ItemId, RemoteItem } from '../state/index.js';

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

/**
 * One batch of entries being applied. The journal is compacted by path (a path's newest entry
 * moves to the end), so a file that moved twice, or moved and changed, can show its tombstone
 * at the old path, or lose its old path to a new file, before its own live entry further on. Its
 * remote row then has to go before that entry arrives; it is parked (its item id kept, by file
 * id) and the later entry puts it back as the same item, so the merge base is not lost and the
 * planner sees a move, not a delete and a stranger.
 */
class Batch {
  private readonly parked = new Map<FileId, { itemId: ItemId; kind: RemoteItem['kind'] }>();
  private readonly parkedItems = new Set<ItemId>();
  private readonly lastLive = new Map<FileId, number>();
  private readonly last = new Map<FileId, number>();
  /** Index of the entry being applied. */
  at = 0;

  constructor(
    readonly state: Tables,
    readonly nowMs: number,
    entries: readonly ServerEntry[],
  ) {
    entries.forEach((entry, i) => {
      if (entry.kind !== 'deleted') this.lastLive.set(entry.fileId, i);
      this.last.set(entry.fileId, i);
    });
  }

  /** Whether an entry of `fileId` (live or a tombstone) comes after the one being applied. */
  isMentionedLater(fileId: FileId | undefined): boolean {
    return fileId !== undefined && (this.last.get(fileId) ?? -1) > this.at;
  }

  /** Removes the remote row and, for a folder, every remote row under it. */
  drop(row: RemoteItem): void {
    const remote = this.state.items.remote;
    const rows = row.kind === 'folder' ? [...remote.listUnder(row.path), row] : [row];
    for (const gone of rows) {
      remote.delete(gone.itemId);
      const later = gone.fileId === undefined ? undefined : this.lastLive.get(gone.fileId);
      if (gone.fileId !== undefined && later !== undefined && later > this.at) {
        this.parked.set(gone.fileId, { itemId: gone.itemId, kind: gone.kind });
        this.parkedItems.add(gone.itemId);
      }
    }
  }

  /** Whether `itemId` is parked: it belongs to a file whose entry is still to come. */
  isParked(itemId: ItemId): boolean {
    return this.parkedItems.has(itemId);
  }

  /** The item a parked row of `fileId` had, when it is of `kind`. */
  unpark(fileId: FileId, kind: RemoteItem['kind']): ItemId | undefined {
    const parked = this.parked.get(fileId);
    if (parked === undefined) return undefined;
    this.parked.delete(fileId);
    this.parkedItems.delete(parked.itemId);
    return parked.kind === kind ? parked.itemId : undefined;
  }
}

/**
 * After a folder's move: what it held here that the server did not move with it. A folder's
 * move journals everything in it at its new path after the folder (docs/protocol.md "Order"),
 * so a row that no later entry mentions was gone before the move, its tombstone compacted away
 * by a later entry at its old path (another file moved or created there). Left in the tree, it
 * would come back here as a file nobody has. A mount point's move journals nothing inside it,
 * and a share mounted inside the folder has a journal of its own.
 */
function dropLeftBehind(batch: Batch, folder: ServerEntry): void {
  const remote = batch.state.items.remote;
  for (const row of remote.listUnder(folder.path)) {
    if (remote.get(row.itemId) === undefined || batch.isMentionedLater(row.fileId)) continue;
    // A share mounted inside keeps its own journal (and its mount point its place).
    if (row.mount !== undefined || row.namespace !== folder.namespace) continue;
    batch.drop(row);
  }
}

function applyEntry(batch: Batch, entry: ServerEntry): void {
  const { state, nowMs } = batch;
  const remote = state.items.remote;
  const known = state.items.remoteByFileId(entry.fileId);
  if (entry.kind === 'deleted') {
    // The journal keeps a path's newest entry only: a tombstone says nothing is at the path
    // now, whichever file was last there. The file we knew there may have left earlier, its own
    // tombstone compacted away by a later file's (a move onto the path, then a delete); a
    // file that merely moved on still has its live entry, and keeps its item (parked).
    const row = remote.getByPath(entry.path);
    if (row !== undefined) batch.drop(row);
    return;
  }
  // An announced upload has no content yet: it becomes part of the tree once committed.
  if (entry.pending === true) return;
  const occupant = remote.getByPath(entry.path);
  if (occupant !== undefined && occupant.itemId !== known?.itemId) batch.drop(occupant);
  let itemId = known?.itemId;
  if (known !== undefined && known.kind !== entry.kind) {
    batch.drop(known);
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
    if (entry.kind === 'folder' && entry.mount === undefined && known.mount === undefined)
      dropLeftBehind(batch, entry);
  }
  if (itemId === undefined) itemId = batch.unpark(entry.fileId, entry.kind);
  if (itemId === undefined) {
    const local = state.items.local.getByPath(entry.path);
    itemId =
      local !== undefined &&
      local.kind === entry.kind &&
      remote.get(local.itemId) === undefined &&
      !batch.isParked(local.itemId)
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

function applyAll(state: Tables, entries: readonly ServerEntry[], nowMs: number): void {
  const batch = new Batch(state, nowMs, entries);
  for (const [i, entry] of entries.entries()) {
    batch.at = i;
    applyEntry(batch, entry);
  }
}

/**
 * Applies journal entries in order (the server sends parents first). Give it every page of one
 * read of the journal together: whether a tombstone is a delete or a move away shows only in
 * the entries after it. Run in a transaction.
 */
export function applyRemoteChanges(
  state: Tables,
  entries: readonly ChangeEntry[],
  nowMs: number,
): void {
  applyAll(state, entries.map(fromChange), nowMs);
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
  applyAll(state, sorted.map(fromListing), nowMs);
}
