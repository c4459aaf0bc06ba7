/**
 * The operations that change the shape of the trees, not file contents: folders created,
 * deleted and moved on either side, and the bookkeeping steps (record, forget). Each checks its
 * premise first (the disk or the remote tree still as planned) and answers 'stale' otherwise.
 */
import type { Operation } from '../plan/index.js';
import type { DeletePrecondition } from '../protocol/index.js';
import { isChangedSinceRefusal, RemoteError } from '../remote/index.js';
import type { ItemId } from '../state/index.js';
import type { BatchOutcome } from './batch-outcome.js';
import { ensureParent } from './download-file.js';
import {
  isUnchanged,
  parentOf,
  type ExecuteContext,
  type ExecuteOutcome,
} from './execute-context.js';
import { leaveOldCopyBehind } from './cross-share.js';
import { removeIfUnchanged } from './moved-aside.js';
import { freeCopyPath } from './set-aside.js';
import { makeRoomInSynced } from './synced-room.js';

type Of<K extends Operation['kind']> = Extract<Operation, { kind: K }>;

export async function mkdirLocal(
  context: ExecuteContext,
  operation: Of<'mkdir_local'>,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const remote = items.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path) return 'stale';
  const existing = await context.fs.stat(operation.path, context.signal);
  if (existing !== undefined && existing.kind !== 'folder') return 'stale';
  if (!(await ensureParent(context, operation.path))) return 'stale';
  await context.fs.mkdir(operation.path);
  const stat = await context.fs.stat(operation.path, context.signal);
  if (stat === undefined) return 'stale';
  const now = context.clock.nowMs();
  context.state.transaction(() => {
    const occupant = items.local.getByPath(operation.path);
    if (occupant !== undefined && occupant.itemId !== operation.itemId)
      items.local.delete(occupant.itemId);
    items.local.put({
      itemId: operation.itemId,
      kind: 'folder',
      path: operation.path,
      inode: stat.inode,
      sizeBytes: 0,
      mtimeMs: stat.mtimeMs,
      scannedMs: now,
    });
    recordFolder(context, operation.itemId, operation.path);
  });
  context.report.synced('mkdir_local', operation.path);
  return 'done';
}

function recordFolder(context: ExecuteContext, itemId: ItemId, path: string): void {
  makeRoomInSynced(context.state, itemId, path);
  context.state.items.synced.put({
    itemId,
    kind: 'folder',
    path,
    sizeBytes: 0,
    modifiedMs: 0,
    syncedMs: context.clock.nowMs(),
  });
}

export async function mkdirRemote(
  context: ExecuteContext,
  operation: Of<'mkdir_remote'>,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const local = items.local.get(operation.itemId);
  if (local === undefined || local.path !== operation.path) return 'stale';
  // A folder both sides already know (it has a merge base) is not ours to take over. If it is
  // leaving the path here (moved or deleted, not sent yet), wait for that; if it is arriving
  // (moved there on the server), our new folder gives way, as a new file would.
  const isKnownElsewhere = (other: { itemId: ItemId } | undefined) =>
    other !== undefined &&
    other.itemId !== operation.itemId &&
    items.synced.get(other.itemId) !== undefined;
  const occupant = items.remote.getByPath(operation.path);
  if (occupant !== undefined && isKnownElsewhere(occupant)) {
    if (vacates(context, operation.itemId, occupant.itemId)) return 'stale';
    return moveAside(context, operation.itemId, operation.path);
  }
  const folder = await context.remote.createFolder(operation.path, context.signal);
  const others = [items.remoteByFileId(folder.fileId), items.remote.getByPath(folder.path)];
  if (others.some(isKnownElsewhere)) return 'stale';
  context.state.transaction(() => {
    if (operation.crossShare === true) {
      leaveOldCopyBehind(context.state, operation.itemId, folder.path, context.clock.nowMs());
    }
    // Created on both sides at once: the server's folder is this item from now on.
    for (const other of others) {
      if (other !== undefined && other.itemId !== operation.itemId)
        items.remote.delete(other.itemId);
    }
    items.remote.put({
      itemId: operation.itemId,
      kind: 'folder',
      path: folder.path,
      sizeBytes: 0,
      modifiedMs: 0,
      fileId: folder.fileId,
      namespace: folder.namespace,
      mount: folder.mount,
    });
    recordFolder(context, operation.itemId, folder.path);
  });
  context.report.synced('mkdir_remote', operation.path);
  return 'done';
}

