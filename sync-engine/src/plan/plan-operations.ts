/**
 * The planner: compares the remote, local and synced trees and returns the operations that
 * bring them into agreement (docs/sync-engine.md, "The planner's rules"). Pure: no I/O, no
 * clock; the same trees always give the same plan. The loop runs the operations, lets the trees
 * change, and plans again until the plan is empty, so each rule only needs to take one safe
 * step; an operation whose premise is not there yet (a parent not created, a move not done) is
 * simply planned in a later round.
 */
import {
  DEFAULT_MASS_DELETE_POLICY,
  type Plan,
  type PlanInput,
  type PlanItemId,
  type PlanLocalItem,
  type PlanRemoteItem,
  type PlanSyncedItem,
} from './plan-types.js';
import { PlanBuilder, withoutRacingMoves } from './plan-builder.js';
import { parentPath } from './tree-index.js';

/**
 * The notice of moves the operations cannot make (docs/sync-engine.md, "The planner's rules"):
 * each side's item holds the place the other side's move needs, and neither can go first
 * without a temporary name.
 */
export const MOVE_CYCLE = 'its place is held on each side by what the other side moved there';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class Planner extends PlanBuilder {
  planItem(id: PlanItemId): void {
    const local = this.local.get(id);
    const remote = this.remote.get(id);
    const synced = this.synced.get(id);
    if (local !== undefined && remote !== undefined) {
      if (synced !== undefined) this.planOnBothSides(local, remote, synced);
      else this.planBothAdded(local, remote);
    } else if (local !== undefined) {
      if (synced !== undefined) this.planGoneRemotely(local);
      else this.planLocalOnly(local);
    } else if (remote !== undefined) {
      if (synced !== undefined) this.planGoneLocally(remote);
      else this.planRemoteOnly(remote);
    } else if (synced !== undefined) {
      this.emit({ kind: 'forget', itemId: id });
    }
  }

  /** Known on all three trees: moves first, then content, once both sides use one path. */
  planOnBothSides(local: PlanLocalItem, remote: PlanRemoteItem, synced: PlanSyncedItem): void {
    const id = local.itemId;
    if (local.path !== remote.path) {
      const localPlace = this.local.placement(local);
      const remotePlace = this.remote.placement(remote);
      if (localPlace === remotePlace) return; // a parent's move is pending
      const syncedPlace = this.synced.placement(synced);
      if (this.localMoveWins(local, remote, synced)) this.planLocalMove(local, remote);
      else {
        if (localPlace !== syncedPlace && remotePlace === syncedPlace)
          this.noteUndone(local, remote, 'it is in a folder shared with you as viewer');
        // Moved on the server, or on both sides (the server's rename came first and wins), or
        // a viewer moved it here: the local copy follows the server.
        this.planServerMove(
          local,
          remote,
          localPlace !== syncedPlace && remotePlace !== syncedPlace,
        );
      }
      return;
    }
    if (this.isParentReplaced(local.path)) return;
    if (local.kind === 'folder') {
      if (synced.path !== local.path) this.emit({ kind: 'record', itemId: id });
      return;
    }
    const changedLocally = this.localChanged(local, synced);
    const changedRemotely = this.remoteChanged(remote, synced);
    if (changedLocally && changedRemotely) {
      this.emit({ kind: 'conflict', itemId: id, path: local.path, cause: 'edit_edit' });
    } else if (changedLocally) {
      if (this.isReadOnly(local.path)) {
        this.emit({
          kind: 'conflict',
          itemId: id,
          path: local.path,
          cause: 'read_only',
        });
      } else {
        this.emit({
          kind: 'upload',
          itemId: id,
          path: local.path,
          parentRev: remote.rev,
        });
      }
    } else if (changedRemotely) {
      this.emit({ kind: 'download', itemId: id, path: remote.path });
    } else if (synced.path !== local.path) {
      this.emit({ kind: 'record', itemId: id });
    }
  }

  /** The server's copy goes where the local one went, once that place is free there. */
  planLocalMove(local: PlanLocalItem, remote: PlanRemoteItem): void {
    // Moved into a folder shared as viewer, or a shared folder into another one: the server
    // keeps it where it was, and the move is undone here.
    const refusal = this.moveRefusal(local, remote);
    if (refusal !== undefined) {
      this.noteUndone(local, remote, refusal);
      this.planServerMove(local, remote, false);
      return;
    }
    if (this.isCrossShareMove(local, remote)) {
      this.planCrossShareCopy(local, remote);
      return;
    }
    switch (this.remoteMoveBlocker(local)) {
      case 'free':
        this.emit({
          kind: 'move_remote',
          itemId: local.itemId,
          from: remote.path,
          to: local.path,
        });
        return;
      case 'wait':
        this.wait(
          local.path,
          this.remote.hasParentOf(local.path)
            ? 'its new place is not free on the server yet'
            : 'its new folder is not on the server yet',
        );
        return;
      case 'blocked': {
        const aside = this.cycleAsidePath(local, remote, 'local');
        if (aside !== undefined) {
          this.emit({
            kind: 'move_remote',
            itemId: local.itemId,
            from: remote.path,
            to: aside,
            aside: true,
          });
          return;
        }
        // Another item took that place on the server first: that one wins, ours moves back.
        this.planServerMove(local, remote, true);
      }
    }
  }

  /** Tells the user why a move made here is undone (the server cannot take it). */
  noteUndone(local: PlanLocalItem, remote: PlanRemoteItem, reason: string): void {
    this.notices.push({
      kind: 'move_undone',
      itemId: local.itemId,
      path: local.path,
      back: remote.path,
      reason,
    });
  }

  /**
   * Where the item steps aside when it is in a cycle of moves made on one side (`moved`: two
   * names swapped, or three rotated): each item's new place is held on the other side by the
   * next one, whose own new place is held by the next, back to this one; none of them moved on
   * the other side. One item of the cycle (the smallest id) moves, on the side that did not
   * move, to a free temporary name beside it; then the others take their places first.
   * Undefined when the item is not the one to step aside.
   */
  private cycleAsidePath(
    local: PlanLocalItem,
    remote: PlanRemoteItem,
    moved: 'local' | 'remote',
  ): string | undefined {
    const [movedTree, stayedTree] =
      moved === 'local' ? [this.local, this.remote] : [this.remote, this.local];
    const cycle: PlanItemId[] = [local.itemId];
    let target = moved === 'local' ? local.path : remote.path;
    for (;;) {
      const occupant = stayedTree.at(target);
      if (occupant === undefined) return undefined;
      if (occupant.itemId === local.itemId) break;
      const occupantMoved = movedTree.get(occupant.itemId);
      const occupantSynced = this.synced.get(occupant.itemId);
      if (occupantMoved === undefined || occupantSynced === undefined) return undefined;
      if (occupantMoved.path === occupant.path || occupantSynced.path !== occupant.path)
        return undefined;
      if (occupantMoved.kind !== occupant.kind || cycle.includes(occupant.itemId)) return undefined;
      cycle.push(occupant.itemId);
      target = occupantMoved.path;
    }
    if (cycle.length < 2 || cycle.some((id) => id < local.itemId)) return undefined;
    const place = moved === 'local' ? remote.path : local.path;
    for (let n = 1; ; n += 1) {
      const candidate = `${place}.ferry-moving${n === 1 ? '' : `-${n}`}`;
      if (this.remote.at(candidate) === undefined && this.local.at(candidate) === undefined)
        return candidate;
    }
  }

  /** The local copy goes where the server has it, once nothing else is there on disk. */
  planServerMove(local: PlanLocalItem, remote: PlanRemoteItem, renameConflict: boolean): void {
    switch (this.localMoveBlocker(local, remote)) {
      case 'free':
        this.emit({
          kind: 'move_local',
          itemId: local.itemId,
          from: local.path,
          to: remote.path,
          ...(renameConflict ? { renameConflict: true } : {}),
        });
        return;
      case 'wait':
        this.wait(remote.path, 'its place here is not free yet');
        return;
      case 'blocked': {
        const aside = this.cycleAsidePath(local, remote, 'remote');
        if (aside !== undefined) {
          this.emit({
            kind: 'move_local',
            itemId: local.itemId,
            from: local.path,
            to: aside,
            aside: true,
          });
          return;
        }
        this.planMoveBack(local, remote);
      }
    }
  }

  /**
   * The local copy cannot go where the server has it: another item stays at that place here
   * (it moved there too, and its own move waits for this one: a cycle). Then the server's copy
   * moves back to where it is here, which breaks the cycle and loses nothing.
   */
  planMoveBack(local: PlanLocalItem, remote: PlanRemoteItem): void {
    const blocker =
      this.isReadOnly(remote.path) || this.isCrossShareMove(local, remote)
        ? 'blocked'
        : this.remoteMoveBlocker(local);
    if (blocker === 'free') {
      this.emit({
        kind: 'move_remote',
        itemId: local.itemId,
        from: remote.path,
        to: local.path,
      });
    } else if (blocker === 'wait') {
      this.wait(local.path, 'its new place is not free on the server yet');
    } else {
      this.wait(local.path, MOVE_CYCLE);
      this.wait(remote.path, MOVE_CYCLE);
    }
  }

  /** Both sides have it at one path and no common base (created on both, or a lost record). */
  planBothAdded(local: PlanLocalItem, remote: PlanRemoteItem): void {
    if (local.path !== remote.path) {
      this.planServerMove(local, remote, false);
    } else if (local.kind === 'folder') {
      this.emit({ kind: 'record', itemId: local.itemId });
    } else {
      this.emit({
        kind: 'conflict',
        itemId: local.itemId,
        path: local.path,
        cause: 'both_added',
      });
    }
  }

  /** Deleted on the server since both agreed. An edit made here meanwhile wins. */
  planGoneRemotely(local: PlanLocalItem): void {
    if (this.canDeleteLocal(local)) {
      // Folders go once they are empty: everything under them is deleted (or moved out) first.
      if (local.kind === 'file' || this.local.childrenOf(local.path).length === 0) {
        this.emit({ kind: 'delete_local', itemId: local.itemId, path: local.path });
      } else if (this.local.childrenOf(local.path).some((c) => this.remote.get(c.itemId))) {
        this.wait(local.path, 'what is in it moves out first');
      }
      return;
    }
    const occupant = this.remote.at(local.path);
    if (occupant !== undefined && this.isMergedDown(local, occupant)) return;
    if (
      local.kind === 'folder' &&
      occupant?.kind === 'folder' &&
      this.local.get(occupant.itemId) === undefined
    ) {
      // Kept here (not empty), and the server has another folder at its path: the two become
      // one. The local one forgets its merge base at that path first, which would be in the way
      // of recording the server's there (then isMergedDown).
      this.emit({ kind: 'forget', itemId: local.itemId });
      return;
    }
    this.planToServer(local, true);
  }

  /** Deleted here since both agreed. A server edit meanwhile wins; viewers get it back. */
  planGoneLocally(remote: PlanRemoteItem): void {
    const id = remote.itemId;
    if (this.canDeleteRemote(remote)) {
      const parent = this.remote.at(parentPath(remote.path));
      if (parent !== undefined && this.canDeleteRemote(parent)) return; // the parent goes
      if (this.hasLocalItemsUnder(remote)) {
        // One delete takes the folder with all it holds: what moved out of it here goes first.
        this.wait(remote.path, 'what is in it moves out first');
        return;
      }
      this.deletes.push({
        kind: 'delete_remote',
        itemId: id,
        path: remote.path,
        files: this.countFiles(remote),
      });
      return;
    }
    const occupant = this.local.at(remote.path);
    if (occupant !== undefined && this.isMergedDown(occupant, remote)) {
      this.emit({ kind: 'mkdir_local', itemId: id, path: remote.path });
    } else if (occupant !== undefined) {
      this.wait(remote.path, 'another local item has its path');
    } else {
      this.planToDisk(remote);
    }
  }

  /** A remote item the disk lacks comes down, once its folder is where the server has it. */
  planToDisk(remote: PlanRemoteItem): void {
    if (!this.isLocalParentReady(remote.path)) return;
    if (remote.kind === 'folder') {
      this.emit({ kind: 'mkdir_local', itemId: remote.itemId, path: remote.path });
    } else {
      this.emit({ kind: 'download', itemId: remote.itemId, path: remote.path });
    }
  }

  planLocalOnly(local: PlanLocalItem): void {
    this.planToServer(local, false);
  }

  /** A local item the server lacks (new here, or deleted there while edited here) goes up. */
  planToServer(local: PlanLocalItem, restoresDeleted: boolean): void {
    const occupant = this.remote.at(local.path);
    if (occupant !== undefined && this.isMergedDown(local, occupant)) return;
    if (this.isReadOnly(local.path)) {
      if (local.kind === 'file' && occupant !== undefined && occupant.itemId !== local.itemId) {
        // The share has a file at its path: that one comes, ours is kept beside it, locally.
        this.emit({
          kind: 'conflict',
          itemId: local.itemId,
          path: local.path,
          cause: 'read_only',
        });
      } else {
        this.notices.push({ kind: 'read_only', path: local.path });
      }
      return;
    }
    if (!this.remote.hasParentOf(local.path)) {
      this.wait(local.path, 'its folder is being created on the server');
      return;
    }
    const remoteParent = this.remote.at(parentPath(local.path));
    if (
      remoteParent !== undefined &&
      remoteParent.itemId !== this.local.at(parentPath(local.path))?.itemId &&
      this.leavesRemotePath(remoteParent)
    ) {
      // Another folder has the path there and goes (deleted, or moved away): ours comes after.
      this.wait(local.path, 'its folder is being created on the server');
      return;
    }
    if (occupant !== undefined && occupant.itemId !== local.itemId) {
      if (this.leavesRemotePath(occupant)) {
        this.wait(local.path, 'its path is being freed on the server');
        return;
      }
      if (local.kind === 'file') {
        // Another item got the path on the server first: it keeps it, ours is set aside.
        this.emit({
          kind: 'conflict',
          itemId: local.itemId,
          path: local.path,
          cause: 'both_added',
        });
        return;
      }
      if (occupant.kind === 'file') {
        // No operation sets a local folder aside: the user renames one of them.
        this.wait(local.path, 'a file has this path on the server');
        return;
      }
      // A folder there: creating ours answers that one, and the two become one item; not
      // while that folder is still the merge base at this path (mkdir_remote would record ours
      // over it and fail on the synced tree's unique path).
      if (this.synced.get(occupant.itemId)?.path === local.path) {
        this.wait(local.path, 'another folder has its path on the server');
        return;
      }
    }
    if (local.kind === 'folder') {
      this.emit({ kind: 'mkdir_remote', itemId: local.itemId, path: local.path });
    } else {
      this.emit({
        kind: 'upload',
        itemId: local.itemId,
        path: local.path,
        ...(restoresDeleted ? { restoresDeleted: true } : {}),
      });
    }
  }

  planRemoteOnly(remote: PlanRemoteItem): void {
    const occupant = this.local.at(remote.path);
    if (
      occupant !== undefined &&
      (this.isMergedDown(occupant, remote) || this.isStuckOnFolder(occupant, remote))
    ) {
      this.emit({ kind: 'mkdir_local', itemId: remote.itemId, path: remote.path });
      return;
    }
    // Another item holds the path here: that one is uploaded (and set aside if it clashes).
    if (occupant !== undefined) return;
    this.planToDisk(remote);
  }

  /**
   * Moved here into or out of a share, or between two (where we are editor): the server refuses
   * the move (each namespace has its own key), so the item is copied to its new place as new,
   * a file uploaded, a folder created (`crossShare`). What a folder holds then follows one by
   * one, each as moved here into the copy. Once a copy is recorded, the server's old copy is an
   * item of its own, deleted here: its `delete_remote` comes by the rules of any delete (an
   * edit on the server since wins and comes back here; a folder goes once all it held is
   * copied). A crash in between loses nothing: before the record the item is still the moved
   * one, after it the old copy is still to be deleted.
   */
  planCrossShareCopy(local: PlanLocalItem, remote: PlanRemoteItem): void {
    const occupant = this.remote.at(local.path);
    const merges =
      local.kind === 'folder' &&
      occupant?.kind === 'folder' &&
      occupant.itemId !== local.itemId &&
      this.local.get(occupant.itemId) === undefined &&
      this.synced.get(occupant.itemId) === undefined;
    // A new server folder at its new place (our own copy whose record a crash lost, or one made
    // there meanwhile): creating ours answers it, and the two become one.
    const blocker = merges ? 'free' : this.remoteMoveBlocker(local);
    if (blocker === 'free') {
      this.emit({
        kind: local.kind === 'folder' ? 'mkdir_remote' : 'upload',
        itemId: local.itemId,
        path: local.path,
        crossShare: true,
      });
    } else if (blocker === 'wait') {
      this.wait(
        local.path,
        this.remote.hasParentOf(local.path)
          ? 'its new place is not free on the server yet'
          : 'its new folder is not on the server yet',
      );
    } else {
      // Another item took that place on the server first, or the server's copy changed since
      // (`canCopyAcross`): that one wins, ours moves back.
      this.planServerMove(local, remote, true);
    }
  }
}

