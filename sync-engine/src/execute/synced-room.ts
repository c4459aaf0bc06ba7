/**
 * The synced tree has one row per path, but two items can want the same one: an item that
 * both sides now have at `path`, and the merge base of another item that was agreed there and
 * has since moved away on both sides (not agreed anywhere new yet). That other merge base
 * must not be lost: without it the item looks new on both sides (both_added), and a version
 * a device had deleted comes back as a conflicted copy. It moves to the item's local path
 * (still the same placement change for the planner: moved on both sides, the server's move
 * wins), or, when that is taken too or the item is gone everywhere, it goes.
 */
import type { ClientState, ItemId } from '../state/index.js';

/** Frees `path` in the synced tree for `itemId` (run inside the caller's transaction). */
export function makeRoomInSynced(state: ClientState, itemId: ItemId, path: string): void {
  const { items } = state;
  const occupant = items.synced.getByPath(path);
  if (occupant === undefined || occupant.itemId === itemId) return;
  const local = items.local.get(occupant.itemId);
  const target = local?.path;
  if (
    target !== undefined &&
    target !== path &&
    !target.startsWith(`${path}/`) &&
    items.synced.getByPath(target) === undefined &&
    items.synced
      .listUnder(path)
      .every((row) => items.synced.getByPath(target + row.path.slice(path.length)) === undefined)
  ) {
    items.synced.movePath(path, target);
    return;
  }
  items.synced.delete(occupant.itemId);
}
