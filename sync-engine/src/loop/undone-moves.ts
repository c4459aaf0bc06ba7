/**
 * Moves made here that the server cannot take (docs/sync-engine.md, "Moves the server refuses")
 * are undone by the plan that finds them: a `move_undone` notice beside the `move_local` back.
 * The round's last plan no longer has them, so they are kept here for the status to report:
 * each until its item is moved again here (or gone), for a day at most.
 */
import type { PlanNotice } from '../plan/index.js';
import type { ItemTables } from '../state/index.js';

export type UndoneMove = Extract<PlanNotice, { kind: 'move_undone' }>;

const SHOWN_MS = 86_400_000;

export class UndoneMoves {
  private readonly moves = new Map<string, { move: UndoneMove; sinceMs: number }>();

  /** Keeps the undone moves a plan found. */
  note(notices: readonly PlanNotice[], nowMs: number): void {
    for (const notice of notices) {
      if (notice.kind !== 'move_undone') continue;
      const known = this.moves.get(notice.itemId);
      const same = known?.move.path === notice.path && known.move.back === notice.back;
      this.moves.set(notice.itemId, { move: notice, sinceMs: same ? known.sinceMs : nowMs });
    }
  }

  /** The undone moves still to report: the item is where it was put, or put back. */
  current(items: Pick<ItemTables, 'local'>, nowMs: number): UndoneMove[] {
    const shown: UndoneMove[] = [];
    for (const [itemId, { move, sinceMs }] of this.moves) {
      const at = items.local.get(move.itemId)?.path;
      if ((at !== move.path && at !== move.back) || nowMs - sinceMs > SHOWN_MS) {
        this.moves.delete(itemId);
      } else {
        shown.push(move);
      }
    }
    return shown;
  }
}
