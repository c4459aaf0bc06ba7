/**
 * The PostgreSQL databases of the "server on PostgreSQL" test project, one per server data
 * dir: a server restarted on the same data dir finds its data again, as with SQLite, and a
 * store snapshot of a data dir reads that database (store-snapshot.ts).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const byDataDir = new Map<string, string>();
let created = 0;

/** The database of `dataDir`'s server, when the run uses PostgreSQL and one was made. */
export function databaseOf(dataDir: string): string | undefined {
  return byDataDir.get(dataDir);
}

/** The database of `dataDir` on the PostgreSQL at `adminUrl`: made empty the first time. */
export async function databaseFor(dataDir: string, adminUrl: string): Promise<string> {
  const known = byDataDir.get(dataDir);
  if (known !== undefined) return known;
  const name = `t${process.pid}_${++created}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  byDataDir.set(dataDir, url);
  return url;
}

/**
 * `SELECT COUNT(*) AS n …` on the metadata of `dataDir`'s server, SQLite or PostgreSQL, through
 * a connection of its own (it sees the last committed state, SQLite's WAL included).
 */
export async function countRows(dataDir: string, sql: string): Promise<number> {
  const postgres = databaseOf(dataDir);
  if (postgres !== undefined) {
    const client = new pg.Client({ connectionString: postgres });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(dataDir, 'metadata.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
