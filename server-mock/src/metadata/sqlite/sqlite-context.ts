/**
 * The open database plus a prepared-statement cache, shared by the table-group modules.
 * better-sqlite3 is synchronous: each call blocks the event loop, so statements stay small and
 * transactions short.
 */
import Database from 'better-sqlite3';
import { migrateDatabase } from './migrations/index.js';

export class SqliteContext {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The prepared statement for `sql`, prepared once. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A statement prepared for one use (SQL whose text varies, e.g. IN lists of any length). */
  prepareOnce(sql: string): Database.Statement {
    return this.db.prepare(sql);
  }

  /** Runs `work` in a transaction (IMMEDIATE: takes the write lock up front, no upgrade deadlock). */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }
}

/**
 * Opens (creating when absent) the database at `file` in WAL mode with foreign keys on, and
 * migrates it to the latest schema. `:memory:` works for throwaway stores.
 */
export function openSqliteContext(file: string): SqliteContext {
  const db = new Database(file);
  // WAL: readers never block the writer. synchronous=NORMAL: a commit appends to the WAL
  // without an fsync (the WAL is fsynced at each checkpoint, the database before the WAL
  // restarts). A committed transaction survives a crash or kill -9 of the server as soon as
  // COMMIT returns; power loss is covered by the group commit in wal-barrier.ts, which fdatasyncs
  // the WAL off the event loop, once for every transaction committed meanwhile, before the
  // server answers. FULL fsynced on every commit, on the event loop (better-sqlite3 is
  // synchronous): ~2 ms per commit, capping commits/s. OFF would skip the checkpoint's fsyncs,
  // so a WAL restart could overwrite frames not yet durable in the database. See docs/server.md.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateDatabase(db);
  return new SqliteContext(db);
}
