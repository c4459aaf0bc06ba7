import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../testkit/index.js';
import { applyMigrations } from '../migrate.js';
import { openClientState } from '../client-state.js';
import type { Cursor, Rev, UserId } from '../../protocol/index.js';
import { MIGRATIONS } from './index.js';

const tempDir = useTempDir('ferry-migration-007-');

describe('migration 007 (tree version)', () => {
  it('counts every write to each tree, a cascade from the item included, and nothing else', () => {
    const path = join(tempDir(), 'state.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    applyMigrations(db, MIGRATIONS.slice(0, 6));
    db.close();

    const state = openClientState(path);
    const { items } = state;
    const start = items.treeVersion();
    const moved = (before: number) => items.treeVersion() !== before;
    const id = items.create({ kind: 'file', createdMs: 1 });
    expect(items.treeVersion()).toBe(start);

    let before = items.treeVersion();
    const local = { itemId: id, kind: 'file' as const, path: '/a.txt', inode: '7', sizeBytes: 3 };
    items.local.put({ ...local, mtimeMs: 5, fingerprint: '00000000000000ff', scannedMs: 9 });
    expect(moved(before)).toBe(true);

    before = items.treeVersion();
    items.remote.put({
      itemId: id,
      kind: 'file',
      path: '/a.txt',
      rev: 'r1' as Rev,
      sizeBytes: 3,
      modifiedMs: 5,
    });
    expect(moved(before)).toBe(true);

    before = items.treeVersion();
    items.synced.put({
      itemId: id,
      kind: 'file',
      path: '/a.txt',
      rev: 'r1' as Rev,
      sizeBytes: 3,
      modifiedMs: 5,
      fingerprint: '00000000000000ff',
      syncedMs: 9,
    });
    expect(moved(before)).toBe(true);

    before = items.treeVersion();
    expect(items.local.movePath('/a.txt', '/b.txt')).toBe(1);
    expect(moved(before)).toBe(true);

    before = items.treeVersion();
    state.settings.set('unrelated', 1);
    state.cursors.set({ serverUrl: 'http://x', userId: 'u' as UserId }, 'c1' as Cursor, 1);
    expect(items.treeVersion()).toBe(before);

    before = items.treeVersion();
    expect(items.delete(id)).toBe(true);
    expect(items.treeVersion()).toBeGreaterThanOrEqual(before + 3);
    const after = items.treeVersion();
    state.close();

    const reopened = openClientState(path);
    expect(reopened.items.treeVersion()).toBe(after);
    reopened.close();
  });
});
