/**
 * Test harness: an in-memory model of one device syncing one folder, for the planner's rule
 * and property tests. It holds the two sides (a disk and a server, model-sides.fixture.ts), the
 * three trees (model-trees.fixture.ts), and mirrors the real steps that feed the planner: the
 * scan (`trees/local-scan.ts`: moves matched by inode, then by path, then adoption of the
 * remote item at the path) and the pull (`trees/remote-changes.ts`: journal entries or a full
 * listing, matched by file id). The executors are in model-executors.fixture.ts. Pure: no I/O.
 */
import type { Rev } from '../protocol/index.js';
import { ModelClock, ModelDisk, ModelServer, type JournalEntry } from './model-sides.fixture.js';
import {
  ModelItems,
  ModelTree,
  compare,
  type ModelLocalRow,
  type ModelRemoteRow,
  type ModelSyncedRow,
} from './model-trees.fixture.js';
import { planOperations } from './plan-operations.js';
import type { Plan, PlanInput, PlanItemId } from './plan-types.js';

/** What the executors record in the state's conflict table. */
export interface ModelConflict {
  readonly itemId: PlanItemId;
  readonly reason: 'edit_edit' | 'edit_delete' | 'rename_rename';
  readonly path: string;
  readonly conflictedCopyPath?: string;
}

export interface SyncModel {
  readonly clock: ModelClock;
  readonly disk: ModelDisk;
  readonly server: ModelServer;
  readonly items: ModelItems;
  readonly local: ModelTree<ModelLocalRow>;
  readonly remote: ModelTree<ModelRemoteRow>;
  readonly synced: ModelTree<ModelSyncedRow>;
  readonly conflicts: ModelConflict[];
  /** For conflicted-copy names. */
  readonly deviceName: string;
  /** How far the remote tree has read the server's journal. */
  cursor: number;
}

export function createSyncModel(deviceName = 'laptop'): SyncModel {
  const clock = new ModelClock();
  const items = new ModelItems();
  return {
    clock,
    disk: new ModelDisk(clock),
    server: new ModelServer(clock),
    items,
    local: new ModelTree<ModelLocalRow>('local', items),
    remote: new ModelTree<ModelRemoteRow>('remote', items),
    synced: new ModelTree<ModelSyncedRow>('synced', items),
    conflicts: [],
    deviceName,
    cursor: 0,
  };
}

/** The local fingerprint of some bytes (xxHash64 in the engine). */
export const fingerprintOf = (content: string) => `fp:${content}`;

/** Runs `work` as `ClientState.transaction` does: all of it, or (on a throw) none of it. */
export function transaction<T>(model: SyncModel, work: () => T): T {
  const restores = [
    model.items.snapshot(),
    model.local.snapshot(),
    model.remote.snapshot(),
    model.synced.snapshot(),
  ];
  const conflicts = model.conflicts.length;
  try {
    return work();
  } catch (error) {
    for (const restore of restores) restore();
    model.conflicts.length = conflicts;
    throw error;
  }
}

/** The planner's input, from the model's trees (as `FolderSync.plan` passes the state's). */
export function planInputOf(
  model: SyncModel,
  options: Pick<PlanInput, 'allowMassDelete' | 'massDelete'> = {},
): PlanInput {
  return {
    local: model.local.list(),
    remote: model.remote.list(),
    synced: model.synced.list(),
    ...options,
  };
}

export function planModel(
  model: SyncModel,
  options: Pick<PlanInput, 'allowMassDelete' | 'massDelete'> = {},
): Plan {
  return planOperations(planInputOf(model, options));
}

interface ScannedEntry {
  readonly path: string;
  readonly kind: ModelLocalRow['kind'];
  readonly inode: number;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  readonly fingerprint?: string | undefined;
}

/**
 * A full scan into the local tree (`FolderSync.scan`): the quick check keeps a known
 * fingerprint when inode, size and mtime are unchanged, then `applyLocalScan`'s matching, with
 * one difference: the engine matches entry by entry in path order, so a file renamed from
 * `/b` to `/c` while a new file took `/b` loses its item to the new file (`/b` is matched by
 * path before `/c` is reached by inode), and a rename on one side against a delete on the other
 * brings the deleted file back as a new one. The model matches every inode first.
 */
export function scan(model: SyncModel): void {
  const previous = model.local.list();
  const known = new Map(previous.map((row) => [row.path, row]));
  const knownByInode = new Map(previous.map((row) => [row.inode, row]));
  const entries: ScannedEntry[] = [...model.disk.entries]
    .map(([path, entry]) => {
      const base = {
        path,
        kind: entry.kind,
        inode: entry.inode,
        sizeBytes: entry.kind === 'file' ? entry.content.length : 0,
        mtimeMs: entry.mtimeMs,
      };
      if (entry.kind === 'folder') return base;
      const memo = known.get(path) ?? knownByInode.get(entry.inode);
      const quick =
        memo?.fingerprint !== undefined &&
        memo.inode === base.inode &&
        memo.sizeBytes === base.sizeBytes &&
        memo.mtimeMs === base.mtimeMs;
      return { ...base, fingerprint: quick ? memo.fingerprint : fingerprintOf(entry.content) };
    })
    .sort((a, b) => compare(a.path, b.path));
  transaction(model, () => applyLocalScan(model, previous, entries));
}

