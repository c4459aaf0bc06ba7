import type Database from 'better-sqlite3';
import { ClientStateError } from './client-state-error.js';
import type { ItemId, ItemKind } from './item-id.js';
import { translateConstraintErrors } from './sqlite-constraint.js';

/** The three trees of SPEC "Client engine design". */
export const TREE_NAMES = ['local', 'remote', 'synced'] as const;
/** One of {@link TREE_NAMES}. */
export type TreeName = (typeof TREE_NAMES)[number];

/** What every tree row has: the item, its kind and its path in that tree. */
export interface TreeRow {
  readonly itemId: ItemId;
  readonly kind: ItemKind;
  /** Absolute inside the sync folder, `/`-separated, NFC, no trailing `/`: `/docs/a.txt`. */
  readonly path: string;
}

/** How one tree's rows map to its table. */
export interface TreeTableSpec<Row extends TreeRow> {
  readonly tree: TreeName;
  readonly table: string;
  /** The table's columns besides `item_id`, `kind` and `path`. */
  readonly columns: readonly string[];
  /** Row → values of `columns`, keyed by column name (the three common ones are added here). */
  toColumns(row: Row): Record<string, string | number | null>;
  /** A selected SQL row → the tree's own fields (the three common ones are added here). */
  fromColumns(raw: Record<string, unknown>): Omit<Row, keyof TreeRow>;
}

/** All of a row's column values: the common `item_id`, `kind`, `path` and the tree's own. */
function rowToColumns<Row extends TreeRow>(spec: TreeTableSpec<Row>, row: Row) {
  return { item_id: row.itemId, kind: row.kind, path: row.path, ...spec.toColumns(row) };
}

/** A selected SQL row (all columns) → Row. */
function rowFromColumns<Row extends TreeRow>(spec: TreeTableSpec<Row>, raw: unknown): Row {
  const columns = raw as Record<string, unknown>;
  return {
    itemId: columns.item_id as ItemId,
    kind: columns.kind as ItemKind,
    path: columns.path as string,
    ...spec.fromColumns(columns),
  } as Row;
}

/** Strings with `prefix + '/'` in front sort between `prefix + '/'` and `prefix + '0'` ('/'+1). */
const UNDER = `path > @prefix || '/' AND path < @prefix || '0'`;

/**
 * One tree (local, remote or synced) as a table keyed by item id, with unique paths. Every
 * method is one statement, hence atomic; group several in `ClientState.transaction`.
 */
export class TreeTable<Row extends TreeRow> {
  readonly tree: TreeName;
  private readonly spec: TreeTableSpec<Row>;
  private readonly upsert: Database.Statement;
  private readonly selectById: Database.Statement;
  private readonly selectByPath: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly selectUnder: Database.Statement;
  private readonly deleteById: Database.Statement;
  private readonly moveSubtree: Database.Statement;

  constructor(db: Database.Database, spec: TreeTableSpec<Row>) {
    this.tree = spec.tree;
    this.spec = spec;
    const { table } = spec;
    const columns = ['item_id', 'kind', 'path', ...spec.columns];
    this.upsert = db.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (item_id) DO UPDATE SET ${columns
         .slice(1)
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    );
    this.selectById = db.prepare(`SELECT * FROM ${table} WHERE item_id = ?`);
    this.selectByPath = db.prepare(`SELECT * FROM ${table} WHERE path = ?`);
    this.selectAll = db.prepare(`SELECT * FROM ${table} ORDER BY path`);
    this.selectUnder = db.prepare(`SELECT * FROM ${table} WHERE ${UNDER} ORDER BY path`);
    this.deleteById = db.prepare(`DELETE FROM ${table} WHERE item_id = ?`);
    this.moveSubtree = db.prepare(
      `UPDATE ${table} SET path = @to || substr(path, length(@prefix) + 1)
       WHERE path = @prefix OR (${UNDER})`,
    );
  }

  /**
   * Inserts or replaces the row of `row.itemId`. Changing the content (fingerprint, rev, size)
   * drops this tree's block list of the item, so write the row first, then the block list.
   *
   * @throws ClientStateError `state_path_taken` (another item has the path in this tree),
   *   `state_unknown_item` (no such item, or a different kind), `state_constraint_violated`.
   */
  put(row: Row): void {
    translateConstraintErrors(
      `put ${this.tree} item ${row.path}`,
      () => this.upsert.run(rowToColumns(this.spec, row)),
      'state_path_taken',
    );
  }

  /** The row of `itemId` in this tree, or `undefined` when the item is not in it. */
  get(itemId: ItemId): Row | undefined {
    return this.read(this.selectById.get(itemId));
  }

  /** The row at `path` in this tree, or `undefined`. */
  getByPath(path: string): Row | undefined {
    return this.read(this.selectByPath.get(path));
  }

  /** The whole tree, ordered by path (a parent before its children). */
  list(): Row[] {
    return this.selectAll.all().map((raw) => rowFromColumns(this.spec, raw));
  }

  /** Everything strictly below the folder `folderPath`, ordered by path. */
  listUnder(folderPath: string): Row[] {
    return this.selectUnder
      .all({ prefix: folderPath })
      .map((raw) => rowFromColumns(this.spec, raw));
  }

  /** Removes the item from this tree (and its block list here). False when it was not in it. */
  delete(itemId: ItemId): boolean {
    return this.deleteById.run(itemId).changes > 0;
  }

  /**
   * Moves the row at `fromPath` and everything below it to `toPath`, in one statement: a folder
   * rename keeps every item id. Returns how many rows moved (0 when nothing is at `fromPath`).
   *
   * @throws ClientStateError `state_path_taken` when a destination path is held by another item,
   *   `state_constraint_violated` when `toPath` is `fromPath` or below it.
   */
  movePath(fromPath: string, toPath: string): number {
    if (toPath === fromPath || toPath.startsWith(`${fromPath}/`)) {
      throw new ClientStateError(
        'state_constraint_violated',
        `move ${this.tree} ${fromPath} to ${toPath}: destination is inside the source`,
      );
    }
    return translateConstraintErrors(
      `move ${this.tree} ${fromPath} to ${toPath}`,
      () => this.moveSubtree.run({ prefix: fromPath, to: toPath }).changes,
      'state_path_taken',
    );
  }

  private read(raw: unknown): Row | undefined {
    return raw === undefined ? undefined : rowFromColumns(this.spec, raw);
  }
}
