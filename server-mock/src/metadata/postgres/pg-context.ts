/**
 * SqlContext on a PostgreSQL connection pool (`pg`), for several server instances sharing one
 * database. Statements are the SQLite ones translated (sql-dialect.ts). Writers are serialised
 * by transaction-level advisory locks taken first, so the modules' read-then-write logic (first
 * writer wins, quota checks, journal positions) holds unchanged under READ COMMITTED: each
 * statement sees everything committed before it and no conflicting writer runs meanwhile. An
 * unscoped write holds the writers' lock exclusively, as SQLite's single writer; a scoped write
 * (sql-context.ts WriteScope: a commit, a block upload) holds it shared plus one lock per owner
 * of its namespaces, so different users' commits run at once; its activity events are inserted
 * with the COMMIT under one more lock, held only for that round trip, so their ids commit in
 * order. Reads outside a
 * write go to the pool; `read` is one REPEATABLE READ snapshot. Commits are durable when they
 * return (synchronous_commit on). A connection that fails is StoreUnavailableError (503).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { RequestAbandonedError, requestSignal, throwIfAbandoned } from '../../request-signal.js';
import { StoreUnavailableError } from '../../store-unavailable.js';
import type { SqlContext, SqlStatement, WriteScope } from '../sql/sql-context.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import { toPostgres, type PgStatementText } from './sql-dialect.js';

/** What a statement that finds no row answers. */
const NOTHING = {
  rows: [],
  rowCount: 0,
  command: '',
  oid: 0,
  fields: [],
} as unknown as pg.QueryResult;

/** The advisory lock every write transaction holds (an arbitrary constant: "Ferry writes"). */
const WRITE_LOCK = 0x46_65_72_72; // "Ferr"
/** Scoped writes' locks are (OWNER_LOCKS, hashtext(owner id)): a key space of their own. */
const OWNER_LOCKS = 0x46_65_4f_77; // "FeOw"
/** What a scoped write's COMMIT holds while it inserts its sequenced rows. */
const SEQUENCE_LOCK = 0x46_65_53_71; // "FeSq"
/** The advisory lock held while migrating (instances starting together). */
const MIGRATE_LOCK = 0x46_65_72_6d;

interface Transaction {
  readonly client: pg.PoolClient;
  savepoints: number;
  /** The namespaces a scoped write may touch; undefined: everything (the exclusive lock). */
  readonly scope: ReadonlySet<string> | undefined;
  /** insertSequenced() rows, sent with the COMMIT. */
  readonly sequenced: string[];
}

/** A value as an SQL literal, for the statements sent with a COMMIT (simple protocol). */
function literalOf(client: pg.PoolClient, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') {
    if (value.includes('\u0000'))
      throw new Error('a text value with a NUL character cannot be stored');
    return client.escapeLiteral(value);
  }
  throw new Error(`cannot send ${typeof value} as a literal`);
}

/** The locks a write takes first, in one round trip with BEGIN. */
function beginWrite(client: pg.PoolClient, scope: WriteScope | undefined): string {
  if (scope === undefined) return `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`;
  const shared = `BEGIN; SELECT pg_advisory_xact_lock_shared(${WRITE_LOCK})`;
  // An id with a NUL cannot name a stored row (PostgreSQL text holds none), nor go into SQL.
  const namespaces = [...new Set(scope.namespaces)].filter((id) => !id.includes('\u0000'));
  if (namespaces.length === 0) return shared;
  // Owners in one order (their keys ascending) for every writer: no two wait on each other.
  const ids = namespaces.map((id) => client.escapeLiteral(id)).join(', ');
  return `${shared}; SELECT pg_advisory_xact_lock(${OWNER_LOCKS}, k) FROM (SELECT DISTINCT
    hashtext(owner_id) AS k FROM namespace WHERE id IN (${ids}) ORDER BY k OFFSET 0) AS owners`;
}

/** BIGINT (20) and NUMERIC (1700: SUM of BIGINTs) as numbers; every value here is below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** SQLSTATE classes of a server or connection that is away (not of a bad statement). */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string')
    return error instanceof Error && /Connection terminated|connect|timeout/i.test(error.message);
  return (
    code.startsWith('08') || // connection exception
    code === '57P01' || // admin shutdown
    code === '57P02' || // crash shutdown
    code === '57P03' || // cannot connect now (starting up, recovering)
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE'
  );
}

