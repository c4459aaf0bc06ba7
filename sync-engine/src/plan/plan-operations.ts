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
  type Operation,
  type Plan,
  type PlanInput,
  type PlanItemId,
  type PlanLocalItem,
  type PlanNotice,
  type PlanRemoteItem,
  type PlanSyncedItem,
} from './plan-types.js';
import { parentPath, TreeIndex } from './tree-index.js';

type DeleteRemote = Extract<Operation, { kind: 'delete_remote' }>;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class Planner {
  readonly local: TreeIndex<PlanLocalItem>;
  readonly remote: TreeIndex<PlanRemoteItem>;
  readonly synced: TreeIndex<PlanSyncedItem>;
  readonly operations: Operation[] = [];
  readonly deletes: DeleteRemote[] = [];
  readonly notices: PlanNotice[] = [];
  private readonly remoteDeletable = new Map<PlanItemId, boolean>();
  private readonly localDeletable = new Map<PlanItemId, boolean>();

  constructor(input: PlanInput) {
    this.local = new TreeIndex(input.local);
    this.remote = new TreeIndex(input.remote);
    this.synced = new TreeIndex(input.synced);
  }

  /** Inside a folder shared with the user as viewer (the mount point itself is not inside). */
  isReadOnly(path: string): boolean {
    for (let parent = parentPath(path); parent !== ''; parent = parentPath(parent)) {
      const mount = this.remote.at(parent)?.mount;
      if (mount !== undefined) return mount.role === 'viewer';
    }
    return false;
  }

  localChanged(local: PlanLocalItem, synced: PlanSyncedItem): boolean {
    return local.kind === 'file' && local.fingerprint !== synced.fingerprint;
  }

  remoteChanged(remote: PlanRemoteItem, synced: PlanSyncedItem): boolean {
    return remote.kind === 'file' && remote.rev !== synced.rev;
  }

  /**
   * Gone locally and nothing under it changed on the server: deleting it on the server loses
   * nothing. Memoised, since a folder asks about everything under it.
   */
  canDeleteRemote(remote: PlanRemoteItem): boolean {
    const known = this.remoteDeletable.get(remote.itemId);
    if (known !== undefined) return known;
    const synced = this.synced.get(remote.itemId);
    let result =
      synced !== undefined &&
      this.local.get(remote.itemId) === undefined &&
      remote.mount === undefined &&
      !this.isReadOnly(remote.path) &&
      !this.remoteChanged(remote, synced);
    if (result && remote.kind === 'folder') {
      // A child moved out of it here goes to its new place first (then the folder is deleted).
      result = this.remote.childrenOf(remote.path).every((child) => this.leavesRemotePath(child));
    }
    this.remoteDeletable.set(remote.itemId, result);
    return result;
  }

  /**
   * Gone on the server and unchanged here (the same for everything under a folder, apart from
   * what the server moved out of it: that follows the server first).
   */
  canDeleteLocal(local: PlanLocalItem): boolean {
    const known = this.localDeletable.get(local.itemId);
    if (known !== undefined) return known;
    const synced = this.synced.get(local.itemId);
    let result =
      synced !== undefined &&
      this.remote.get(local.itemId) === undefined &&
      !this.localChanged(local, synced);
    if (result && local.kind === 'folder') {
      result = this.local.childrenOf(local.path).every((child) => this.leavesLocalPath(child));
    }
    this.localDeletable.set(local.itemId, result);
    return result;
  }

  countFiles(remote: PlanRemoteItem): number {
    if (remote.kind === 'file') return 1;
    let count = 0;
    for (const child of this.remote.childrenOf(remote.path)) count += this.countFiles(child);
    return count;
  }

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
      this.operations.push({ kind: 'forget', itemId: id });
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
    if (local.kind === 'folder') {
      if (synced.path !== local.path) this.operations.push({ kind: 'record', itemId: id });
      return;
    }
    const changedLocally = this.localChanged(local, synced);
    const changedRemotely = this.remoteChanged(remote, synced);
    if (changedLocally && changedRemotely) {
      this.operations.push({ kind: 'conflict', itemId: id, path: local.path, cause: 'edit_edit' });
    } else if (changedLocally) {
      if (this.isReadOnly(local.path)) {
        this.operations.push({
          kind: 'conflict',
          itemId: id,
          path: local.path,
          cause: 'read_only',
        });
      } else {
        this.operations.push({
          kind: 'upload',
          itemId: id,
          path: local.path,
          parentRev: remote.rev,
        });
      }
    } else if (changedRemotely) {
      this.operations.push({ kind: 'download', itemId: id, path: remote.path });
    } else if (synced.path !== local.path) {
      this.operations.push({ kind: 'record', itemId: id });
    }
  }

  /** Moved here and not on the server, outside viewer folders: the server follows. */
  localMoveWins(local: PlanLocalItem, remote: PlanRemoteItem, synced: PlanSyncedItem): boolean {
    return (
      this.local.placement(local) !== this.synced.placement(synced) &&
      this.remote.placement(remote) === this.synced.placement(synced) &&
      !this.isReadOnly(remote.path)
    );
  }

  /** The server's copy goes where the local one went, once that place is free there. */
  planLocalMove(local: PlanLocalItem, remote: PlanRemoteItem): void {
    // Moved into a folder shared as viewer: the server keeps it where it was.
    if (this.isReadOnly(local.path)) {
      this.planServerMove(local, remote, false);
      return;
    }
    if (!this.remote.hasParentOf(local.path)) {
      this.wait(local.path, 'its new folder is not on the server yet');
      return;
    }
    const occupant = this.remote.at(local.path);
    if (occupant === undefined) {
      this.operations.push({
        kind: 'move_remote',
        itemId: local.itemId,
        from: remote.path,
        to: local.path,
      });
    } else if (this.leavesRemotePath(occupant)) {
      this.wait(local.path, 'its new path is being freed on the server');
    } else {
      // Another item took that path on the server first: that one wins, ours moves back.
      this.planServerMove(local, remote, true);
    }
  }

  /** The local copy goes where the server has it, once nothing else is there on disk. */
  planServerMove(local: PlanLocalItem, remote: PlanRemoteItem, renameConflict: boolean): void {
    const occupant = this.local.at(remote.path);
    if (occupant !== undefined && occupant.itemId !== local.itemId) {
      this.wait(remote.path, 'another local item has its path');
      return;
    }
    if (!this.isLocalParentReady(remote.path)) return;
    this.operations.push({
      kind: 'move_local',
      itemId: local.itemId,
      from: local.path,
      to: remote.path,
      ...(renameConflict ? { renameConflict: true } : {}),
    });
  }

  /**
   * Whether the item at a remote path leaves it by the operations planned now or later: it is
   * deleted (gone locally, unchanged), or it, or a folder above it, follows a local move that
   * can be made on the server. `visiting` breaks cycles (two items swapping names): none of them
   * can go first, so none leaves.
   */
  leavesRemotePath(remote: PlanRemoteItem, visiting = new Set<PlanItemId>()): boolean {
    const local = this.local.get(remote.itemId);
    if (local === undefined) {
      return this.synced.get(remote.itemId) !== undefined && this.canDeleteRemote(remote);
    }
    if (local.path === remote.path || visiting.has(remote.itemId)) return false;
    visiting.add(remote.itemId);
    for (
      let row: PlanRemoteItem | undefined = remote;
      row !== undefined;
      row = this.remote.at(parentPath(row.path))
    ) {
      const rowLocal = this.local.get(row.itemId);
      const rowSynced = this.synced.get(row.itemId);
      if (rowLocal === undefined || rowSynced === undefined) continue;
      if (this.localMoveWins(rowLocal, row, rowSynced))
        return this.canMoveRemote(rowLocal, visiting);
    }
    return false;
  }

  /** Whether a local move can be made on the server, now or once the way there is free. */
  canMoveRemote(local: PlanLocalItem, visiting = new Set<PlanItemId>()): boolean {
    if (this.isReadOnly(local.path)) return false;
    if (!this.remote.hasParentOf(local.path)) return true; // its folder is being created there
    const occupant = this.remote.at(local.path);
    return (
      occupant === undefined ||
      occupant.itemId === local.itemId ||
      this.leavesRemotePath(occupant, visiting)
    );
  }

  /** Both sides have it at one path and no common base (created on both, or a lost record). */
  planBothAdded(local: PlanLocalItem, remote: PlanRemoteItem): void {
    if (local.path !== remote.path) {
      this.planServerMove(local, remote, false);
    } else if (local.kind === 'folder') {
      this.operations.push({ kind: 'record', itemId: local.itemId });
    } else {
      this.operations.push({
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
        this.operations.push({ kind: 'delete_local', itemId: local.itemId, path: local.path });
      } else if (this.local.childrenOf(local.path).some((c) => this.remote.get(c.itemId))) {
        this.wait(local.path, 'what is in it moves out first');
      }
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
    if (this.local.at(remote.path) !== undefined) {
      this.wait(remote.path, 'another local item has its path');
    } else {
      this.planToDisk(remote);
    }
  }

  /** A remote item the disk lacks comes down, once its folder is where the server has it. */
  planToDisk(remote: PlanRemoteItem): void {
    if (!this.isLocalParentReady(remote.path)) return;
    if (remote.kind === 'folder') {
      this.operations.push({ kind: 'mkdir_local', itemId: remote.itemId, path: remote.path });
    } else {
      this.operations.push({ kind: 'download', itemId: remote.itemId, path: remote.path });
    }
  }

  /**
   * Whether something may be put at `remotePath` on disk: its folder there is not one that has
   * a local copy elsewhere (moving into place, or staying where it is), else the executor would
   * create a second folder at the parent's path (downloads and moves make missing parents).
   */
  isLocalParentReady(remotePath: string): boolean {
    const parent = this.remote.at(parentPath(remotePath));
    if (parent === undefined) return true;
    const local = this.local.get(parent.itemId);
    return local === undefined || local.path === parent.path;
  }

  /** Whether anything under the remote folder still has a local copy (somewhere else). */
  hasLocalItemsUnder(remote: PlanRemoteItem): boolean {
    return this.remote
      .childrenOf(remote.path)
      .some(
        (child) => this.local.get(child.itemId) !== undefined || this.hasLocalItemsUnder(child),
      );
  }

  planLocalOnly(local: PlanLocalItem): void {
    this.planToServer(local, false);
  }

  /** A local item the server lacks (new here, or deleted there while edited here) goes up. */
  planToServer(local: PlanLocalItem, restoresDeleted: boolean): void {
    const occupant = this.remote.at(local.path);
    if (this.isReadOnly(local.path)) {
      if (local.kind === 'file' && occupant !== undefined && occupant.itemId !== local.itemId) {
        // The share has a file at its path: that one comes, ours is kept beside it, locally.
        this.operations.push({
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
    if (occupant !== undefined && occupant.itemId !== local.itemId) {
      if (this.leavesRemotePath(occupant)) {
        this.wait(local.path, 'its path is being freed on the server');
        return;
      }
      if (local.kind === 'file') {
        // Another item got the path on the server first: it keeps it, ours is set aside.
        this.operations.push({
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
      // A folder there: creating ours answers that one, and the two become one item.
    }
    if (local.kind === 'folder') {
      this.operations.push({ kind: 'mkdir_remote', itemId: local.itemId, path: local.path });
    } else {
      this.operations.push({
        kind: 'upload',
        itemId: local.itemId,
        path: local.path,
        ...(restoresDeleted ? { restoresDeleted: true } : {}),
      });
    }
  }

  planRemoteOnly(remote: PlanRemoteItem): void {
    // Another item holds the path here: that one is uploaded (and set aside if it clashes).
    if (this.local.at(remote.path) !== undefined) return;
    this.planToDisk(remote);
  }

  /**
   * Whether the local item leaves its path by the operations planned now or later: it is
   * deleted (gone on the server, unchanged here), or it, or a folder above it, follows a move
   * made on the server.
   */
  leavesLocalPath(local: PlanLocalItem): boolean {
    const remote = this.remote.get(local.itemId);
    if (remote === undefined) {
      return this.synced.get(local.itemId) !== undefined && this.canDeleteLocal(local);
    }
    if (remote.path === local.path) return false;
    for (
      let row: PlanLocalItem | undefined = local;
      row !== undefined;
      row = this.local.at(parentPath(row.path))
    ) {
      const rowRemote = this.remote.get(row.itemId);
      if (rowRemote === undefined) continue;
      if (this.local.placement(row) === this.remote.placement(rowRemote)) continue;
      const rowSynced = this.synced.get(row.itemId);
      if (rowSynced === undefined || !this.localMoveWins(row, rowRemote, rowSynced)) return true;
    }
    return false;
  }

  wait(path: string, reason: string): void {
    this.notices.push({ kind: 'waiting', path, reason });
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
  const deleteFiles = planner.deletes.reduce((sum, operation) => sum + operation.files, 0);
  const syncedFiles = input.synced.filter((item) => item.kind === 'file').length;
  const hold =
    input.allowMassDelete !== true &&
    isMassDelete(deleteFiles, syncedFiles, input.massDelete ?? DEFAULT_MASS_DELETE_POLICY);
  const operations = hold ? planner.operations : [...planner.operations, ...planner.deletes];
  return {
    operations,
    heldDeletes: hold ? planner.deletes : [],
    heldDeleteFiles: hold ? deleteFiles : 0,
    notices: planner.notices,
  };
}
