import type Database from 'better-sqlite3';
import type { FileId } from '../protocol/index.js';
import { newItemId, type ItemId, type ItemKind } from './item-id.js';
import { LOCAL_TREE_SPEC, type LocalItem } from './local-tree.js';
import { REMOTE_TREE_SPEC, type RemoteItem } from './remote-tree.js';
import { translateConstraintErrors } from './sqlite-constraint.js';
import { SYNCED_TREE_SPEC, type SyncedItem } from './synced-tree.js';
import { TreeTable } from './tree-table.js';

/** An item's identity: what exists independently of where each tree puts it. */
export interface Item {
  readonly id: ItemId;
  readonly kind: ItemKind;
  readonly createdMs: number;
}

/** Options of {@link ItemTables.create}. */
export interface CreateItemOptions {
  readonly kind: ItemKind;
  readonly createdMs: number;
  /** A chosen id (deterministic simulations); a random UUID otherwise. */
  readonly id?: ItemId;
}

/**
 * Items and the three trees that place them: `local` (the scanner's cache of the disk),
 * `remote` (the server's view) and `synced` (the merge base). An item exists once here and has
 * at most one row per tree; deleting the item removes its rows and block lists everywhere.
 */
export class ItemTables {
  readonly local: TreeTable<LocalItem>;
  readonly remote: TreeTable<RemoteItem>;
  readonly synced: TreeTable<SyncedItem>;
  private readonly insertItem: Database.Statement;
  private readonly selectItem: Database.Statement;
  private readonly deleteItem: Database.Statement;
  private readonly deleteUnplacedItems: Database.Statement;
  private readonly selectRemoteByFileId: Database.Statement;
  private readonly selectTreeVersion: Database.Statement;

  constructor(db: Database.Database) {
    this.local = new TreeTable(db, LOCAL_TREE_SPEC);
    this.remote = new TreeTable(db, REMOTE_TREE_SPEC);
    this.synced = new TreeTable(db, SYNCED_TREE_SPEC);
    this.insertItem = db.prepare(
      'INSERT INTO item (id, kind, created_ms) VALUES (@id, @kind, @createdMs)',
    );
    this.selectItem = db.prepare('SELECT id, kind, created_ms AS createdMs FROM item WHERE id = ?');
    this.deleteItem = db.prepare('DELETE FROM item WHERE id = ?');
    this.selectRemoteByFileId = db.prepare('SELECT item_id FROM remote_item WHERE file_id = ?');
    this.selectTreeVersion = db.prepare('SELECT version FROM tree_version').pluck();
    this.deleteUnplacedItems = db.prepare(
      `DELETE FROM item WHERE id NOT IN (SELECT item_id FROM local_item)
         AND id NOT IN (SELECT item_id FROM remote_item)
         AND id NOT IN (SELECT item_id FROM synced_item)`,
    );
  }

  /**
   * Registers a new item and returns its id; it is in no tree until a tree row is put.
   *
   * @throws ClientStateError `state_constraint_violated` when `id` is already taken.
   */
  create(options: CreateItemOptions): ItemId {
    const id = options.id ?? newItemId();
    translateConstraintErrors(`create item ${id}`, () =>
      this.insertItem.run({ id, kind: options.kind, createdMs: options.createdMs }),
    );
    return id;
  }

  /** The remote row of the server's file `fileId` (a move keeps it), or `undefined`. */
  remoteByFileId(fileId: FileId): RemoteItem | undefined {
    const itemId = this.selectRemoteByFileId.pluck().get(fileId) as ItemId | undefined;
    return itemId === undefined ? undefined : this.remote.get(itemId);
  }

  /** The item, or `undefined` when unknown. */
  get(id: ItemId): Item | undefined {
    return this.selectItem.get(id) as Item | undefined;
  }

  /** Forgets the item: its rows in all trees and its block lists go too. False if unknown. */
  delete(id: ItemId): boolean {
    return this.deleteItem.run(id).changes > 0;
  }

  /**
   * A number that changes with every write to any of the three trees (a trigger counts them):
   * equal numbers, equal trees. Survives restarts with the trees it counts.
   */
  treeVersion(): number {
    return this.selectTreeVersion.get() as number;
  }

  /**
   * Forgets every item that is in none of the three trees (gone locally, remotely and from the
   * merge base: nothing left to reconcile). Returns how many were removed.
   */
  deleteUnplaced(): number {
    return this.deleteUnplacedItems.run().changes;
  }
}
