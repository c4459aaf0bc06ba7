import Database from 'better-sqlite3';
import { ClientStateError } from './client-state-error.js';

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/** The connection settings as SQLite reports them, for diagnostics and tests. */
export interface ConnectionSettings {
  /** `wal` for a file database (`memory` for `:memory:`). */
  readonly journalMode: string;
  /** 0 off, 1 normal, 2 full, 3 extra. */
  readonly synchronous: number;
  readonly hasForeignKeys: boolean;
  readonly busyTimeoutMs: number;
}

/** Reads back the settings {@link openDatabase} applied, as SQLite actually holds them. */
export function readConnectionSettings(db: Database.Database): ConnectionSettings {
  return {
    journalMode: db.pragma('journal_mode', { simple: true }) as string,
    synchronous: db.pragma('synchronous', { simple: true }) as number,
    hasForeignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
    busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
  };
}

function applySettings(db: Database.Database): void {
  // WAL: readers (the CLI's `ferry status`, the control API) never block the engine's writes,
  // and a commit is one append to the log instead of a rewrite of the database pages.
  const journalMode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  if (!db.memory && journalMode !== 'wal') {
    throw new Error(`journal_mode is ${journalMode}, WAL is required`);
  }
  // FULL, not NORMAL: in WAL mode NORMAL survives a process crash but may lose the last commits
  // on power loss or an OS crash. Those commits are the synced tree and the outbox, written right
  // after the server acknowledged a commit; losing them makes the engine re-upload or raise
  // false conflicts. One fsync of the log per transaction is the price; the engine keeps it low
  // by grouping a batch of updates in one `ClientState.transaction`.
  db.pragma('synchronous = FULL');
  // Off by default in SQLite; the tree tables rely on them (kind agreement, cascades).
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/**
 * Opens (creating if absent) the SQLite file at `path` with Ferry's connection settings: WAL,
 * `synchronous = FULL`, foreign keys on, a busy timeout. The schema is not touched here.
 *
 * @throws ClientStateError `state_open_failed` when the file cannot be opened or is not a
 *   database, or the settings cannot be applied; the connection is closed again.
 */
export function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    applySettings(db);
    return db;
  } catch (error) {
    db?.close();
    throw new ClientStateError('state_open_failed', `open local state ${path}`, { cause: error });
  }
}