/** Whether `files` deletions in a tree of `syncedFiles` files trip the mass-delete guard. */
export function isMassDelete(
  files: number,
  syncedFiles: number,
  policy = DEFAULT_MASS_DELETE_POLICY,
): boolean {
  if (files > policy.maxFiles) return true;
  return syncedFiles >= policy.fractionFloorFiles && files > syncedFiles * policy.maxFraction;
}

/**
 * The plan for the three trees: operations in a stable order (by item path), and the deletions
 * held by the mass-delete guard unless `allowMassDelete`.
 *
 * @example
 * const plan = planOperations({ local, remote, synced });
 * for (const operation of plan.operations) await execute(operation);
 */
export function planOperations(input: PlanInput): Plan {
  const planner = new Planner(input);
  const ids = new Set<PlanItemId>([
    ...planner.local.ids(),
    ...planner.remote.ids(),
    ...planner.synced.ids(),
  ]);
  const pathOf = (id: PlanItemId) =>
    (planner.local.get(id) ?? planner.remote.get(id) ?? planner.synced.get(id))!.path;
  const ordered = [...ids].sort((a, b) => compare(pathOf(a), pathOf(b)) || compare(a, b));
  for (const id of ordered) planner.planItem(id);
  // The deletes of old copies that moves across a share's boundary left (their items copied to
  // their new places) complete those moves: the guard neither counts nor holds them.
  const completesMove = (operation: { itemId: PlanItemId; files: number }) =>
    operation.files === 0 && planner.synced.get(operation.itemId)?.copiedAcross === true;
  const deleteFiles = planner.deletes.reduce((sum, operation) => sum + operation.files, 0);
  const syncedFiles = input.synced.filter(
    (item) => item.kind === 'file' && item.copiedAcross !== true,
  ).length;
  const hold =
    input.allowMassDelete !== true &&
    isMassDelete(deleteFiles, syncedFiles, input.massDelete ?? DEFAULT_MASS_DELETE_POLICY);
  const deletes = withoutRacingMoves(planner.deletes, planner.operations);
  const planned = withoutRacingMoves(planner.operations, planner.operations);
  const held = hold ? deletes.filter((operation) => !completesMove(operation)) : [];
  const operations = hold
    ? [...planned, ...deletes.filter(completesMove)]
    : [...planned, ...deletes];
  return {
    operations,
    heldDeletes: held,
    heldDeleteFiles: hold ? deleteFiles : 0,
    notices: planner.notices,
  };
}
