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

/**
 * The notice of moves the operations cannot make (docs/sync-engine.md, "The planner's rules"):
 * each side's item holds the place the other side's move needs, and neither can go first
 * without a temporary name.
 */
export const MOVE_CYCLE = 'its place is held on each side by what the other side moved there';

/** What stands in the way of a move. */
type Blocker = 'free' | 'wait' | 'blocked';

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
  private readonly forgotten = new Set<PlanItemId>();

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
    this.remoteDeletable.set(remote.itemId, false); // asked again while deciding: a cycle
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
    this.localDeletable.set(local.itemId, false); // asked again while deciding: a cycle
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

  /**
   * Whether the folders holding `path` on the two sides are two items, one of which goes (the
   * item sits at one path on both sides, but in different folders): what the item holds waits,
   * else an upload would land in the folder that moves away (and its copy there be forgotten).
   */
  isParentReplaced(path: string): boolean {
    const remoteParent = this.remote.at(parentPath(path));
    const localParent = this.local.at(parentPath(path));
    return (
      remoteParent !== undefined &&
      localParent !== undefined &&
      remoteParent.itemId !== localParent.itemId &&
      (this.leavesRemotePath(remoteParent) || this.leavesLocalPath(localParent))
    );
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
        this.wait(local.path, 'its new place is not free on the server yet');
        return;
      case 'blocked':
        // Another item took that place on the server first: that one wins, ours moves back.
        this.planServerMove(local, remote, true);
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
      case 'blocked':
        this.planMoveBack(local, remote);
    }
  }

  /**
   * The local copy cannot go where the server has it: another item stays at that place here
   * (it moved there too, and its own move waits for this one: a cycle). Then the server's copy
   * moves back to where it is here, which breaks the cycle and loses nothing.
   */
  planMoveBack(local: PlanLocalItem, remote: PlanRemoteItem): void {
    const blocker = this.isReadOnly(remote.path) ? 'blocked' : this.remoteMoveBlocker(local);
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

  /**
   * What keeps the server from putting the item where it is here: nothing; something that
   * goes away by the operations planned now or later ('wait'); or something that stays.
   */
  remoteMoveBlocker(local: PlanLocalItem, visiting = new Set<PlanItemId>()): Blocker {
    if (this.isReadOnly(local.path)) return 'blocked';
    const remote = this.remote.get(local.itemId);
    if (
      remote !== undefined &&
      this.isInsideOnOtherSide(local.path, this.local, this.remote, remote.path)
    )
      return 'blocked';
    const parent = parentPath(local.path);
    if (parent !== '') {
      const remoteParent = this.remote.at(parent);
      const localParent = this.local.at(parent)!;
      if (remoteParent === undefined) {
        // Its folder is created there first, or moved there first.
        const parentRemote = this.remote.get(localParent.itemId);
        if (parentRemote === undefined) return 'wait';
        // The folder follows a move made on the server, away from here: the server's move wins
        // over this one (both cannot be kept when each moved into the other).
        const parentSynced = this.synced.get(localParent.itemId);
        if (
          parentSynced === undefined ||
          !this.localMoveWins(localParent, parentRemote, parentSynced)
        ) {
          return 'blocked';
        }
        if (visiting.has(localParent.itemId)) return 'blocked';
        visiting.add(localParent.itemId);
        return this.remoteMoveBlocker(localParent, visiting) === 'blocked' ? 'blocked' : 'wait';
      }
      if (remoteParent.kind !== 'folder') return 'blocked';
      if (remoteParent.itemId !== localParent.itemId) {
        return this.leavesRemotePath(remoteParent, visiting) ? 'wait' : 'blocked';
      }
    }
    const occupant = this.remote.at(local.path);
    if (occupant === undefined || occupant.itemId === local.itemId) return 'free';
    return this.leavesRemotePath(occupant, visiting) ? 'wait' : 'blocked';
  }

  /** What keeps the local copy from going where the server has it (as `remoteMoveBlocker`). */
  localMoveBlocker(
    local: PlanLocalItem,
    remote: PlanRemoteItem,
    visiting = new Set<PlanItemId>(),
  ): Blocker {
    if (this.isInsideOnOtherSide(remote.path, this.remote, this.local, local.path))
      return 'blocked';
    const parent = parentPath(remote.path);
    const remoteParent = parent === '' ? undefined : this.remote.at(parent);
    if (remoteParent !== undefined) {
      const parentLocal = this.local.get(remoteParent.itemId);
      if (parentLocal !== undefined && parentLocal.path !== parent) {
        // Its folder gets there first (or, moved here, the server's folder follows it).
        if (visiting.has(parentLocal.itemId)) return 'blocked';
        visiting.add(parentLocal.itemId);
        const parentSynced = this.synced.get(parentLocal.itemId);
        if (
          parentSynced !== undefined &&
          this.localMoveWins(parentLocal, remoteParent, parentSynced)
        ) {
          return 'wait';
        }
        const blocker = this.localMoveBlocker(parentLocal, remoteParent, visiting);
        return blocker === 'blocked' ? 'blocked' : 'wait';
      }
      if (parentLocal === undefined && this.local.at(parent) !== undefined) return 'wait';
    }
    const occupant = this.local.at(remote.path);
    if (occupant === undefined || occupant.itemId === local.itemId) return 'free';
    // A new local folder at the server's path of this folder takes the server's folder over
    // (mkdir_remote answers it): this one then follows as gone on the server.
    if (this.isMergedUp(occupant, remote)) return 'wait';
    return this.leavesLocalPath(occupant, visiting) ? 'wait' : 'blocked';
  }

  /** A new local folder that mkdir_remote makes one item with the server's folder at its path. */
  isMergedUp(local: PlanLocalItem, remote: PlanRemoteItem): boolean {
    return (
      local.kind === 'folder' &&
      remote.kind === 'folder' &&
      remote.path === local.path &&
      this.remote.get(local.itemId) === undefined &&
      this.synced.get(local.itemId) === undefined &&
      this.local.get(remote.itemId) !== undefined &&
      this.synced.get(remote.itemId)?.path !== local.path &&
      !this.isReadOnly(local.path)
    );
  }

  /**
   * Whether a move to `target` (in the tree `targetTree`) would put the item inside itself:
   * a folder above `target` is, in the other tree, the item (at `ownPath`) or inside it. Each
   * side moved one folder into the other; only one of the moves can be kept.
   */
  isInsideOnOtherSide<
    T extends PlanLocalItem | PlanRemoteItem,
    U extends PlanLocalItem | PlanRemoteItem,
  >(target: string, targetTree: TreeIndex<T>, otherTree: TreeIndex<U>, ownPath: string): boolean {
    for (
      let folder = targetTree.at(parentPath(target));
      folder !== undefined;
      folder = targetTree.at(parentPath(folder.path))
    ) {
      const other = otherTree.get(folder.itemId);
      if (other !== undefined && (other.path === ownPath || other.path.startsWith(`${ownPath}/`)))
        return true;
    }
    return target.startsWith(`${ownPath}/`);
  }

  /**
   * Whether the item at a remote path leaves it by the operations planned now or later: it is
   * deleted (gone locally, unchanged), or it, or a folder above it, follows a local move that
   * the server can take. `visiting` breaks cycles: none of the items in one can go first.
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
      if (this.localMoveWins(rowLocal, row, rowSynced)) {
        return this.remoteMoveBlocker(rowLocal, visiting) !== 'blocked';
      }
    }
    return false;
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

  /**
   * Whether something may be put at `remotePath` on disk: its folder is there already, or is
   * not there at all (downloads and moves make missing parents). Not while the folder's local
   * copy is elsewhere (moving into place, or staying), else a second folder would appear at the
   * path, nor while another local item has the folder's path (it goes first, or is set aside).
   */
  isLocalParentReady(remotePath: string): boolean {
    for (
      let folder = this.remote.at(parentPath(remotePath));
      folder !== undefined;
      folder = this.remote.at(parentPath(folder.path))
    ) {
      const local = this.local.get(folder.itemId);
      if (local !== undefined) return local.path === folder.path;
      if (this.local.at(folder.path) !== undefined) return false;
    }
    return true;
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
   * A local folder renamed to the name of a folder new on the server, that can neither take
   * that name there nor go back (something new here has its old name): the two folders become
   * one (mkdir_local records the server's over it), and what the local one holds follows as
   * moves into the server's; its own folder on the server, emptied, goes.
   */
  isStuckOnFolder(local: PlanLocalItem, remote: PlanRemoteItem): boolean {
    const ownRemote = this.remote.get(local.itemId);
    return (
      local.kind === 'folder' &&
      remote.kind === 'folder' &&
      ownRemote !== undefined &&
      this.local.get(remote.itemId) === undefined &&
      this.synced.get(remote.itemId) === undefined &&
      this.remoteMoveBlocker(local) === 'blocked' &&
      this.localMoveBlocker(local, ownRemote) === 'blocked'
    );
  }

  /**
   * A local folder the server lacks (new here, or deleted there and kept here) and a folder of
   * the server at its path that the disk lacks (new there, or deleted here and kept there), as
   * two items (the scan and the pull match only what is new to them): mkdir_local of the
   * server's records it over the local one, and they become one item (also in a viewer's
   * share, where nothing goes up).
   */
  isMergedDown(local: PlanLocalItem, remote: PlanRemoteItem): boolean {
    return (
      local.kind === 'folder' &&
      remote.kind === 'folder' &&
      local.itemId !== remote.itemId &&
      this.remote.get(local.itemId) === undefined &&
      this.synced.get(local.itemId)?.path !== local.path &&
      this.local.get(remote.itemId) === undefined
    );
  }

  /**
   * Whether the local item leaves its path by the operations planned now or later: it is
   * deleted (gone on the server, unchanged here), set aside (another item has its path on the
   * server), or it, or a folder above it, follows a move made on the server that can be made
   * here. `visiting` breaks cycles: none of the items in one can go first, so none leaves.
   */
  leavesLocalPath(local: PlanLocalItem, visiting = new Set<PlanItemId>()): boolean {
    const remote = this.remote.get(local.itemId);
    if (remote === undefined) {
      if (this.synced.get(local.itemId) !== undefined && this.canDeleteLocal(local)) return true;
      return this.isSetAside(local);
    }
    if (remote.path === local.path || visiting.has(local.itemId)) return false;
    visiting.add(local.itemId);
    for (
      let row: PlanLocalItem | undefined = local;
      row !== undefined;
      row = this.local.at(parentPath(row.path))
    ) {
      const rowRemote = this.remote.get(row.itemId);
      if (rowRemote === undefined) continue;
      if (this.local.placement(row) === this.remote.placement(rowRemote)) continue;
      const rowSynced = this.synced.get(row.itemId);
      if (rowSynced === undefined || !this.localMoveWins(row, rowRemote, rowSynced)) {
        return this.localMoveBlocker(row, rowRemote, visiting) !== 'blocked';
      }
    }
    return false;
  }

  /** A local file the server lacks whose path another item holds there: `planToServer` sets it aside. */
  isSetAside(local: PlanLocalItem): boolean {
    if (local.kind !== 'file') return false;
    const occupant = this.remote.at(local.path);
    if (occupant === undefined || occupant.itemId === local.itemId) return false;
    return this.isReadOnly(local.path) || !this.leavesRemotePath(occupant);
  }

  /**
   * Adds the operation, unless it would record its item in the synced tree at a path (or, for
   * a folder's move, paths) where another item's merge base still is: the executors would drop
   * that merge base (move_*, record) or fail on the unique path (upload, download, mkdir_*).
   * The other item's own operation moves or clears it first.
   */
  emit(operation: Operation): void {
    const to = this.syncedPathAfter(operation);
    if (to !== undefined && this.isSyncedPathTaken(operation.itemId, to)) {
      const forgets = this.forgetStaleBase(this.synced.at(to));
      // A conflict records only when both contents are equal: it goes ahead unless the base in
      // its way is being forgotten (set-aside would fail on it then; see the docs' table).
      if (operation.kind !== 'conflict' || forgets) {
        this.wait(to, 'another item is still recorded at its path');
        return;
      }
    }
    this.operations.push(operation);
  }

  /**
   * A merge base in the way that nothing else clears: the item's server copy is gone and its
   * local copy is kept (it goes up again as new, from wherever it is now), or the other way
   * round, so the base only says "deleted on one side", which no rule needs any more. Else
   * two items can wait for each other for ever (a folder moved here into a new folder that
   * took its name; a file set aside against one deleted here at its path).
   */
  forgetStaleBase(synced: PlanSyncedItem | undefined): boolean {
    if (synced === undefined) return false;
    if (this.forgotten.has(synced.itemId)) return true;
    const local = this.local.get(synced.itemId);
    const remote = this.remote.get(synced.itemId);
    const stale =
      remote === undefined
        ? local !== undefined && local.path !== synced.path && !this.canDeleteLocal(local)
        : // Deleted here, changed there, and another local item has the path: without the
          // base the server's copy is new here, and set aside against the local one.
          local === undefined &&
          remote.path === synced.path &&
          this.local.at(remote.path) !== undefined &&
          !this.canDeleteRemote(remote);
    if (!stale) return false;
    this.forgotten.add(synced.itemId);
    this.operations.push({ kind: 'forget', itemId: synced.itemId });
    return true;
  }

  /** Where the operation records its item in the synced tree, if it does. */
  syncedPathAfter(operation: Operation): string | undefined {
    switch (operation.kind) {
      case 'upload':
      case 'download':
      case 'mkdir_local':
      case 'mkdir_remote':
        return operation.path;
      case 'move_local':
      case 'move_remote':
        return operation.to;
      case 'record':
        return this.remote.get(operation.itemId)?.path;
      case 'conflict':
        // When both contents turn out equal, set-aside records the agreement where the server
        // has the file (a viewer's change is set aside without comparing).
        if (operation.cause === 'read_only') return undefined;
        return (this.remote.get(operation.itemId) ?? this.remote.at(operation.path))?.path;
      default:
        return undefined;
    }
  }

  /** Whether recording `itemId` (and what the synced tree has under it) at `to` hits another item. */
  isSyncedPathTaken(itemId: PlanItemId, to: string): boolean {
    const own = this.synced.get(itemId);
    if (own?.path === to) return false;
    const taken = (row: PlanSyncedItem | undefined, target: string): boolean => {
      const occupant = this.synced.at(target);
      if (occupant !== undefined && occupant.itemId !== row?.itemId) {
        const inside = own !== undefined && occupant.path.startsWith(`${own.path}/`);
        if (!inside) return true;
      }
      if (row === undefined || row.kind !== 'folder') return false;
      return this.synced
        .childrenOf(row.path)
        .some((child) => taken(child, `${target}${child.path.slice(row.path.length)}`));
    };
    return taken(own, to);
  }

  wait(path: string, reason: string): void {
    this.notices.push({ kind: 'waiting', path, reason });
  }
}

/** The paths an operation acts on, on disk and on the server (record and forget: none). */
function pathsOf(operation: Operation): { disk: string[]; server: string[] } {
  switch (operation.kind) {
    case 'upload':
    case 'mkdir_remote':
    case 'delete_remote':
      return { disk: [], server: [operation.path] };
    case 'download':
    case 'mkdir_local':
    case 'delete_local':
    case 'conflict':
      return { disk: [operation.path], server: [] };
    case 'move_remote':
      return { disk: [], server: [operation.from, operation.to] };
    case 'move_local':
      return { disk: [operation.from, operation.to], server: [] };
    case 'record':
    case 'forget':
      return { disk: [], server: [] };
  }
}

/**
 * The operations without those inside a folder that a move of this plan moves on the same
 * side (from or to): run at once, they would act on a path that is changing under them (a
 * delete finds nothing and forgets the item, which then comes back as new; an upload creates
 * the folder again at its old path). They are planned again once the move is done.
 */
function withoutRacingMoves<T extends Operation>(
  operations: readonly T[],
  all: readonly Operation[],
): T[] {
  const moving = { disk: [] as string[], server: [] as string[] };
  for (const operation of all) {
    if (operation.kind === 'move_local') moving.disk.push(operation.from, operation.to);
    if (operation.kind === 'move_remote') moving.server.push(operation.from, operation.to);
  }
  if (moving.disk.length === 0 && moving.server.length === 0) return [...operations];
  const isInside = (paths: string[], folders: string[]) =>
    paths.some((path) => folders.some((folder) => path.startsWith(`${folder}/`)));
  return operations.filter((operation) => {
    const paths = pathsOf(operation);
    return !isInside(paths.disk, moving.disk) && !isInside(paths.server, moving.server);
  });
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
  const deletes = withoutRacingMoves(planner.deletes, planner.operations);
  const planned = withoutRacingMoves(planner.operations, planner.operations);
  const operations = hold ? planned : [...planned, ...deletes];
  return {
    operations,
    heldDeletes: hold ? deletes : [],
    heldDeleteFiles: hold ? deleteFiles : 0,
    notices: planner.notices,
  };
}
