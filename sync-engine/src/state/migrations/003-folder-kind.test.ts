import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockId, Rev } from '../../protocol/index.js';
import { useTempDir } from '../../testkit/index.js';
import { ClientStateError, type ClientStateErrorCode } from '../client-state-error.js';
import { openClientState } from '../client-state.js';
import type { ItemId, ItemKind } from '../item-id.js';
import { applyMigrations, readSchemaVersion } from '../migrate.js';
import { migration001Initial } from './001-initial.js';
import { migration002OutboxRetry } from './002-outbox-retry.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './index.js';

const BLOCK_A = 'ab'.repeat(32) as BlockId;
const BLOCK_B = 'cd'.repeat(32) as BlockId;
const FINGERPRINT = '0123456789abcdef';
const OTHER_FINGERPRINT = 'fedcba9876543210';
/** The tables whose `kind` column names the item kind. */
const KIND_TABLES = ['item', 'local_item', 'remote_item', 'synced_item'];

/**
 * A version-2 database written with version 1 and 2's SQL: files and folders in every tree,
 * an item in no tree, gaps in the rowids, block lists in every tree, a cursor, outbox entries (one with retry
 * state), a resolved and an unresolved conflict, a setting.
 */
function createVersion2Database(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, [migration001Initial, migration002OutboxRetry]);
  db.exec(`
    INSERT INTO item (id, kind, created_ms) VALUES
      ('forgotten', 'file', 9), ('docs', 'dir', 10), ('a-txt', 'file', 11), ('photos', 'dir', 12), ('b-bin', 'file', 13),
      ('unplaced', 'dir', 14);
    INSERT INTO local_item VALUES
      ('docs', 'dir', '/docs', '41', 0, 999.25, NULL, 20),
      ('a-txt', 'file', '/docs/a.txt', '18446744073709551615', 5, 1000.5, '${FINGERPRINT}', 20);
    INSERT INTO remote_item VALUES
      ('forgotten', 'file', '/forgotten', 'rev-f', 0, 800, NULL),
      ('docs', 'dir', '/docs', NULL, 0, 900, NULL),
      ('photos', 'dir', '/photos', 'rev-p', 0, 901, NULL),
      ('a-txt', 'file', '/docs/a.txt', 'rev-2', 8, 1100, 'hash-2'),
      ('b-bin', 'file', '/b.bin', 'rev-b', 3, 1200, NULL);
    INSERT INTO synced_item VALUES
      ('forgotten', 'file', '/forgotten', 'rev-f', 0, 800, '${FINGERPRINT}', 19),
      ('docs', 'dir', '/docs', NULL, 0, 900, NULL, 21),
      ('a-txt', 'file', '/docs/a.txt', 'rev-1', 5, 1000, '${FINGERPRINT}', 21);
    INSERT INTO item_block VALUES
      ('a-txt', 'local', 0, 0, 5, '${BLOCK_A}'),
      ('a-txt', 'remote', 0, 0, 4, '${BLOCK_A}'),
      ('a-txt', 'remote', 1, 4, 4, '${BLOCK_B}'),
      ('a-txt', 'synced', 0, 0, 5, '${BLOCK_A}'),
      ('b-bin', 'remote', 0, 0, 3, '${BLOCK_B}');
    INSERT INTO server_cursor VALUES ('https://ferry.test', 'user-1', 'cursor-7', 30);
    INSERT INTO outbox (kind, item_id, path, from_path, base_rev, enqueued_ms, next_attempt_ms)
      VALUES ('mkdir', 'photos', '/photos', NULL, NULL, 100, 100),
             ('upload', 'a-txt', '/docs/a.txt', NULL, 'rev-1', 200, 200),
             ('move', NULL, '/b.txt', '/old-b.txt', NULL, 300, 300);
    UPDATE outbox SET attempt_count = 2, next_attempt_ms = 5000, last_error = 'offline'
      WHERE seq = 2;
    INSERT INTO conflict (item_id, reason, path, conflicted_copy_path, local_rev, remote_rev,
        detected_ms, resolved_ms, resolution)
      VALUES ('a-txt', 'edit_edit', '/docs/a.txt',
              '/docs/a (conflicted copy from laptop 2025-01-02 030405).txt', 'r1', 'r2', 40,
              NULL, NULL),
             (NULL, 'edit_delete', '/gone.txt', NULL, 'r3', NULL, 41, 50, 'keep_theirs');
    INSERT INTO setting VALUES ('paused', 'true');
    -- Cascades to its tree rows: the remaining rowids start at 2, so a copy that renumbered
    -- rows would show.
    DELETE FROM item WHERE id = 'forgotten';
  `);
  expect(readSchemaVersion(db)).toBe(2);
  db.close();
}

