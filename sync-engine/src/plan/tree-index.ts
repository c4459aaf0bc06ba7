/**
 * One tree indexed for the planner: by item id, by path, and each item's children, so the rules
 * can compare where an item sits (its parent item and its name) instead of its full path. A
 * folder rename then changes the placement of the folder only, not of everything under it.
 */
import type { PlanItemId, PlanKind } from './plan-types.js';

interface Row {
  readonly itemId: PlanItemId;
  readonly kind: PlanKind;
  readonly path: string;
}

/** The parent path of `/a/b` is `/a`; of `/a` it is `` (the synced folder itself). */
export function parentPath(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class TreeIndex<T extends Row> {
  private readonly byId = new Map<PlanItemId, T>();
  private readonly byPath = new Map<string, T>();
  private readonly children = new Map<string, T[]>();

  constructor(rows: readonly T[]) {
    for (const row of rows) {
      this.byId.set(row.itemId, row);
      this.byPath.set(row.path, row);
      const parent = parentPath(row.path);
      const siblings = this.children.get(parent);
      if (siblings === undefined) this.children.set(parent, [row]);
      else siblings.push(row);
    }
  }

  get(id: PlanItemId): T | undefined {
    return this.byId.get(id);
  }

  at(path: string): T | undefined {
    return this.byPath.get(path);
  }

  ids(): IterableIterator<PlanItemId> {
    return this.byId.keys();
  }

  /** The rows directly inside the folder at `path` ('' for the top level). */
  childrenOf(path: string): readonly T[] {
    return this.children.get(path) ?? [];
  }

  /**
   * Where the item sits: its parent's item id (or the parent path when no item holds it, which
   * is the top level) and its name. Equal placements in two trees mean "not moved".
   */
  placement(row: T): string {
    const parent = parentPath(row.path);
    const holder = parent === '' ? undefined : this.byPath.get(parent);
    return `${holder === undefined ? `path:${parent}` : `id:${holder.itemId}`}\u0000${baseName(row.path)}`;
  }

  /** Whether `path`'s parent folder exists in this tree (the top level always does). */
  hasParentOf(path: string): boolean {
    const parent = parentPath(path);
    return parent === '' || this.byPath.get(parent)?.kind === 'folder';
  }
}
