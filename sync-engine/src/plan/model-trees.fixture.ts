/**
 * Test harness: the three trees of the sync model, in memory, with the constraints of the
 * state's SQLite tables (`state/tree-table.ts`): unique item ids and paths, rows whose kind is
 * their item's kind, subtree moves in one step, and transactions that roll back on a throw.
 * Pure: imported only by the planner's tests.
 */
import type { Rev } from '../protocol/index.js';
import type { PlanItemId, PlanKind } from './plan-types.js';

/** A failure the real component would throw (a state constraint, an HTTP error, ENOENT). */
export class ModelError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface TreeRow {
  readonly itemId: PlanItemId;
  readonly kind: PlanKind;
  readonly path: string;
}

/** A local row as `state/local-tree.ts` has it: what the scanner saw. */
export interface ModelLocalRow extends TreeRow {
  readonly inode: number;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  readonly fingerprint?: string | undefined;
}

/** A remote row as `state/remote-tree.ts` has it: what the server said. */
export interface ModelRemoteRow extends TreeRow {
  readonly rev?: Rev | undefined;
  readonly contentHash?: string | undefined;
  readonly fileId: string;
  readonly modifiedMs: number;
  readonly mount?: { readonly role: 'viewer' | 'editor' } | undefined;
}

/** A synced row: the merge base. */
export interface ModelSyncedRow extends TreeRow {
  readonly rev?: Rev | undefined;
  readonly fingerprint?: string | undefined;
  readonly copiedAcross?: boolean | undefined;
}

const isUnder = (path: string, folder: string) => path.startsWith(`${folder}/`);

/** The item table: every row of every tree belongs to an item of the row's kind. */
export class ModelItems {
  private readonly kinds = new Map<PlanItemId, PlanKind>();
  private next = 1;

  create(kind: PlanKind): PlanItemId {
    const id = `i${this.next++}` as PlanItemId;
    this.kinds.set(id, kind);
    return id;
  }

  kindOf(id: PlanItemId): PlanKind | undefined {
    return this.kinds.get(id);
  }

  snapshot(): () => void {
    const kinds = new Map(this.kinds);
    const next = this.next;
    return () => {
      this.kinds.clear();
      for (const [id, kind] of kinds) this.kinds.set(id, kind);
      this.next = next;
    };
  }
}

/** One tree: like `TreeTable`, keyed by item id with unique paths. */
export class ModelTree<Row extends TreeRow> {
  private readonly byId = new Map<PlanItemId, Row>();
  private readonly byPath = new Map<string, Row>();

  constructor(
    readonly name: 'local' | 'remote' | 'synced',
    private readonly items: ModelItems,
  ) {}

  get(id: PlanItemId): Row | undefined {
    return this.byId.get(id);
  }

  getByPath(path: string): Row | undefined {
    return this.byPath.get(path);
  }

  /** Ordered by path, as `TreeTable.list` is. */
  list(): Row[] {
    return [...this.byId.values()].sort((a, b) => compare(a.path, b.path));
  }

  listUnder(folder: string): Row[] {
    return this.list().filter((row) => isUnder(row.path, folder));
  }

  /** @throws ModelError `state_unknown_item`, `state_path_taken` (as the SQLite table does). */
  put(row: Row): void {
    if (this.items.kindOf(row.itemId) !== row.kind) {
      throw new ModelError('state_unknown_item', `put ${this.name} ${row.path}: kind ${row.kind}`);
    }
    const holder = this.byPath.get(row.path);
    if (holder !== undefined && holder.itemId !== row.itemId) {
      throw new ModelError('state_path_taken', `put ${this.name} ${row.path}`);
    }
    const previous = this.byId.get(row.itemId);
    if (previous !== undefined) this.byPath.delete(previous.path);
    this.byId.set(row.itemId, row);
    this.byPath.set(row.path, row);
  }

  delete(id: PlanItemId): boolean {
    const row = this.byId.get(id);
    if (row === undefined) return false;
    this.byId.delete(id);
    this.byPath.delete(row.path);
    return true;
  }

  /** The row at `from` and everything under it go to `to`, in one step (`TreeTable.movePath`). */
  movePath(from: string, to: string): number {
    if (to === from || isUnder(to, from)) {
      throw new ModelError('state_constraint_violated', `move ${this.name} ${from} into itself`);
    }
    const moving = [...this.byId.values()].filter(
      (row) => row.path === from || isUnder(row.path, from),
    );
    const moved = moving.map((row) => ({ ...row, path: to + row.path.slice(from.length) }));
    const movingIds = new Set(moving.map((row) => row.itemId));
    for (const row of moved) {
      const holder = this.byPath.get(row.path);
      if (holder !== undefined && !movingIds.has(holder.itemId)) {
        throw new ModelError('state_path_taken', `move ${this.name} ${from} to ${to}`);
      }
    }
    for (const row of moving) this.delete(row.itemId);
    for (const row of moved) {
      this.byId.set(row.itemId, row);
      this.byPath.set(row.path, row);
    }
    return moved.length;
  }

  snapshot(): () => void {
    const rows = [...this.byId.values()];
    return () => {
      this.byId.clear();
      this.byPath.clear();
      for (const row of rows) {
        this.byId.set(row.itemId, row);
        this.byPath.set(row.path, row);
      }
    };
  }
}

/** Paths ordered as SQLite's `ORDER BY path` and the scanner's sort do (code units). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