type Row = Record<string, unknown>;

/** Applies migrations 1–3 only: what version 3 wrote, before later migrations add columns. */
function migrateToVersion3(path: string): void {
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  applyMigrations(db, MIGRATIONS.slice(0, 3));
  db.close();
}

/** Columns added after version 3 (migration 004); the rows' version-3 content is compared. */
const LATER_COLUMNS = ['file_id', 'namespace', 'mount_namespace', 'mount_role'];
/** Tables added after version 3 (migration 007's counter). */
const LATER_TABLES = ['tree_version'];

/** Every row of every table (sqlite_sequence included), with its rowid where it has one. */
function dumpRows(db: Database.Database): Record<string, Row[]> {
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all() as { name: string; sql: string }[];
  return Object.fromEntries(
    tables
      .filter(({ name }) => !LATER_TABLES.includes(name))
      .map(({ name, sql }) => {
        const rowid = /WITHOUT ROWID/i.test(sql) ? '' : 'rowid AS row_id, ';
        const rows = (db.prepare(`SELECT ${rowid}* FROM ${name}`).all() as Row[]).map((row) =>
          Object.fromEntries(
            Object.entries(row).filter(([column]) => !LATER_COLUMNS.includes(column)),
          ),
        );
        return [name, rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))];
      }),
  );
}

/**
 * Every schema entry by `type name`, its SQL without comments, identifier quotes (ALTER TABLE
 * RENAME writes `CREATE TABLE "item"`) and layout; automatic indexes (no SQL) as ''.
 */
function normalisedSchema(db: Database.Database): Record<string, string> {
  const entries = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema').all() as {
    type: string;
    name: string;
    tbl_name: string;
    sql: string | null;
  }[];
  return Object.fromEntries(
    entries.map((entry) => [
      `${entry.type} ${entry.name} on ${entry.tbl_name}`,
      (entry.sql ?? '')
        .replace(/--[^\n]*/g, '')
        .replaceAll('"', '')
        .replace(/\s+/g, ' ')
        .trim(),
    ]),
  );
}

/** Each table's foreign keys, as SQLite reports them. */
function foreignKeys(db: Database.Database): Record<string, unknown> {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(tables.map((name) => [name, db.pragma(`foreign_key_list(${name})`)]));
}

function readDatabase<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function errorCode(action: () => unknown): ClientStateErrorCode {
  try {
    action();
  } catch (error) {
    if (error instanceof ClientStateError) return error.code;
    throw error;
  }
  throw new Error('expected a ClientStateError');
}

