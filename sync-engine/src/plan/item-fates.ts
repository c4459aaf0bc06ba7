/**
 * What becomes of each item under the planner's rules, asked before an operation is chosen:
 * whether it may be deleted, whether a move of it can be made (or waits, or is blocked for
 * good), whether it leaves a path another item needs. The answers look ahead through other
 * items (a folder is deletable when all it holds is; a path is free when its holder moves away),
 * with cycles cut short, so that the planner never plans two operations that undo each other
 * or wait for each other. Pure, like the planner.
 */
import type { PlanItemId, PlanLocalItem, PlanRemoteItem, PlanSyncedItem } from './plan-types.js';
import { parentPath, TreeIndex } from './tree-index.js';

/** What stands in the way of a move: nothing, something that goes away, or something that stays. */
export type Blocker = 'free' | 'wait' | 'blocked';

export class ItemFates {
  readonly local: TreeIndex<PlanLocalItem>;
  readonly remote: TreeIndex<PlanRemoteItem>;
  readonly synced: TreeIndex<PlanSyncedItem>;
  private readonly remoteDeletable = new Map<PlanItemId, boolean>();
  private readonly localDeletable = new Map<PlanItemId, boolean>();
  private readonly mountsUnder = new Map<PlanItemId, string | undefined>();

  constructor(input: {
    readonly local: readonly PlanLocalItem[];
    readonly remote: readonly PlanRemoteItem[];
    readonly synced: readonly PlanSyncedItem[];
  }) {
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

  /** The share (its mount point's path) that `path` is inside on the server, or '' (the root). */
  shareOf(path: string): string {
    for (let parent = parentPath(path); parent !== ''; parent = parentPath(parent)) {
      if (this.remote.at(parent)?.mount !== undefined) return parent;
    }
    return '';
  }

  /**
   * Whether the server would have to move the item into or out of a share, or between two: it
   * refuses (each share's blocks are encrypted with its own key), so the item is copied to its
   * new place and its old copy deleted instead (`planCrossShareCopy`).
   */
  isCrossShareMove(local: PlanLocalItem, remote: PlanRemoteItem): boolean {
    return remote.mount === undefined && this.shareOf(local.path) !== this.shareOf(remote.path);
  }

  /**
   * Whether an item moved here across a share's boundary can be copied there and its old copy
   * deleted: not out of a viewer's share (nothing is deleted there), nor a file changed on the
   * server since and not here (that version wins over the move, as it would over a delete: the
   * local copy goes back, and the server's version comes down).
   */
  canCopyAcross(local: PlanLocalItem, remote: PlanRemoteItem): boolean {
    if (this.isReadOnly(remote.path)) return false;
    const synced = this.synced.get(local.itemId);
    return (
      synced === undefined ||
      local.kind !== 'file' ||
      !this.remoteChanged(remote, synced) ||
      this.localChanged(local, synced)
    );
  }

  /**
   * Why the server cannot take a move made here, if it cannot (it is undone: the item goes back
   * where the server has it): into a viewer's share, or out of one (nothing is written there);
   * a share's mount point into another share, or a folder holding one across a share's boundary
   * (shares do not nest, and a mount point cannot be copied: docs/sync-engine.md).
   */
  moveRefusal(local: PlanLocalItem, remote: PlanRemoteItem): string | undefined {
    if (this.isReadOnly(local.path)) return 'a folder shared with you as viewer cannot take it';
    if (remote.mount !== undefined) {
      return this.shareOf(local.path) === ''
        ? undefined
        : 'a shared folder cannot be put inside another shared folder';
    }
    if (!this.isCrossShareMove(local, remote)) return undefined;
    if (this.isReadOnly(remote.path)) return 'it cannot leave a folder shared with you as viewer';
    const mount = local.kind === 'folder' ? this.mountUnder(local) : undefined;
    return mount === undefined
      ? undefined
      : `it holds a shared folder (${mount}), which cannot be put inside another shared folder`;
  }

  /** The local path of a share's mount point inside the local folder, if one is (memoised). */
  private mountUnder(folder: PlanLocalItem): string | undefined {
    if (this.mountsUnder.has(folder.itemId)) return this.mountsUnder.get(folder.itemId);
    let found: string | undefined;
    for (const child of this.local.childrenOf(folder.path)) {
      if (this.remote.get(child.itemId)?.mount !== undefined) found = child.path;
      else if (child.kind === 'folder') found = this.mountUnder(child);
      if (found !== undefined) break;
    }
    this.mountsUnder.set(folder.itemId, found);
    return found;
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
      result = this.remote
        .childrenOf(remote.path)
        .every((child) => this.leavesRemotePath(child, new Set(), remote.path));
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
      result = this.local
        .childrenOf(local.path)
        .every((child) => this.leavesLocalPath(child, new Set(), local.path));
    }
    this.localDeletable.set(local.itemId, result);
    return result;
  }

