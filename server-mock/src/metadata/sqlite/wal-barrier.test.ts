/**
 * The SQLite store's barrier on a real database file: it fdatasyncs the live `-wal` file (the
 * same file after a checkpoint truncates it), once for concurrent callers, never when nothing was
 * written, and not at all for an in-memory database.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NamespaceId, UserId } from 'sync-engine/protocol';
import { openSqliteMetadataStore, type SqliteMetadataStore } from './sqlite-metadata-store.js';

let dir: string;
let file: string;
let store: SqliteMetadataStore | undefined;
/** The inode of each file the barrier synced, in order. */
let synced: number[];

const countingSync = async (handle: FileHandle) => {
  synced.push((await handle.stat()).ino);
  await handle.datasync();
};

async function createUser(n: number) {
  await store!.createUser({
    id: `u_${n}` as UserId,
    email: `user${n}@example.com`,
    name: `User ${n}`,
    passwordHash: 'x',
    quotaBytes: 1000,
    rootNamespace: `ns_${n}` as NamespaceId,
    wrappedKey: new Uint8Array([n]),
    nowMs: 1_000,
  });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ferry-wal-'));
  file = path.join(dir, 'metadata.db');
  synced = [];
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite durability barrier', () => {
  it('fdatasyncs the -wal file once for callers that wait together, and not without writes', async () => {
    store = openSqliteMetadataStore(file, { syncFile: countingSync });
    await store.durable();
    expect(synced).toHaveLength(0);

    await createUser(1);
    await Promise.all([store.durable(), store.durable(), store.durable()]);
    expect(synced).toEqual([statSync(`${file}-wal`).ino]);

    await store.durable();
    await store.getUser('u_1' as UserId);
    await store.durable();
    expect(synced).toHaveLength(1);
  });

  it('keeps syncing the live WAL after a checkpoint truncated it', async () => {
    store = openSqliteMetadataStore(file, { syncFile: countingSync });
    await createUser(1);
    await store.durable();
    // A second connection checkpoints and truncates the WAL, as a restart of the WAL would.
    const other = new Database(file);
    other.pragma('wal_checkpoint(TRUNCATE)');
    other.close();
    expect(statSync(`${file}-wal`).size).toBe(0);

    await createUser(2);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await store.durable();
    expect(synced).toEqual([statSync(`${file}-wal`).ino, statSync(`${file}-wal`).ino]);
  });

  it('is a no-op for an in-memory database', async () => {
    store = openSqliteMetadataStore(':memory:', { syncFile: countingSync });
    await createUser(1);
    await store.durable();
    expect(synced).toHaveLength(0);
  });

  it('refuses once a sync failed, and stays refused', async () => {
    store = openSqliteMetadataStore(file, {
      syncFile: async () => {
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      },
    });
    await createUser(1);
    await expect(store.durable()).rejects.toThrow(/may not survive a power loss/);
    await expect(store.durable()).rejects.toThrow(/may not survive a power loss/);
  });
});
