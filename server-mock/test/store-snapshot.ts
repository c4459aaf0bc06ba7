/**
 * A snapshot of everything a server keeps in its data dir, to assert that a refused request
 * "changed nothing": compare `takeStoreSnapshot(dir)` before and after with `toEqual`.
 *
 * - The database is compared logically, not as bytes: its files change on a WAL checkpoint
 *   without any content changing, and recent commits may sit in `-wal`. A separate read-only
 *   connection sees the last committed state (WAL included), so every table is read with
 *   `SELECT *` in a total order (all columns), blobs as hex, plus the schema text.
 * - Every other file (blocks hot and cold, upload staging files, master key) is compared by
 *   path, size and SHA-256 of its bytes; directories are listed too (a refused request must
 *   not even create an empty shard folder).
 *
 * Excluded by default, because an authorised request legitimately changes them (override with
 * `ignoredColumns`): `device.last_seen_ms` (written by authentication at most once a minute)
 * and `block.last_access_ms` (a read moves it; it drives cold tiering). In-memory state such as
 * the login rate limiter is not in the data dir and not covered.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { databaseOf } from './services/test-databases.js';

/** The database file of a server's data dir (see startServer). */
export const METADATA_DB_FILE = 'metadata.db';

/** Columns left out of the comparison, per table. */
export type IgnoredColumns = Readonly<Record<string, readonly string[]>>;

/** Columns an authorised, refused request may still change (see the file comment). */
export const DEFAULT_IGNORED_COLUMNS: IgnoredColumns = {
  device: ['last_seen_ms'],
  block: ['last_access_ms'],
};

/** What a snapshot holds; compare two with `expect(after).toEqual(before)`. */
export interface StoreSnapshot {
  /** `sqlite_master` entries: `type name: sql`, sorted. */
  readonly schema: readonly string[];
  /** Table → rows (column name → value; blobs as `x'…'` hex), in a total order. */
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  /** Relative path → `dir`, or `size sha256` for a file (database files excluded). */
  readonly files: Readonly<Record<string, string>>;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function toComparable(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Reads every table through a read-only connection (sees committed WAL content). */
function readDatabase(
  file: string,
  ignored: IgnoredColumns,
): Pick<StoreSnapshot, 'schema' | 'tables'> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const master = db
      .prepare(`SELECT type, name, sql FROM sqlite_master ORDER BY type, name`)
      .all() as { type: string; name: string; sql: string | null }[];
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const { type, name } of master) {
      if (type !== 'table') continue;
      const columns = (
        db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]
      )
        .map((c) => c.name)
        .filter((c) => !(ignored[name] ?? []).includes(c));
      if (columns.length === 0) continue;
      const list = columns.map(quoteIdentifier).join(', ');
      const rows = db
        .prepare(`SELECT ${list} FROM ${quoteIdentifier(name)} ORDER BY ${list}`)
        .all() as Record<string, unknown>[];
      tables[name] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toComparable(v)])),
      );
    }
    return { schema: master.map((m) => `${m.type} ${m.name}: ${m.sql ?? ''}`), tables };
  } finally {
    db.close();
  }
}

/** The same, of a server whose metadata is on PostgreSQL (the PostgreSQL test project). */
async function readPostgres(
  url: string,
  ignored: IgnoredColumns,
): Promise<Pick<StoreSnapshot, 'schema' | 'tables'>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = (
      await client.query<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      )
    ).rows;
    const byTable = new Map<string, string[]>();
    for (const column of columns) {
      if ((ignored[column.table_name] ?? []).includes(column.column_name)) continue;
      byTable.set(column.table_name, [
        ...(byTable.get(column.table_name) ?? []),
        column.column_name,
      ]);
    }
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const [name, names] of byTable) {
      const list = names.map(quoteIdentifier).join(', ');
      const rows = (
        await client.query<Record<string, unknown>>(
          `SELECT ${list} FROM ${quoteIdentifier(name)} ORDER BY ${list}`,
        )
      ).rows;
      tables[name] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toComparable(v)])),
      );
    }
    const schema = [...new Set(columns.map((c) => c.table_name))].map(
      (table) =>
        `table ${table}: ${columns
          .filter((c) => c.table_name === table)
          .map((c) => `${c.column_name} ${c.data_type}`)
          .join(', ')}`,
    );
    return { schema, tables };
  } finally {
    await client.end();
  }
}

function isDatabaseFile(relative: string): boolean {
  return [METADATA_DB_FILE, `${METADATA_DB_FILE}-wal`, `${METADATA_DB_FILE}-shm`].includes(
    relative,
  );
}

/** Lists every directory and file under `root` with its size and SHA-256. */
async function readFiles(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(root, full).split(path.sep).join('/');
    if (isDatabaseFile(relative)) continue;
    if (entry.isDirectory()) {
      files[relative] = 'dir';
    } else if (entry.isFile()) {
      const bytes = await readFile(full);
      files[relative] = `${bytes.length} ${createHash('sha256').update(bytes).digest('hex')}`;
    } else {
      files[relative] = 'other';
    }
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Snapshots the data dir of a (running or stopped) server. Take it only while no request is in
 * flight: it reads the database and the files one after the other, not atomically.
 */
export async function takeStoreSnapshot(
  dataDir: string,
  options: { ignoredColumns?: IgnoredColumns } = {},
): Promise<StoreSnapshot> {
  const ignored = options.ignoredColumns ?? DEFAULT_IGNORED_COLUMNS;
  const postgres = databaseOf(dataDir);
  const database =
    postgres === undefined
      ? readDatabase(path.join(dataDir, METADATA_DB_FILE), ignored)
      : await readPostgres(postgres, ignored);
  return { ...database, files: await readFiles(dataDir) };
}