  /** Files a delete of `remote` deletes that were deleted here (not old copies: `copiedAcross`). */
  countFiles(remote: PlanRemoteItem): number {
    if (remote.kind === 'file')
      return this.synced.get(remote.itemId)?.copiedAcross === true ? 0 : 1;
    let count = 0;
    for (const child of this.remote.childrenOf(remote.path)) count += this.countFiles(child);
    return count;
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

  /**
   * What keeps the server from putting the item where it is here (by a move, or across a
   * share's boundary by a copy): nothing; something that goes away by the operations planned
   * now or later ('wait'); or something that stays.
   */
  remoteMoveBlocker(local: PlanLocalItem, visiting = new Set<PlanItemId>()): Blocker {
    if (this.isReadOnly(local.path)) return 'blocked';
    const remote = this.remote.get(local.itemId);
    if (remote !== undefined && this.moveRefusal(local, remote) !== undefined) return 'blocked';
    if (
      remote !== undefined &&
      this.isCrossShareMove(local, remote) &&
      !this.canCopyAcross(local, remote)
    )
      return 'blocked';
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
    const inside = this.folderInside(remote.path, this.remote, this.local, local.path);
    if (inside !== undefined) {
      // Each side moved one folder into the other: the server's nesting wins, so the folder
      // moved into this one here goes back first (the server cannot take its move), then this.
      if (inside === true) return 'blocked';
      const insideRemote = this.remote.get(inside.itemId);
      const insideSynced = this.synced.get(inside.itemId);
      const goesBack =
        insideRemote !== undefined &&
        insideSynced !== undefined &&
        this.localMoveWins(inside, insideRemote, insideSynced) &&
        this.remoteMoveBlocker(inside) === 'blocked';
      return goesBack ? 'wait' : 'blocked';
    }
    // Its folders get there first (downloads and moves make missing parents, so one whose
    // local copy is elsewhere would appear twice), or, moved here, the server's follow them.
    for (
      let folder = this.remote.at(parentPath(remote.path));
      folder !== undefined;
      folder = this.remote.at(parentPath(folder.path))
    ) {
      const folderLocal = this.local.get(folder.itemId);
      if (folderLocal === undefined) {
        if (this.local.at(folder.path) !== undefined) return 'wait';
        continue;
      }
      if (folderLocal.path === folder.path) break;
      if (visiting.has(folderLocal.itemId)) return 'blocked';
      visiting.add(folderLocal.itemId);
      // Moved here, the server's folder follows it (unless the server cannot take that move:
      // then the local copy goes back to the server's place, as any other).
      const folderSynced = this.synced.get(folderLocal.itemId);
      if (
        folderSynced !== undefined &&
        this.localMoveWins(folderLocal, folder, folderSynced) &&
        this.remoteMoveBlocker(folderLocal) !== 'blocked'
      ) {
        return 'wait';
      }
      return this.localMoveBlocker(folderLocal, folder, visiting) === 'blocked'
        ? 'blocked'
        : 'wait';
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
    return this.folderInside(target, targetTree, otherTree, ownPath) !== undefined;
  }

  /** The folder that makes `isInsideOnOtherSide` true, as the other tree has it (or `true`). */
  folderInside<T extends PlanLocalItem | PlanRemoteItem, U extends PlanLocalItem | PlanRemoteItem>(
    target: string,
    targetTree: TreeIndex<T>,
    otherTree: TreeIndex<U>,
    ownPath: string,
  ): U | true | undefined {
    for (
      let folder = targetTree.at(parentPath(target));
      folder !== undefined;
      folder = targetTree.at(parentPath(folder.path))
    ) {
      const other = otherTree.get(folder.itemId);
      if (other !== undefined && (other.path === ownPath || other.path.startsWith(`${ownPath}/`)))
        return other;
    }
    return target.startsWith(`${ownPath}/`) ? true : undefined;
  }

  /**
   * Whether the item at a remote path leaves it by the operations planned now or later: it is
   * deleted (gone locally, unchanged), or it, or a folder above it, follows a local move that
   * the server can take. `visiting` breaks cycles: none of the items in one can go first.
   */
  leavesRemotePath(
    remote: PlanRemoteItem,
    visiting = new Set<PlanItemId>(),
    within?: string,
  ): boolean {
    const local = this.local.get(remote.itemId);
    if (local === undefined) {
      return this.synced.get(remote.itemId) !== undefined && this.canDeleteRemote(remote);
    }
    if (local.path === remote.path || visiting.has(remote.itemId)) return false;
    visiting.add(remote.itemId);
    for (
      let row: PlanRemoteItem | undefined = remote;
      row !== undefined && (within === undefined || row.path.startsWith(`${within}/`));
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
  leavesLocalPath(
    local: PlanLocalItem,
    visiting = new Set<PlanItemId>(),
    within?: string,
  ): boolean {
    const remote = this.remote.get(local.itemId);
    if (remote === undefined) {
      if (this.synced.get(local.itemId) !== undefined && this.canDeleteLocal(local)) return true;
      return this.isSetAside(local);
    }
    if (remote.path === local.path || visiting.has(local.itemId)) return false;
    visiting.add(local.itemId);
    for (
      let row: PlanLocalItem | undefined = local;
      row !== undefined && (within === undefined || row.path.startsWith(`${within}/`));
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
}
