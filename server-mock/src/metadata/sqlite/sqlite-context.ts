/**
 * SqlContext on one better-sqlite3 connection. better-sqlite3 is synchronous, but the table
 * modules are async (so that PostgreSQL can run them too): a transaction spans awaits, and
 * while it is open no statement of another async context may run on the connection (it would
 * run inside that transaction). So transactions queue behind one another, and a statement
 * outside any transaction waits while one is open; statements of the open transaction's own
 * async context (AsyncLocalStorage) run at once. Every statement still runs synchronously, so
 * statements stay small and transactions short.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { SqlContext, SqlStatement } from '../sql/sql-context.js';
import { migrateDatabase } from './migrations/index.js';
import { throwIfAbandoned } from '../../request-signal.js';

interface OpenTransaction {
  savepoints: number;
  /** Resolves when the transaction has ended. */
  readonly ended: Promise<void>;
}

export class SqliteContext implements SqlContext {
  readonly db: Database.Database;
  private readonly statements = new Map<string, SqlStatement>();
  private readonly current = new AsyncLocalStorage<OpenTransaction>();
  /** Settles when the transaction holding the connection (if any) and those queued end. */
  private tail: Promise<void> = Promise.resolve();
  private open: OpenTransaction | undefined;

  constructor(db: Database.Database) {
    this.db = db;
  }

  stmt(sql: string): SqlStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.wrap(this.db.prepare(sql));
      this.statements.set(sql, statement);
    }
    return statement;
  }

  prepareOnce(sql: string): SqlStatement {
    return this.wrap(this.db.prepare(sql));
  }

  // One writer at a time: a scope (which lets PostgreSQL run owners' writes at once) changes
  // nothing here, and every write is already in commit order.
  async write<T>(work: () => Promise<T>): Promise<T> {
    const inside = this.current.getStore();
    if (inside !== undefined) return this.savepoint(inside, work);
    return this.exclusively('BEGIN IMMEDIATE', work);
  }

  async insertSequenced(sql: string, ...params: unknown[]): Promise<void> {
    if (this.current.getStore() === undefined) throw new Error('insertSequenced() outside a write');
    await this.stmt(sql).run(...params);
  }

  async read<T>(work: () => Promise<T>): Promise<T> {
    if (this.current.getStore() !== undefined) return work();
    // DEFERRED: a plain read transaction; in WAL mode it sees one snapshot.
    return this.exclusively('BEGIN DEFERRED', work);
  }

  private async exclusively<T>(begin: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    let end!: () => void;
    const transaction: OpenTransaction = {
      savepoints: 0,
      ended: new Promise<void>((resolve) => (end = resolve)),
    };
    this.open = transaction;
    try {
      // It may have waited its turn while its client went away (request-signal.ts).
      throwIfAbandoned();
      this.db.exec(begin);
      try {
        const result = await this.current.run(transaction, work);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.open = undefined;
      end();
      release();
    }
  }

  private async savepoint<T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const name = `s${++transaction.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw error;
    }
  }

  /**
   * Waits while another async context's transaction holds the connection; then refuses to
   * start a statement for a request whose client left (inside a transaction: rolled back).
   */
  private async turn(): Promise<void> {
    while (this.open !== undefined && this.current.getStore() !== this.open) await this.open.ended;
    throwIfAbandoned();
  }

  private wrap(statement: Database.Statement): SqlStatement {
    return {
      get: async (...params) => {
        await this.turn();
        return statement.get(...params);
      },
      all: async (...params) => {
        await this.turn();
        return statement.all(...params);
      },
      run: async (...params) => {
        await this.turn();
        return { changes: statement.run(...params).changes };
      },
    };
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
