/**
 * The planner's output as it is built: operations, held deletions and notices. Adding an
 * operation checks the one thing every executor needs from the synced tree (the merge base
 * it records is not in another item's way), and the finished list leaves out what would race
 * a move of the same plan. Pure, like the planner.
 */
import { ItemFates } from './item-fates.js';
import type { Operation, PlanItemId, PlanNotice, PlanSyncedItem } from './plan-types.js';

type DeleteRemote = Extract<Operation, { kind: 'delete_remote' }>;

export class PlanBuilder extends ItemFates {
  readonly operations: Operation[] = [];
  readonly deletes: DeleteRemote[] = [];
  readonly notices: PlanNotice[] = [];
  private readonly forgotten = new Set<PlanItemId>();

  /**
   * Adds the operation, unless it would record its item in the synced tree at a path (or, for
   * a folder's move, paths) where another item's merge base still is: the executors would drop
   * that merge base (move_*, record) or fail on the unique path (upload, download, mkdir_*).
   * The other item's own operation moves or clears it first.
   */
  emit(operation: Operation): void {
    const to = this.syncedPathAfter(operation);
    if (to !== undefined && this.isSyncedPathTaken(operation.itemId, to)) {
      const base = this.synced.at(to);
      const forgets = this.forgetStaleBase(base) || this.forgetAwaitedBase(operation, base);
      // A conflict records only when both contents are equal: it goes ahead unless the base in
      // its way is being forgotten (set-aside would fail on it then; see the docs' table).
      if ((operation.kind !== 'conflict' || forgets) && !this.isMovingOutOfBase(operation, to)) {
        this.wait(to, 'another item is still recorded at its path');
        return;
      }
    }
    this.operations.push(operation);
  }

  /**
   * The base of a folder deleted here whose delete waits for items to move out of it on the
   * server, when those items move into what `operation` creates at the base's path: each waits
   * for the other. The base goes (the folder, empty by then, may come back here).
   */
  forgetAwaitedBase(operation: Operation, base: PlanSyncedItem | undefined): boolean {
    if (base === undefined || (operation.kind !== 'mkdir_remote' && operation.kind !== 'upload'))
      return false;
    const remote = this.remote.get(base.itemId);
    if (remote === undefined || this.local.get(base.itemId) !== undefined) return false;
    const awaited = (folder: string): boolean =>
      this.remote.childrenOf(folder).some((child) => {
        const local = this.local.get(child.itemId);
        if (local?.path.startsWith(`${operation.path}/`) === true) return true;
        return child.kind === 'folder' && awaited(child.path);
      });
    if (!awaited(remote.path)) return false;
    if (!this.forgotten.has(base.itemId)) {
      this.forgotten.add(base.itemId);
      this.operations.push({ kind: 'forget', itemId: base.itemId });
    }
    return true;
  }

  /**
   * A move to a path where another item's merge base still is, that goes ahead although the
   * executor drops that base: the base is only behind (`isBaseOnlyBehind`), or it is the base
   * of the folder being moved out of, deleted on the other side and going once the move is
   * made (the two would wait for each other; the folder, empty by then, comes back on the side
   * that deleted it, its files are still deleted).
   */
  isMovingOutOfBase(operation: Operation, to: string): boolean {
    const base = this.synced.at(to);
    if (base === undefined) return false;
    if (
      (operation.kind === 'move_remote' || operation.kind === 'move_local') &&
      this.isBaseOnlyBehind(base)
    )
      return true;
    if (operation.kind === 'move_remote') {
      const folder = this.remote.get(base.itemId);
      return (
        folder !== undefined &&
        this.local.get(base.itemId) === undefined &&
        operation.from.startsWith(`${folder.path}/`) &&
        this.canDeleteRemote(folder)
      );
    }
    if (operation.kind === 'move_local') {
      const folder = this.local.get(base.itemId);
      return (
        folder !== undefined &&
        this.remote.get(base.itemId) === undefined &&
        operation.from.startsWith(`${folder.path}/`) &&
        this.canDeleteLocal(folder)
      );
    }
    return false;
  }

  /**
   * A merge base that decides nothing the trees would not decide without it: the item is on
   * both sides, unchanged on both, and in one place on both or going where the server has it
   * (only its path is not recorded yet). A move that drops it (the executor's moveSynced does)
   * loses nothing: without a base, an item on both sides follows the server too.
   */
  isBaseOnlyBehind(base: PlanSyncedItem): boolean {
    const local = this.local.get(base.itemId);
    const remote = this.remote.get(base.itemId);
    if (local === undefined || remote === undefined) return false;
    if (this.localMoveWins(local, remote, base)) return false;
    return (
      local.kind === 'folder' ||
      (!this.localChanged(local, base) && !this.remoteChanged(remote, base))
    );
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
    // On one side only, and not deleted there: it comes back (or goes up) whatever its base.
    const stale =
      remote === undefined
        ? local !== undefined && !this.canDeleteLocal(local)
        : local === undefined && !this.canDeleteRemote(remote);
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

  /** Notes why nothing is planned at `path` yet (once per path and reason). */
  wait(path: string, reason: string): void {
    const seen = this.notices.some(
      (notice) => notice.kind === 'waiting' && notice.path === path && notice.reason === reason,
    );
    if (!seen) this.notices.push({ kind: 'waiting', path, reason });
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
 * The operations without those on a path that a move of another item in this plan leaves or
 * takes on the same side, or inside such a folder: run at once, they would act on a path that
 * changes under them (a delete finds nothing and forgets the item, which then comes back as
 * new; an upload creates the folder again at its old path; a mkdir_remote answered by the
 * moving folder takes it over). They are planned again once the move is done.
 */
export function withoutRacingMoves<T extends Operation>(
  operations: readonly T[],
  all: readonly Operation[],
): T[] {
  const moves = all.filter(
    (operation): operation is Extract<Operation, { kind: 'move_local' | 'move_remote' }> =>
      operation.kind === 'move_local' || operation.kind === 'move_remote',
  );
  if (moves.length === 0) return [...operations];
  // On a path a move of another item leaves or takes, or inside one.
  const races = (operation: Operation, paths: readonly string[], side: 'disk' | 'server') =>
    moves.some(
      (move) =>
        (move.kind === 'move_local') === (side === 'disk') &&
        [move.from, move.to].some((folder) =>
          paths.some(
            (path) =>
              path.startsWith(`${folder}/`) ||
              (path === folder && move.itemId !== operation.itemId),
          ),
        ),
    );
  return operations.filter((operation) => {
    const paths = pathsOf(operation);
    return !races(operation, paths.disk, 'disk') && !races(operation, paths.server, 'server');
  });
}