describe('migration 003 (folder kind)', () => {
  const tempDir = useTempDir('migration-003');

  function upgradedDatabase(): string {
    const path = join(tempDir(), 'state.sqlite');
    createVersion2Database(path);
    migrateToVersion3(path);
    return path;
  }

  it("keeps every row of a version-2 database, turning each 'dir' into 'folder'", () => {
    const path = join(tempDir(), 'state.sqlite');
    createVersion2Database(path);
    const before = readDatabase(path, dumpRows);
    for (const table of KIND_TABLES) {
      expect(before[table]!.filter((row) => row.kind === 'dir').length).toBeGreaterThan(0);
    }

    migrateToVersion3(path);
    const state = openClientState(path);
    expect(state.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(state.items.get('docs' as ItemId)?.kind).toBe('folder');
    expect(state.items.get('a-txt' as ItemId)?.kind).toBe('file');
    expect(state.items.local.getByPath('/docs')).toMatchObject({ kind: 'folder', inode: '41' });
    expect(state.items.remote.getByPath('/photos')).toMatchObject({
      kind: 'folder',
      rev: 'rev-p' as Rev,
    });
    expect(state.items.synced.list().map((row) => [row.path, row.kind])).toEqual([
      ['/docs', 'folder'],
      ['/docs/a.txt', 'file'],
    ]);
    expect(state.blocks.get('a-txt' as ItemId, 'remote')).toEqual([
      { offsetBytes: 0, sizeBytes: 4, blockId: BLOCK_A },
      { offsetBytes: 4, sizeBytes: 4, blockId: BLOCK_B },
    ]);
    expect(state.outbox.get(2)).toMatchObject({ attemptCount: 2, lastError: 'offline' });
    expect(state.conflicts.listUnresolved().map((conflict) => conflict.path)).toEqual([
      '/docs/a.txt',
    ]);
    state.close();

    const expected = Object.fromEntries(
      Object.entries(before).map(([table, rows]) => [
        table,
        KIND_TABLES.includes(table)
          ? rows
              .map((row) => (row.kind === 'dir' ? { ...row, kind: 'folder' } : row))
              // column added by version 6
              .map((row) => (table === 'synced_item' ? { ...row, copied_across: null } : row))
          : table === 'item_block'
            ? rows.map((row) => ({ ...row, xxhash: null })) // column added by version 5
            : rows,
      ]),
    );
    const after = readDatabase(path, dumpRows);
    expect(after).toEqual(expected);
    expect(Object.values(after).flat().length).toBe(Object.values(before).flat().length);
  });

  it("leaves version 2's schema with 'folder' for 'dir', the schema of a fresh database", () => {
    const version2Path = join(tempDir(), 'version-2.sqlite');
    createVersion2Database(version2Path);
    const version2 = readDatabase(version2Path, (db) => ({
      schema: normalisedSchema(db),
      foreignKeys: foreignKeys(db),
    }));
    const upgradedPath = upgradedDatabase();
    const upgraded = readDatabase(upgradedPath, (db) => ({
      schema: normalisedSchema(db),
      foreignKeys: foreignKeys(db),
      integrity: db.pragma('integrity_check', { simple: true }),
    }));
    const freshPath = join(tempDir(), 'fresh.sqlite');
    const freshDb = new Database(freshPath);
    freshDb.pragma('foreign_keys = ON');
    applyMigrations(freshDb, MIGRATIONS.slice(0, 3));
    freshDb.close();
    const fresh = readDatabase(freshPath, normalisedSchema);

    const expected = Object.fromEntries(
      Object.entries(version2.schema).map(([key, sql]) => [
        key,
        sql.replaceAll("'dir'", "'folder'"),
      ]),
    );
    expect(upgraded.schema).toEqual(expected);
    expect(upgraded.schema).toEqual(fresh);
    expect(JSON.stringify(upgraded.schema)).not.toContain("'dir'");
    expect(upgraded.foreignKeys).toEqual(version2.foreignKeys);
    expect(upgraded.integrity).toBe('ok');
  });

  it('keeps the block-list triggers: a list needs a file row, content changes and deletes drop it', () => {
    const state = openClientState(upgradedDatabase());
    const list = [{ offsetBytes: 0, sizeBytes: 2, blockId: BLOCK_B }];
    const file = 'a-txt' as ItemId;
    const other = 'b-bin' as ItemId;

    // A folder row, or no row in that tree, cannot hold a block list.
    for (const tree of ['local', 'remote', 'synced'] as const) {
      expect(errorCode(() => state.blocks.set('docs' as ItemId, tree, list))).toBe(
        'state_invalid_block_list',
      );
    }
    expect(errorCode(() => state.blocks.set(other, 'synced', list))).toBe(
      'state_invalid_block_list',
    );

    // Rewriting a row with the same content keeps its list.
    const remoteFile = state.items.remote.get(file)!;
    state.items.remote.put({ ...remoteFile, modifiedMs: 1101 });
    expect(state.blocks.get(file, 'remote')).toHaveLength(2);

    // A content change drops that tree's list only.
    state.items.remote.put({ ...remoteFile, rev: 'rev-3' as Rev });
    expect(state.blocks.get(file, 'remote')).toEqual([]);
    expect(state.blocks.get(file, 'synced')).toHaveLength(1);
    state.items.synced.put({ ...state.items.synced.get(file)!, fingerprint: OTHER_FINGERPRINT });
    expect(state.blocks.get(file, 'synced')).toEqual([]);
    expect(state.blocks.get(file, 'local')).toHaveLength(1);
    state.items.local.put({ ...state.items.local.get(file)!, sizeBytes: 6 });
    expect(state.blocks.get(file, 'local')).toEqual([]);

    // Deleting a row drops its list.
    expect(state.blocks.get(other, 'remote')).toHaveLength(1);
    expect(state.items.remote.delete(other)).toBe(true);
    expect(state.blocks.get(other, 'remote')).toEqual([]);

    // And lists can be written again for file rows.
    state.blocks.set(file, 'remote', list);
    expect(state.blocks.get(file, 'remote')).toEqual(list);
    state.close();
  });

  it("refuses kind 'dir' with the typed errors and accepts 'folder'", () => {
    const state = openClientState(upgradedDatabase());
    const dir = 'dir' as string as ItemKind;
    expect(errorCode(() => state.items.create({ kind: dir, createdMs: 1 }))).toBe(
      'state_constraint_violated',
    );
    // The item is a folder now: a row that still says 'dir' disagrees with it.
    const docs = 'docs' as ItemId;
    expect(
      errorCode(() => state.items.local.put({ ...state.items.local.get(docs)!, kind: dir })),
    ).toBe('state_unknown_item');
    expect(
      errorCode(() =>
        state.items.remote.put({ ...state.items.remote.get(docs)!, kind: dir, rev: 'r' as Rev }),
      ),
    ).toBe('state_unknown_item');
    // Without a revision, only a folder passes remote_item's CHECK.
    expect(
      errorCode(() => state.items.remote.put({ ...state.items.remote.get(docs)!, kind: dir })),
    ).toBe('state_constraint_violated');

    const music = state.items.create({ kind: 'folder', createdMs: 2 });
    state.items.remote.put({
      itemId: music,
      kind: 'folder',
      path: '/music',
      sizeBytes: 0,
      modifiedMs: 3,
    });
    state.items.synced.put({
      itemId: music,
      kind: 'folder',
      path: '/music',
      sizeBytes: 0,
      modifiedMs: 3,
      syncedMs: 4,
    });
    expect(state.items.synced.getByPath('/music')?.kind).toBe('folder');
    state.close();
  });

  it('still cascades an item delete to every tree and its block lists', () => {
    const path = upgradedDatabase();
    const state = openClientState(path);
    expect(state.readConnectionSettings().hasForeignKeys).toBe(true);
    expect(
      errorCode(() =>
        state.items.synced.put({
          ...state.items.synced.get('docs' as ItemId)!,
          itemId: 'nobody' as ItemId,
          path: '/nobody',
        }),
      ),
    ).toBe('state_unknown_item');

    const file = 'a-txt' as ItemId;
    for (const tree of ['local', 'remote', 'synced'] as const) {
      expect(state.blocks.get(file, tree).length).toBeGreaterThan(0);
    }
    expect(state.items.delete(file)).toBe(true);
    expect(state.items.local.get(file)).toBeUndefined();
    expect(state.items.remote.get(file)).toBeUndefined();
    expect(state.items.synced.get(file)).toBeUndefined();
    for (const tree of ['local', 'remote', 'synced'] as const) {
      expect(state.blocks.get(file, tree)).toEqual([]);
    }
    expect(state.items.delete('docs' as ItemId)).toBe(true);
    expect(state.items.local.getByPath('/docs')).toBeUndefined();
    expect(state.items.remote.getByPath('/docs')).toBeUndefined();
    expect(state.items.synced.getByPath('/docs')).toBeUndefined();
    // The outbox and conflicts have no foreign key on purpose: their rows outlive the item.
    expect(state.outbox.get(2)?.itemId).toBe(file);
    expect(state.conflicts.listUnresolved()[0]?.itemId).toBe(file);
    // 'unplaced' was in no tree; 'photos' and 'b-bin' are still on the server.
    expect(state.items.deleteUnplaced()).toBe(1);
    expect(state.items.get('unplaced' as ItemId)).toBeUndefined();
    expect(state.items.get('photos' as ItemId)?.kind).toBe('folder');
    state.close();

    expect(
      readDatabase(path, (db) => db.prepare('SELECT count(*) FROM item_block').pluck().get()),
    ).toBe(1);
  });
});
