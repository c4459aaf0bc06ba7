import type Database from 'better-sqlite3';
import { BlockLists } from './block-lists.js';
import { ConflictTable } from './conflict-table.js';
import { CursorTable } from './cursor-table.js';
import { ItemTables } from './item-tables.js';
import { applyMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { openDatabase, readConnectionSettings, type ConnectionSettings } from './open-database.js';
import { Outbox } from './outbox.js';
import type { BackoffPolicy } from './outbox-backoff.js';
import { SettingsTable } from './settings-table.js';

/** The device's local sync state, one SQLite file, grouped by table. */
export interface ClientState {
  /** Items and the local, remote and synced trees. */
  readonly items: ItemTables;
  /** Block lists of files, per tree. */
  readonly blocks: BlockLists;
  /** Journal cursors per server and account. */
  readonly cursors: CursorTable;
  /** Pending local changes. */
  readonly outbox: Outbox;
  readonly conflicts: ConflictTable;
  readonly settings: SettingsTable;
  /** The schema version of the open database (the latest migration). */
  readonly schemaVersion: number;
  /**
   * Runs `work` in one write transaction: every module call inside commits together or not at
   * all (e.g. a download's synced row, block list and the cursor that covered it). Calls may
   * nest; the inner ones become savepoints. Keep it short: it holds the write lock.
   */
  transaction<T>(work: () => T): T;
  /** SQLite's view of the connection settings (WAL, synchronous, foreign keys, busy timeout). */
  readConnectionSettings(): ConnectionSettings;
  /** Closes the database; any further call throws. Calling it again does nothing. */
  close(): void;
}

/** Options of {@link openClientState}. */
export interface ClientStateOptions {
  /** Outbox retry delays; the default is 1 s doubling to 5 minutes. */
  readonly outboxBackoff?: BackoffPolicy;
}

function createClientState(db: Database.Database, options: ClientStateOptions): ClientState {
  return {
    items: new ItemTables(db),
    blocks: new BlockLists(db),
    cursors: new CursorTable(db),
    outbox: new Outbox(db, options.outboxBackoff),
    conflicts: new ConflictTable(db),
    settings: new SettingsTable(db),
    schemaVersion: MIGRATIONS.length,
    transaction: (work) => db.transaction(work).immediate(),
    readConnectionSettings: () => readConnectionSettings(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/**
 * Opens the local state at `path` (creating the file if absent), applies pending migrations and
 * returns the typed API. `:memory:` gives a throwaway database for simulations.
 *
 * @throws ClientStateError `state_open_failed` (not a database, or WAL unavailable),
 *   `state_schema_too_new` (written by a newer Ferry), `state_migration_failed`.
 * @example
 * const state = openClientState(join(dataDir, 'state.sqlite'));
 * const seq = state.outbox.enqueue({ kind: 'upload', path: '/a.txt' }, Date.now());
 * state.close();
 */
export function openClientState(path: string, options: ClientStateOptions = {}): ClientState {
  const db = openDatabase(path);
  try {
    applyMigrations(db, MIGRATIONS);
    return createClientState(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}
