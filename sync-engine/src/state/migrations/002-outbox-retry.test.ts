import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rev, UserId } from '../../protocol/index.js';
import { openClientState } from '../client-state.js';
import type { ItemId } from '../item-id.js';
import { applyMigrations, readSchemaVersion } from '../migrate.js';
import { migration001Initial } from './001-initial.js';
import { LATEST_SCHEMA_VERSION } from './index.js';

const BLOCK = 'ab'.repeat(32);
const FINGERPRINT = '0123456789abcdef';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-migration-002-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A version-1 database with a row in every table, written with version 1's SQL. */
function createVersion1Database(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, [migration001Initial]);
  db.exec(`
    INSERT INTO item (id, kind, created_ms) VALUES ('file-1', 'file', 10), ('dir-1', 'dir', 11);
    INSERT INTO local_item VALUES ('file-1', 'file', '/docs/a.txt', '42', 5, 1000.5, '${FINGERPRINT}', 20);
    INSERT INTO synced_item VALUES ('file-1', 'file', '/docs/a.txt', 'rev-1', 5, 1000, '${FINGERPRINT}', 21);
    INSERT INTO remote_item VALUES ('dir-1', 'dir', '/docs', NULL, 0, 900, NULL);
    INSERT INTO item_block VALUES ('file-1', 'local', 0, 0, 5, '${BLOCK}');
    INSERT INTO server_cursor VALUES ('https://ferry.test', 'user-1', 'cursor-7', 30);
    INSERT INTO outbox (kind, item_id, path, from_path, base_rev, enqueued_ms)
      VALUES ('upload', 'file-1', '/docs/a.txt', NULL, 'rev-1', 100),
             ('move', NULL, '/b.txt', '/old-b.txt', NULL, 200),
             ('delete', NULL, '/c.txt', NULL, 'rev-3', 300);
    INSERT INTO conflict (reason, path, conflicted_copy_path, local_rev, remote_rev, detected_ms)
      VALUES ('edit_edit', '/d.txt', '/d (conflicted copy from laptop 2025-01-02 030405).txt', 'r1', 'r2', 40);
    INSERT INTO setting VALUES ('paused', 'true');
  `);
  expect(readSchemaVersion(db)).toBe(1);
  db.close();
}

describe('migration 002 (outbox retry)', () => {
  it('upgrades a version-1 database without losing rows', () => {
    const path = join(dir, 'state.sqlite');
    createVersion1Database(path);

    const state = openClientState(path);
    expect(state.schemaVersion).toBe(LATEST_SCHEMA_VERSION);

    const queued = state.outbox.list();
    expect(queued.map((entry) => [entry.seq, entry.kind, entry.path])).toEqual([
      [1, 'upload', '/docs/a.txt'],
      [2, 'move', '/b.txt'],
      [3, 'delete', '/c.txt'],
    ]);
    // Never tried under version 1: no attempts, due from when each was queued.
    expect(queued.map((entry) => [entry.attemptCount, entry.nextAttemptMs])).toEqual([
      [0, 100],
      [0, 200],
      [0, 300],
    ]);
    expect(queued[1]).toMatchObject({ kind: 'move', fromPath: '/old-b.txt' });
    expect(state.outbox.peekDue(250).map((entry) => entry.seq)).toEqual([1, 2]);

    const fileId = 'file-1' as ItemId;
    expect(state.items.local.getByPath('/docs/a.txt')).toMatchObject({
      inode: '42',
      mtimeMs: 1000.5,
    });
    expect(state.items.synced.get(fileId)?.rev).toBe('rev-1' as Rev);
    // Opening upgrades to the latest version: migration 003 calls the folder 'folder'.
    expect(state.items.remote.getByPath('/docs')?.kind).toBe('folder');
    expect(state.blocks.get(fileId, 'local')).toEqual([
      { offsetBytes: 0, sizeBytes: 5, blockId: BLOCK },
    ]);
    expect(state.cursors.get({ serverUrl: 'https://ferry.test', userId: 'user-1' as UserId })).toBe(
      'cursor-7',
    );
    expect(state.conflicts.listUnresolved()).toHaveLength(1);
    expect(state.settings.get('paused')).toBe(true);

    // The new columns work on old rows.
    expect(state.outbox.fail(1, { errorMessage: 'offline', nowMs: 1_000 })).toMatchObject({
      attemptCount: 1,
      nextAttemptMs: 2_000,
      lastError: 'offline',
    });
    state.close();
  });
});