function applyLocalScan(
  model: SyncModel,
  previous: readonly ModelLocalRow[],
  entries: readonly ScannedEntry[],
): void {
  const { local, remote } = model;
  const byPath = new Map(previous.map((row) => [row.path, row]));
  const byInode = new Map<number, ModelLocalRow>();
  for (const row of previous) if (!byInode.has(row.inode)) byInode.set(row.inode, row);
  const scannedPaths = new Map(entries.map((entry) => [entry.path, entry]));
  const claimed = new Set<PlanItemId>();
  // Moves first, over all entries: a new file at a moved file's old path must not take the
  // moved file's item before the scan reaches the file's new path (see the note above).
  const movedIds = new Map<string, PlanItemId>();
  for (const entry of entries) {
    const moved = byInode.get(entry.inode);
    if (
      moved !== undefined &&
      moved.path !== entry.path &&
      !claimed.has(moved.itemId) &&
      scannedPaths.get(moved.path)?.inode !== entry.inode &&
      moved.kind === entry.kind
    ) {
      movedIds.set(entry.path, moved.itemId);
      claimed.add(moved.itemId);
    }
  }
  const next: ModelLocalRow[] = [];
  for (const entry of entries) {
    let itemId = movedIds.get(entry.path);
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
      const adoptable = remote.getByPath(entry.path);
      itemId =
        adoptable !== undefined &&
        adoptable.kind === entry.kind &&
        local.get(adoptable.itemId) === undefined
          ? adoptable.itemId
          : model.items.create(entry.kind);
    }
    claimed.add(itemId);
    next.push({ itemId, ...entry });
  }
  const nextById = new Map(next.map((row) => [row.itemId, row]));
  for (const row of previous) {
    if (nextById.get(row.itemId)?.path !== row.path) local.delete(row.itemId);
  }
  for (const row of next) local.put(row);
}

/**
 * Brings the remote tree up to the server (`FolderSync.pull`): the journal since the cursor,
 * or with `fullListing` (a cursor too old) the whole listing.
 */
export function pull(model: SyncModel, options: { fullListing?: boolean } = {}): void {
  transaction(model, () => {
    if (options.fullListing === true) {
      replaceRemoteTree(model, model.server.listing());
    } else {
      for (const entry of model.server.journal.slice(model.cursor)) applyEntry(model, entry);
    }
    model.cursor = model.server.journal.length;
  });
}

/**
 * A full listing becomes the remote tree: each entry keeps the item of its file id, else
 * adopts the local item at its path (created on both sides), else is a new item. One
 * difference from `replaceRemoteTree`, which applies the entries one by one in path order: it
 * drops a row whose path a listed entry takes before reaching that row's own entry, so a file
 * renamed on the server while a new file took its old name loses its item (a local delete of
 * it is undone, it comes back as new). The model matches every file id first.
 */
function replaceRemoteTree(model: SyncModel, listing: readonly JournalEntry[]): void {
  const known = new Map(model.remote.list().map((row) => [row.fileId, row]));
  for (const row of model.remote.list()) model.remote.delete(row.itemId);
  const unknown: JournalEntry[] = [];
  for (const entry of listing) {
    const row = known.get(entry.fileId);
    if (row !== undefined && row.kind === entry.kind) model.remote.put(rowOf(row.itemId, entry));
    else unknown.push(entry);
  }
  for (const entry of unknown) {
    const local = model.local.getByPath(entry.path);
    const itemId =
      local !== undefined &&
      local.kind === entry.kind &&
      model.remote.get(local.itemId) === undefined
        ? local.itemId
        : model.items.create(entry.kind as ModelRemoteRow['kind']);
    model.remote.put(rowOf(itemId, entry));
  }
}

function rowOf(itemId: ModelRemoteRow['itemId'], entry: JournalEntry): ModelRemoteRow {
  return {
    itemId,
    kind: entry.kind as ModelRemoteRow['kind'],
    path: entry.path,
    rev: entry.kind === 'file' ? (entry.rev as Rev) : undefined,
    contentHash: entry.contentHash,
    fileId: entry.fileId,
    modifiedMs: entry.modifiedMs,
    mount: entry.mount,
  };
}

function dropRemote(model: SyncModel, row: ModelRemoteRow): void {
  if (row.kind === 'folder') {
    for (const child of model.remote.listUnder(row.path)) model.remote.delete(child.itemId);
  }
  model.remote.delete(row.itemId);
}

const remoteByFileId = (model: SyncModel, fileId: string) =>
  model.remote.list().find((row) => row.fileId === fileId);

/** `applyEntry` of `trees/remote-changes.ts`. */
function applyEntry(model: SyncModel, entry: JournalEntry): void {
  const { remote } = model;
  const known = remoteByFileId(model, entry.fileId);
  if (entry.kind === 'deleted') {
    const row = remote.getByPath(entry.path);
    if (row !== undefined && row.fileId === entry.fileId) dropRemote(model, row);
    return;
  }
  const occupant = remote.getByPath(entry.path);
  if (occupant !== undefined && occupant.itemId !== known?.itemId) dropRemote(model, occupant);
  let itemId = known?.itemId;
  if (known !== undefined && known.kind !== entry.kind) {
    dropRemote(model, known);
    itemId = undefined;
  }
  if (known !== undefined && itemId !== undefined && known.path !== entry.path) {
    for (const stale of remote.listUnder(entry.path)) {
      if (stale.itemId !== known.itemId && !stale.path.startsWith(`${known.path}/`)) {
        remote.delete(stale.itemId);
      }
    }
    remote.movePath(known.path, entry.path);
  }
  if (itemId === undefined) {
    const local = model.local.getByPath(entry.path);
    itemId =
      local !== undefined && local.kind === entry.kind && remote.get(local.itemId) === undefined
        ? local.itemId
        : model.items.create(entry.kind);
  }
  remote.put(rowOf(itemId, entry));
}
