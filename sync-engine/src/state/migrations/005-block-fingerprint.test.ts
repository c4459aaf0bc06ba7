import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockId } from '../../protocol/index.js';
import { useTempDir } from '../../testkit/index.js';
import { applyMigrations } from '../migrate.js';
import { openClientState } from '../client-state.js';
import type { ItemId } from '../item-id.js';
import { MIGRATIONS } from './index.js';

const tempDir = useTempDir('ferry-migration-005-');
const ID = 'a'.repeat(64) as BlockId;

describe('migration 005 (block fingerprint)', () => {
  it('keeps version-4 block lists (without xxHash) and stores an xxHash per block', () => {
    const path = join(tempDir(), 'state.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, MIGRATIONS.slice(0, 4));
    db.exec(`
      INSERT INTO item (id, kind, created_ms) VALUES ('old', 'file', 1);
      INSERT INTO synced_item VALUES ('old', 'file', '/old.txt', 'r1', 3, 5, '00000000000000ff', 7);
      INSERT INTO item_block VALUES ('old', 'synced', 0, 0, 3, '${ID}');
    `);
    db.close();

    const state = openClientState(path);
    expect(state.schemaVersion).toBeGreaterThanOrEqual(5);
    const item = 'old' as ItemId;
    expect(state.blocks.get(item, 'synced')).toEqual([
      { offsetBytes: 0, sizeBytes: 3, blockId: ID },
    ]);
    state.blocks.set(item, 'synced', [
      { offsetBytes: 0, sizeBytes: 3, blockId: ID, xxhash: '0123456789abcdef' },
    ]);
    expect(state.blocks.get(item, 'synced')).toEqual([
      { offsetBytes: 0, sizeBytes: 3, blockId: ID, xxhash: '0123456789abcdef' },
    ]);
    expect(() =>
      state.blocks.set(item, 'synced', [
        { offsetBytes: 0, sizeBytes: 3, blockId: ID, xxhash: 'not hex at all!!' },
      ]),
    ).toThrow();
    state.close();
  });
});
