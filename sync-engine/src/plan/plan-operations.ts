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
      result = this.remote.childrenOf(remote.path).every((child) => this.canDeleteRemote(child));
    }
    this.remoteDeletable.set(remote.itemId, result);
    return result;
  }

  /** Gone on the server and unchanged here (the same for everything under a folder). */
  canDeleteLocal(local: PlanLocalItem): boolean {
    const known = this.localDeletable.get(local.itemId);
    if (known !== undefined) return known;
    const synced = this.synced.get(local.itemId);
    let result =
      synced !== undefined &&
      this.remote.get(local.itemId) === undefined &&
      !this.localChanged(local, synced);
    if (result && local.kind === 'folder') {
      result = this.local.childrenOf(local.path).every((child) => this.canDeleteLocal(child));
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
      if (synced !== undefined) this.planGoneRemotely(local, synced);
      else this.planLocalOnly(local);
    } else if (remote !== undefined) {
      if (synced !== undefined) this.planGoneLocally(remote, synced);
      else this.planRemoteOnly(remote);
    } else if (synced !== undefined) {
      this.operations.push({ kind: 'forget', itemId: id });
    }
  }

  /** Known on all three trees: moves first, then content, once both sides use one path. */
  planOnBothSides(local: PlanLocalItem, remote: PlanRemoteItem, synced: PlanSyncedItem): void {
    const id = local.itemId;
    const localPlace = this.local.placement(local);
    const remotePlace = this.remote.placement(remote);
    const syncedPlace = this.synced.placement(synced);
    const movedLocally = localPlace !== syncedPlace;
    const movedRemotely = remotePlace !== syncedPlace;
    if (localPlace !== remotePlace) {
      if (movedLocally && !movedRemotely && !this.isReadOnly(remote.path)) {
        if (this.remote.hasParentOf(local.path) && !this.isReadOnly(local.path)) {
          this.operations.push({
            kind: 'move_remote',
            itemId: id,
            from: remote.path,
            to: local.path,
          });
        } else if (!this.remote.hasParentOf(local.path)) {
          this.wait(local.path, 'its new folder is not on the server yet');
        } else {
          // Moved into a folder shared as viewer: the server keeps it where it was.
          this.operations.push({
            kind: 'move_local',
            itemId: id,
            from: local.path,
            to: remote.path,
          });
        }
      } else {
        // Moved on the server, or on both sides (the server's rename came first and wins), or
        // a viewer moved it here: the local copy follows the server.
        this.operations.push({
          kind: 'move_local',
          itemId: id,
          from: local.path,
          to: remote.path,
          ...(movedLocally && movedRemotely ? { renameConflict: true } : {}),
        });
      }
      return;
    }
    if (local.path !== remote.path) return; // a parent's move is pending
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

  /** Both sides have it at one path and no common base (created on both, or a lost record). */
  planBothAdded(local: PlanLocalItem, remote: PlanRemoteItem): void {
    if (local.path !== remote.path) {
      this.operations.push({
        kind: 'move_local',
        itemId: local.itemId,
        from: local.path,
        to: remote.path,
      });
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
  planGoneRemotely(local: PlanLocalItem, synced: PlanSyncedItem): void {
    const id = local.itemId;
    if (this.canDeleteLocal(local)) {
      // Folders go once they are empty: everything under them is deleted first.
      if (local.kind === 'file' || this.local.childrenOf(local.path).length === 0) {
        this.operations.push({ kind: 'delete_local', itemId: id, path: local.path });
      }
      return;
    }
    if (this.isReadOnly(local.path)) {
      this.notices.push({ kind: 'read_only', path: local.path });
    } else if (!this.remote.hasParentOf(local.path)) {
      this.wait(local.path, 'its folder is being created on the server');
    } else if (local.kind === 'folder') {
      this.operations.push({ kind: 'mkdir_remote', itemId: id, path: local.path });
    } else {
      this.operations.push({ kind: 'upload', itemId: id, path: local.path, restoresDeleted: true });
    }
    void synced;
  }

  /** Deleted here since both agreed. A server edit meanwhile wins; viewers get it back. */
  planGoneLocally(remote: PlanRemoteItem, synced: PlanSyncedItem): void {
    const id = remote.itemId;
    if (this.canDeleteRemote(remote)) {
      const parent = this.remote.at(parentPath(remote.path));
      if (parent === undefined || !this.canDeleteRemote(parent)) {
        this.deletes.push({
          kind: 'delete_remote',
          itemId: id,
          path: remote.path,
          files: this.countFiles(remote),
        });
      }
      return;
    }
    if (this.local.at(remote.path) !== undefined) {
      this.wait(remote.path, 'another local item has its path');
    } else if (remote.kind === 'folder') {
      this.operations.push({ kind: 'mkdir_local', itemId: id, path: remote.path });
    } else {
      this.operations.push({ kind: 'download', itemId: id, path: remote.path });
    }
    void synced;
  }

  planLocalOnly(local: PlanLocalItem): void {
    if (this.isReadOnly(local.path)) {
      this.notices.push({ kind: 'read_only', path: local.path });
    } else if (!this.remote.hasParentOf(local.path)) {
      this.wait(local.path, 'its folder is being created on the server');
    } else if (local.kind === 'folder') {
      this.operations.push({ kind: 'mkdir_remote', itemId: local.itemId, path: local.path });
    } else {
      this.operations.push({ kind: 'upload', itemId: local.itemId, path: local.path });
    }
  }

  planRemoteOnly(remote: PlanRemoteItem): void {
    // Another item holds the path here: that one is uploaded (and set aside if it clashes).
    if (this.local.at(remote.path) !== undefined) return;
    if (remote.kind === 'folder') {
      this.operations.push({ kind: 'mkdir_local', itemId: remote.itemId, path: remote.path });
    } else {
      this.operations.push({ kind: 'download', itemId: remote.itemId, path: remote.path });
    }
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
  for (const id of ids) planner.planItem(id);
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