export async function deleteRemote(
  context: ExecuteContext,
  operation: Of<'delete_remote'>,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const remote = items.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path) return 'stale';
  const precondition = deletePreconditionOf(context, remote);
  if (precondition === undefined) return 'stale';
  try {
    await context.remote.deletePath({ path: operation.path, ...precondition }, context.signal);
  } catch (error) {
    // Changed on the server after the view the delete was planned on (an edit, a new file, a
    // move in or out), up to the moment the delete reached it: nothing was deleted. The next
    // pull shows the change, and the plan keeps it (an edit beats a delete).
    if (isChangedSinceRefusal(error)) return 'stale';
    // Not there, though nothing was journaled there since the pull (that would be a refusal):
    // the remote tree was wrong about it, and its rows go.
    if (!(error instanceof RemoteError && error.code === 'not_found')) throw error;
  }
  context.state.transaction(() => {
    for (const row of [...items.remote.listUnder(operation.path), remote]) {
      items.remote.delete(row.itemId);
      if (items.local.get(row.itemId) === undefined) items.synced.delete(row.itemId);
    }
  });
  context.report.synced('delete_remote', operation.path);
  return 'done';
}

/**
 * What the server must still have for our delete to lose nothing, checked in the delete's own
 * transaction: nothing journaled at or under the path after the last pull (the view the plan
 * was made on: no edit, no new file, no move in or out, not gone either), and a file still at
 * the revision both sides agreed on.
 */
function deletePreconditionOf(
  context: ExecuteContext,
  remote: { itemId: ItemId; kind: string },
): DeletePrecondition | undefined {
  const cursor = context.pulledCursor();
  if (cursor === undefined) return undefined;
  const rev = context.state.items.synced.get(remote.itemId)?.rev;
  return remote.kind === 'file' && rev !== undefined
    ? { rev, unchangedSince: cursor }
    : { unchangedSince: cursor };
}

/**
 * Removes a delete_local's item from disk if it is still as the trees know it: undefined when
 * its rows are to go, else the outcome to answer. Gone from its path since the scan, it is
 * stale, not done: the user moved it (then it is still the item, wherever the next scan finds
 * it, and is deleted there) or deleted it, and only the scan tells which. Taken for gone now, a
 * moved file would become a stranger: an edit of whatever it replaced, which the delete loses to.
 */
async function removeLocally(
  context: ExecuteContext,
  operation: Of<'delete_local'>,
): Promise<ExecuteOutcome | undefined> {
  const { items } = context.state;
  const local = items.local.get(operation.itemId);
  if (local === undefined || local.path !== operation.path) return 'stale';
  if (local.kind === 'file') return (await removeIfUnchanged(context, local)) ? undefined : 'stale';
  if (!isUnchanged(local, await context.fs.stat(operation.path, context.signal))) return 'stale';
  try {
    if (!(await context.fs.removeFolder(operation.path))) return 'stale';
  } catch (error) {
    // Something the trees do not know is inside (ignored files, a new file): the folder stays
    // and, no longer on the server, is created there again by the next plan.
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
    context.state.transaction(() => items.synced.delete(operation.itemId));
    return 'stale';
  }
  return undefined;
}

function forgetDeleted(context: ExecuteContext, operation: Of<'delete_local'>): void {
  context.state.items.local.delete(operation.itemId);
  context.state.items.synced.delete(operation.itemId);
}

export async function deleteLocal(
  context: ExecuteContext,
  operation: Of<'delete_local'>,
): Promise<ExecuteOutcome> {
  const outcome = await removeLocally(context, operation);
  if (outcome !== undefined) return outcome;
  context.state.transaction(() => forgetDeleted(context, operation));
  context.report.synced('delete_local', operation.path);
  return 'done';
}

/**
 * Many delete_local operations (files deleted on the server) as one unit: each removed as
 * deleteLocal does, their rows forgotten in one state transaction (one fsync) instead of one
 * each, which was most of what 10,000 deletes cost. One operation's error fails only it.
 */
export async function deleteLocalFiles(
  context: ExecuteContext,
  operations: readonly Of<'delete_local'>[],
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  const removed: Array<Of<'delete_local'>> = [];
  for (const operation of operations) {
    try {
      const outcome = await removeLocally(context, operation);
      outcomes.push(outcome ?? 'done');
      if (outcome === undefined) removed.push(operation);
    } catch (error) {
      if (context.signal.aborted) throw error;
      outcomes.push({ error });
    }
  }
  context.state.transaction(() => {
    for (const operation of removed) forgetDeleted(context, operation);
  });
  for (const operation of removed) context.report.synced('delete_local', operation.path);
  return outcomes;
}

