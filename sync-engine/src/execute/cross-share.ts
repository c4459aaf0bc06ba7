/**
 * Copy, then delete: the server refuses to move an item into or out of a share (each namespace
 * encrypts with its own key), so a move made here across a share's boundary is committed as a
 * new file (or folder) at its new path (`upload` / `mkdir_remote` with `crossShare`). The
 * server's copy at the old path stays until that commit is recorded; then it becomes an item of
 * its own, with the merge base it had and no local row, which the planner sees as deleted here
 * and deletes on the server by the rules of any `delete_remote` (docs/sync-engine.md, "Into or
 * out of a share"). One transaction records both, so a crash leaves either the moved item (the
 * copy is made again, or its lost answer settled from the commit intent) or the old copy still
 * to be deleted, never a loss.
 */
import type { ClientState, ItemId } from '../state/index.js';

/**
 * Hands the item's remote row and merge base, still at the old place, to a new item, so that the
 * item's own rows can be recorded at `newPath`. Run inside the transaction of that record.
 */
export function leaveOldCopyBehind(
  state: ClientState,
  itemId: ItemId,
  newPath: string,
  nowMs: number,
): void {
  const { items } = state;
  const old = items.remote.get(itemId);
  if (old === undefined || old.path === newPath) return;
  const base = items.synced.get(itemId);
  const oldCopy = items.create({ kind: old.kind, createdMs: nowMs });
  items.remote.delete(itemId);
  items.remote.put({ ...old, itemId: oldCopy });
  if (base !== undefined) {
    items.synced.delete(itemId);
    // Its delete completes this move: not a delete made here (the mass-delete guard).
    items.synced.put({ ...base, itemId: oldCopy, copiedAcross: true });
  }
}
