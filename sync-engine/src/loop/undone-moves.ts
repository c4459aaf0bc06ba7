/**
 * Moves made here that the server cannot take (docs/sync-engine.md, "Moves the server refuses")
 * are undone by the plan that finds them: a `move_undone` notice beside the `move_local` back.
 * The round's last plan no longer has them, so they are kept here for the status to report:
 * each until its item is moved again here (or gone), for a day at most, in the state's settings
 * (a restart still reports them; the plan that found one does not find it again).
 */
import type { PlanNotice } from '../plan/index.js';
import type { ItemTables, JsonValue, SettingsTable } from '../state/index.js';

export type UndoneMove = Extract<PlanNotice, { kind: 'move_undone' }>;

const SHOWN_MS = 86_400_000;
/** The settings key they are kept under, so that a restart still reports them. */
const SETTING = 'undoneMoves';

interface Kept {
  readonly move: UndoneMove;
  readonly sinceMs: number;
}

export class UndoneMoves {
  private readonly moves = new Map<string, Kept>();

  constructor(private readonly settings: Pick<SettingsTable, 'get' | 'set' | 'delete'>) {
    const saved = settings.get(SETTING);
    if (!Array.isArray(saved)) return;
    for (const kept of saved as unknown as Kept[]) this.moves.set(kept.move.itemId, kept);
  }

  /** Keeps the undone moves a plan found. */
  note(notices: readonly PlanNotice[], nowMs: number): void {
    let changed = false;
    for (const notice of notices) {
      if (notice.kind !== 'move_undone') continue;
      const known = this.moves.get(notice.itemId);
      const same = known?.move.path === notice.path && known.move.back === notice.back;
      if (same && known.move.reason === notice.reason) continue;
      this.moves.set(notice.itemId, { move: notice, sinceMs: same ? known.sinceMs : nowMs });
      changed = true;
    }
    if (changed) this.save();
  }

  /** The undone moves still to report: the item is where it was put, or put back. */
  current(items: Pick<ItemTables, 'local'>, nowMs: number): UndoneMove[] {
    const shown: UndoneMove[] = [];
    let changed = false;
    for (const [itemId, { move, sinceMs }] of this.moves) {
      const at = items.local.get(move.itemId)?.path;
      if ((at !== move.path && at !== move.back) || nowMs - sinceMs > SHOWN_MS) {
        this.moves.delete(itemId);
        changed = true;
      } else {
        shown.push(move);
      }
    }
    if (changed) this.save();
    return shown;
  }

  private save(): void {
    if (this.moves.size === 0) {
      this.settings.delete(SETTING);
    } else {
      this.settings.set(SETTING, [...this.moves.values()] as unknown as JsonValue);
    }
  }
}
