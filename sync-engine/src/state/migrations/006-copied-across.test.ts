import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../testkit/index.js';
import { applyMigrations } from '../migrate.js';
import { openClientState } from '../client-state.js';
import type { ItemId } from '../item-id.js';
import { MIGRATIONS } from './index.js';

const tempDir = useTempDir('ferry-migration-006-');

describe('migration 006 (copied across)', () => {
  it('keeps version-5 merge bases (not marked) and stores the mark of an old copy', () => {
    const path = join(tempDir(), 'state.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, MIGRATIONS.slice(0, 5));
    db.exec(`
      INSERT INTO item (id, kind, created_ms) VALUES ('old', 'file', 1);
      INSERT INTO synced_item VALUES ('old', 'file', '/old.txt', 'r1', 3, 5, '00000000000000ff', 7);
    `);
    db.close();

    const state = openClientState(path);
    expect(state.schemaVersion).toBeGreaterThanOrEqual(6);
    const old = state.items.synced.get('old' as ItemId)!;
    expect(old.copiedAcross).toBeUndefined();
    state.items.synced.put({ ...old, copiedAcross: true });
    expect(state.items.synced.get('old' as ItemId)?.copiedAcross).toBe(true);
    state.items.synced.put({ ...old, path: '/moved.txt', copiedAcross: false });
    expect(state.items.synced.get('old' as ItemId)).toEqual({ ...old, path: '/moved.txt' });
    state.close();
  });
});
