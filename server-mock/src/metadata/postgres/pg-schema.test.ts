/**
 * The PostgreSQL schema (pg-schema.ts) is written by hand from the SQLite one, which the SQLite
 * migrations build step by step: this keeps the two from drifting. After every migration on
 * each side, both have the same tables, the same columns in each and the same named indexes.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { postgresForSuite } from '../../../test/services/postgres-for-suite.js';
import { openSqliteContext } from '../sqlite/sqlite-context.js';
import { PgContext } from './pg-context.js';

const postgres = postgresForSuite();

type Shape = Record<string, { columns: string[]; indexes: string[] }>;

function sqliteShape(): Shape {
  const ctx = openSqliteContext(':memory:');
  try {
    const tables = ctx.db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .all() as Array<{ name: string }>;
    const shape: Shape = {};
    for (const { name } of tables) {
      const columns = ctx.db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as Array<{
        name: string;
      }>;
      const indexes = ctx.db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`,
        )
        .all(name) as Array<{ name: string }>;
      shape[name] = {
        columns: columns.map((c) => c.name).sort(),
        indexes: indexes.map((i) => i.name).sort(),
      };
    }
    return shape;
  } finally {
    ctx.db.close();
  }
}

async function postgresShape(url: string): Promise<Shape> {
  const ctx = new PgContext({ url });
  await ctx.migrate();
  await ctx.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> 'ferry_schema'`,
    );
    // Indexes made by CREATE INDEX (not those behind PRIMARY KEY or UNIQUE constraints).
    const indexes = await client.query<{ tablename: string; indexname: string }>(
      `SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public'
       AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
    );
    const shape: Shape = {};
    for (const row of columns.rows) {
      (shape[row.table_name] ??= { columns: [], indexes: [] }).columns.push(row.column_name);
    }
    for (const row of indexes.rows) shape[row.tablename]?.indexes.push(row.indexname);
    for (const table of Object.values(shape)) {
      table.columns.sort();
      table.indexes.sort();
    }
    return shape;
  } finally {
    await client.end();
  }
}

it('has the tables, columns and indexes the SQLite migrations build', async () => {
  const expected = sqliteShape();
  expect(Object.keys(expected).length).toBeGreaterThan(5);
  expect(await postgresShape(postgres().url)).toEqual(expected);
});