export async function moveRemote(
  context: ExecuteContext,
  operation: Of<'move_remote'>,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const remote = items.remote.get(operation.itemId);
  const local = items.local.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.from) return 'stale';
  if (operation.aside === true) return moveRemoteAside(context, operation);
  if (local === undefined || local.path !== operation.to) return 'stale';
  // Into the folder that holds it here, wherever that folder is on the server now: when the
  // folder itself moved here too (renamed after the item was moved into it), its own move
  // comes after, and the item goes along with it.
  const to = remoteTargetOf(context, operation.to);
  if (to === undefined || to === operation.from || to.startsWith(`${operation.from}/`)) {
    return 'stale';
  }
  const occupant = items.remote.getByPath(to);
  if (occupant !== undefined && occupant.itemId !== operation.itemId) {
    // Another item took the name on the server first. If it is leaving the name here too (its
    // own move or delete is pending), wait for that; otherwise ours gives way.
    if (vacates(context, operation.itemId, occupant.itemId)) return 'stale';
    return moveAside(context, operation.itemId, operation.to);
  }
  await context.remote.movePath({ from: operation.from, to }, context.signal);
  context.state.transaction(() => {
    items.remote.movePath(operation.from, to);
    moveSynced(context, operation.itemId, to);
  });
  context.report.synced('move_remote', to, { fromPath: operation.from });
  return 'done';
}

/**
 * A move cycle is broken on the server: the item steps aside to a free temporary name there,
 * and the merge base follows, so the next plan sees only its local move (from the temporary
 * name to where it is here), which the other items of the cycle no longer block.
 */
async function moveRemoteAside(
  context: ExecuteContext,
  operation: Of<'move_remote'>,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  if (items.local.get(operation.itemId) === undefined) return 'stale';
  if (items.remote.getByPath(operation.to) !== undefined) return 'stale';
  await context.remote.movePath({ from: operation.from, to: operation.to }, context.signal);
  context.state.transaction(() => {
    items.remote.movePath(operation.from, operation.to);
    moveSynced(context, operation.itemId, operation.to);
  });
  context.report.synced('move_remote', operation.to, { fromPath: operation.from });
  return 'done';
}

/**
 * The server path for an item that is at `localPath` here: its name in the server's place of
 * the folder holding it here. Undefined while that folder is not on the server.
 */
function remoteTargetOf(context: ExecuteContext, localPath: string): string | undefined {
  const parent = parentOf(localPath);
  const name = localPath.slice(parent.length + 1);
  if (parent === '') return localPath;
  const folder = context.state.items.local.getByPath(parent);
  const remote = folder === undefined ? undefined : context.state.items.remote.get(folder.itemId);
  return remote?.kind === 'folder' ? `${remote.path}/${name}` : undefined;
}

/**
 * Whether the remote item `occupantId` is about to leave its path because of a change made here
 * and not sent yet, so a move of `itemId` onto that path only has to wait: deleted here and
 * unchanged on the server (everything under it too), or moved here and not on the server, to a
 * path that is free there or being freed the same way. Anything else (a swap of two names, an
 * edit on the server that beats our delete) is not leaving, and our move gives way instead:
 * waiting on it would never end. These are the planner's own conditions, kept conservative.
 */
function vacates(context: ExecuteContext, itemId: ItemId, occupantId: ItemId): boolean {
  const { items } = context.state;
  const unchangedAndGoneHere = (row: {
    itemId: ItemId;
    kind: string;
    rev?: string | undefined;
  }) => {
    const synced = items.synced.get(row.itemId);
    return (
      synced !== undefined &&
      items.local.get(row.itemId) === undefined &&
      (row.kind === 'folder' || row.rev === synced.rev)
    );
  };
  const seen = new Set<ItemId>([itemId]);
  let id = occupantId;
  while (!seen.has(id)) {
    seen.add(id);
    const remote = items.remote.get(id);
    if (remote === undefined) return false;
    const local = items.local.get(id);
    if (local === undefined) {
      return (
        unchangedAndGoneHere(remote) &&
        items.remote.listUnder(remote.path).every(unchangedAndGoneHere)
      );
    }
    const synced = items.synced.get(id);
    if (synced === undefined || synced.path !== remote.path || local.path === remote.path)
      return false;
    const next = items.remote.getByPath(local.path);
    if (next === undefined) return true;
    id = next.itemId;
  }
  return false;
}

/**
 * Our rename lost the race for a name (SPEC "Conflicts": the first wins, the later becomes a
 * move of the local copy): the local entry is renamed to a conflicted copy beside it and the
 * clash is recorded; the next plan moves the server's item to that name instead.
 */