function asStoreError(error: unknown): unknown {
  if (!isUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError('metadata', `PostgreSQL: ${reason}`, { cause: error });
}

/** pg sends Buffers as bytea; a plain Uint8Array would be sent as a list of numbers. */
function paramsOf(params: readonly unknown[]): unknown[] {
  return params.map((value) =>
    value instanceof Uint8Array && !Buffer.isBuffer(value)
      ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      : value,
  );
}

/** A nested write runs under the outer one's locks: it may not need more than they cover. */
function assertWithin(outer: ReadonlySet<string> | undefined, inner: WriteScope | undefined): void {
  if (outer === undefined) return;
  if (inner === undefined || inner.namespaces.some((id) => !outer.has(id))) {
    throw new Error('a nested write reaches beyond the scope of the write around it');
  }
}

export interface PgContextOptions {
  /** `postgres://user@host:port/db`; the password from PGPASSWORD (or a .pgpass file). */
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
}

export class PgContext implements SqlContext {
  readonly pool: pg.Pool;
  private readonly current = new AsyncLocalStorage<Transaction>();
  private readonly statements = new Map<string, SqlStatement>();

  constructor(options: PgContextOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: TYPES,
      connectionTimeoutMillis: 5000,
    });
    // An idle connection the server dropped (a restart): the pool replaces it; nothing to do.
    this.pool.on('error', () => undefined);
  }

  stmt(sql: string): SqlStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      // Named: each connection parses and plans it once, not at every call (PostgreSQL's CPU
      // per commit falls by about a third).
      statement = this.statementOf(toPostgres(sql), `ferry_${this.statements.size + 1}`);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  prepareOnce(sql: string): SqlStatement {
    return this.statementOf(toPostgres(sql));
  }

  async write<T>(work: () => Promise<T>, scope?: WriteScope): Promise<T> {
    const inside = this.current.getStore();
    if (inside !== undefined) {
      assertWithin(inside.scope, scope);
      return this.savepoint(inside, work);
    }
    return this.transaction(
      (client) => beginWrite(client, scope),
      work,
      scope && new Set(scope.namespaces),
    );
  }

  async insertSequenced(sql: string, ...params: unknown[]): Promise<void> {
    const inside = this.current.getStore();
    if (inside === undefined) throw new Error('insertSequenced() outside a write');
    // Under the exclusive lock nobody else commits meanwhile: the row can go in at once.
    if (inside.scope === undefined) return void (await this.stmt(sql).run(...params));
    // The template's $n are its only dollar signs (statements of this module, no literals).
    const { text } = toPostgres(sql);
    inside.sequenced.push(
      text.replace(/\$(\d+)/g, (_, n: string) => literalOf(inside.client, params[Number(n) - 1])),
    );
  }

  async read<T>(work: () => Promise<T>): Promise<T> {
    if (this.current.getStore() !== undefined) return work();
    return this.transaction(() => 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
  }

  /** Brings the schema to the latest version (one instance at a time). */
  async migrate(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(${MIGRATE_LOCK})`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS ferry_schema (version INTEGER NOT NULL, migrated_ms BIGINT NOT NULL)',
      );
      const { rows } = await client.query<{ version: number }>(
        'SELECT COALESCE(MAX(version), 0) AS version FROM ferry_schema',
      );
      const at = rows[0]?.version ?? 0;
      const latest = PG_MIGRATIONS.at(-1)?.version ?? 0;
      if (at > latest) {
        throw new Error(`the database is at schema ${at}, newer than this server's ${latest}`);
      }
      for (const migration of PG_MIGRATIONS) {
        if (migration.version <= at) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO ferry_schema (version, migrated_ms) VALUES ($1, $2)', [
            migration.version,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATE_LOCK})`).catch(() => undefined);
      client.release();
    }
  }

  async isHealthy(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** A pooled connection; none for a request whose client left (request-signal.ts). */
  private async connect(): Promise<pg.PoolClient> {
    throwIfAbandoned();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw asStoreError(error);
    }
    // It may have waited for a free connection while the client went away.
    if (requestSignal()?.aborted) {
      client.release();
      throw new RequestAbandonedError();
    }
    return client;
  }

  private async transaction<T>(
    begin: (client: pg.PoolClient) => string,
    work: () => Promise<T>,
    scope?: ReadonlySet<string>,
  ): Promise<T> {
    const client = await this.connect();
    let broken = false;
    try {
      await client.query(begin(client));
      const transaction: Transaction = { client, savepoints: 0, scope, sequenced: [] };
      const result = await this.current.run(transaction, work);
      await client.query(
        transaction.sequenced.length === 0
          ? 'COMMIT'
          : [
              `SELECT pg_advisory_xact_lock(${SEQUENCE_LOCK})`,
              ...transaction.sequenced,
              'COMMIT',
            ].join('; '),
      );
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw asStoreError(error);
    } finally {
      // A connection that could not even roll back is dropped, not reused.
      client.release(broken);
    }
  }

  private async savepoint<T>(transaction: Transaction, work: () => Promise<T>): Promise<T> {
    const name = `s${++transaction.savepoints}`;
    const sequencedBefore = transaction.sequenced.length;
    await transaction.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await transaction.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await transaction.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await transaction.client.query(`RELEASE SAVEPOINT ${name}`);
      // What the rolled-back part meant to insert at the COMMIT goes with it.
      transaction.sequenced.length = sequencedBefore;
      throw error;
    }
  }

  private async query(
    text: string,
    params: readonly unknown[],
    name?: string,
  ): Promise<pg.QueryResult> {
    // PostgreSQL text cannot hold NUL, so no stored value equals a string with one (SQLite's
    // answer to a hostile id such as "%00"): a read or a change keyed by it finds nothing.
    if (params.some((value) => typeof value === 'string' && value.includes('\u0000'))) {
      if (/^\s*(SELECT|UPDATE|DELETE)\b/i.test(text)) return NOTHING;
      throw new Error('a text value with a NUL character cannot be stored');
    }
    // A request whose client left starts no more statements; inside a transaction this throw
    // rolls it back (nothing half-written).
    throwIfAbandoned();
    const executor = this.current.getStore()?.client ?? this.pool;
    try {
      const values = paramsOf(params);
      return await executor.query(name === undefined ? { text, values } : { name, text, values });
    } catch (error) {
      throw asStoreError(error);
    }
  }

  private statementOf({ text, names }: PgStatementText, name?: string): SqlStatement {
    // Named parameters arrive as one object (better-sqlite3's convention): ordered by name.
    const valuesOf = (params: readonly unknown[]) => {
      if (names === undefined) return params;
      const named = (params[0] ?? {}) as Record<string, unknown>;
      return names.map((name) => named[name]);
    };
    return {
      get: async (...params) => (await this.query(text, valuesOf(params), name)).rows[0],
      all: async (...params) => (await this.query(text, valuesOf(params), name)).rows,
      run: async (...params) => ({
        changes: (await this.query(text, valuesOf(params), name)).rowCount ?? 0,
      }),
    };
  }
}
