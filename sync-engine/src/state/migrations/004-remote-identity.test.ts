import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileId, NamespaceId } from '../../protocol/index.js';
import { useTempDir } from '../../testkit/index.js';
import { openClientState } from '../client-state.js';
import type { ItemId } from '../item-id.js';
import { applyMigrations, readSchemaVersion } from '../migrate.js';
import { migration001Initial } from './001-initial.js';
import { migration002OutboxRetry } from './002-outbox-retry.js';
import { migration003FolderKind } from './003-folder-kind.js';

const tempDir = useTempDir('ferry-migration-004-');

describe('migration 004 (remote identity)', () => {
  it('keeps version-3 remote rows (without identity) and stores file id, namespace and mount', () => {
    const path = join(tempDir(), 'state.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, [migration001Initial, migration002OutboxRetry, migration003FolderKind]);
    db.exec(`
      INSERT INTO item (id, kind, created_ms) VALUES ('old', 'file', 1);
      INSERT INTO remote_item VALUES ('old', 'file', '/old.txt', 'r1', 3, 5, 'h');
    `);
    db.close();

    const state = openClientState(path);
    expect(state.schemaVersion).toBeGreaterThanOrEqual(4);
    expect(state.items.remote.get('old' as ItemId)).toMatchObject({
      path: '/old.txt',
      rev: 'r1',
      fileId: undefined,
      namespace: undefined,
      mount: undefined,
    });
    const folder = state.items.create({ kind: 'folder', createdMs: 2, id: 'shared' as ItemId });
    const row = {
      itemId: folder,
      kind: 'folder' as const,
      path: '/Shared',
      sizeBytes: 0,
      modifiedMs: 0,
      fileId: 'f-1' as FileId,
      namespace: 'ns-root' as NamespaceId,
      mount: { namespace: 'ns-shared' as NamespaceId, role: 'viewer' as const },
    };
    state.items.remote.put(row);
    expect(state.items.remote.get(folder)).toEqual({
      ...row,
      rev: undefined,
      contentHash: undefined,
    });
    expect(state.items.remoteByFileId('f-1' as FileId)?.itemId).toBe(folder);
    // A file id names one remote row.
    const other = state.items.create({ kind: 'folder', createdMs: 3 });
    expect(() => state.items.remote.put({ ...row, itemId: other, path: '/Other' })).toThrow(
      /UNIQUE|constraint/i,
    );
    state.close();

    const raw = new Database(path, { readonly: true });
    expect(readSchemaVersion(raw)).toBeGreaterThanOrEqual(4);
    expect(() => raw.prepare("UPDATE remote_item SET mount_role = 'owner'").run()).toThrow();
    raw.close();
  });
});