async function moveAside(
  context: ExecuteContext,
  itemId: ItemId,
  path: string,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const local = items.local.get(itemId);
  if (local === undefined || local.path !== path) return 'stale';
  if (!isUnchanged(local, await context.fs.stat(path, context.signal))) return 'stale';
  const copyPath = await freeCopyPath(context, path);
  await context.fs.rename(path, copyPath);
  const id = context.state.transaction(() => {
    items.local.movePath(path, copyPath);
    return context.state.conflicts.record({
      itemId,
      reason: 'rename_rename',
      path,
      conflictedCopyPath: copyPath,
      detectedMs: context.clock.nowMs(),
    });
  });
  const conflict = context.state.conflicts.get(id);
  if (conflict !== undefined) context.report.conflict(conflict);
  return 'done';
}

/** Moves the item's synced row (and those under it) to `to`, where both sides now have it. */
function moveSynced(context: ExecuteContext, itemId: ItemId, to: string): void {
  const synced = context.state.items.synced.get(itemId);
  if (synced === undefined || synced.path === to) return;
  makeRoomInSynced(context.state, itemId, to);
  context.state.items.synced.movePath(synced.path, to);
}

/**
 * Renames `from` to `to`, false when a file took `to` since it was checked: a file never
 * replaces one the user saved there. (A folder's rename cannot replace anything but an empty
 * folder: rename(2) refuses one with something inside.)
 */
async function renameOnlyIfFree(
  context: ExecuteContext,
  kind: 'file' | 'folder',
  from: string,
  to: string,
): Promise<boolean> {
  if (kind === 'folder') {
    await context.fs.rename(from, to);
    return true;
  }
  try {
    await context.fs.renameNoReplace(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export async function moveLocal(
  context: ExecuteContext,
  operation: Of<'move_local'>,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const local = items.local.get(operation.itemId);
  const remote = items.remote.get(operation.itemId);
  if (local === undefined || local.path !== operation.from) return 'stale';
  if (remote === undefined) return 'stale';
  if (operation.aside !== true && remote.path !== operation.to) return 'stale';
  // Into the folder that holds it on the server, wherever that folder is here now (it may have
  // moved here too, its own move still to come). Aside: to the temporary name beside it.
  const to = operation.aside === true ? operation.to : localTargetOf(context, operation.to);
  if (operation.aside === true && items.local.getByPath(to) !== undefined) return 'stale';
  if (to === operation.from || to.startsWith(`${operation.from}/`)) return 'stale';
  const stat = await context.fs.stat(operation.from, context.signal);
  if (!isUnchanged(local, stat)) return 'stale';
  if ((await context.fs.stat(to, context.signal)) !== undefined) return 'stale';
  if (!(await ensureParent(context, to))) return 'stale';
  if (!(await renameOnlyIfFree(context, local.kind, operation.from, to))) return 'stale';
  context.state.transaction(() => {
    items.local.movePath(operation.from, to);
    moveSynced(context, operation.itemId, to);
    if (operation.renameConflict === true) {
      const id = context.state.conflicts.record({
        itemId: operation.itemId,
        reason: 'rename_rename',
        path: operation.to,
        detectedMs: context.clock.nowMs(),
      });
      const conflict = context.state.conflicts.get(id);
      if (conflict !== undefined) context.report.conflict(conflict);
    }
  });
  context.report.synced('move_local', to, { fromPath: operation.from });
  return 'done';
}

/**
 * The local path for an item that is at `remotePath` on the server: its name in the local
 * place of the folder holding it there; `remotePath` itself when that folder is not here yet
 * (it is being made, or see ensureParent).
 */
function localTargetOf(context: ExecuteContext, remotePath: string): string {
  const parent = parentOf(remotePath);
  if (parent === '') return remotePath;
  const folder = context.state.items.remote.getByPath(parent);
  const local = folder === undefined ? undefined : context.state.items.local.get(folder.itemId);
  return local?.kind === 'folder' ? `${local.path}${remotePath.slice(parent.length)}` : remotePath;
}

/** Both sides agree already: the merge base follows (a path both moved to, a folder both made). */
export function recordAgreement(context: ExecuteContext, operation: Of<'record'>): ExecuteOutcome {
  const { items } = context.state;
  const local = items.local.get(operation.itemId);
  const remote = items.remote.get(operation.itemId);
  if (local === undefined || remote === undefined || local.path !== remote.path) return 'stale';
  const synced = items.synced.get(operation.itemId);
  context.state.transaction(() => {
    makeRoomInSynced(context.state, operation.itemId, remote.path);
    if (remote.kind === 'folder') {
      if (synced !== undefined && synced.path !== remote.path)
        moveSynced(context, operation.itemId, remote.path);
      else recordFolder(context, operation.itemId, remote.path);
    } else if (synced !== undefined) {
      items.synced.put({ ...synced, path: remote.path });
    }
  });
  return 'done';
}

export function forget(context: ExecuteContext, operation: Of<'forget'>): ExecuteOutcome {
  context.state.transaction(() => context.state.items.synced.delete(operation.itemId));
  return 'done';
}
