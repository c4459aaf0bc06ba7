import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, Rev } from '../protocol/index.js';
import { ClientStateError, type ClientStateErrorCode } from './client-state-error.js';
import { openClientState, type ClientState } from './client-state.js';
import type { ItemId, ItemKind } from './item-id.js';
import type { LocalItem } from './local-tree.js';
import { useTempDir } from '../testkit/index.js';

const FINGERPRINT = 'fedcba9876543210';
const BLOCK = 'cd'.repeat(32) as BlockId;

function errorCode(action: () => unknown): ClientStateErrorCode {
  try {
    action();
  } catch (error) {
    if (error instanceof ClientStateError) return error.code;
    throw error;
  }
  throw new Error('expected a ClientStateError');
}

describe('ItemTables', () => {
  const tempDir = useTempDir('items');
  let state: ClientState;
  beforeEach(() => {
    state = openClientState(join(tempDir(), 'state.sqlite'));
  });
  afterEach(() => state.close());

  function localRow(itemId: ItemId, path: string, kind: ItemKind = 'file'): LocalItem {
    return kind === 'file'
      ? {
          itemId,
          kind,
          path,
          inode: '18446744073709551615',
          sizeBytes: 3,
          mtimeMs: 1700000000123.456,
          fingerprint: FINGERPRINT,
          scannedMs: 9,
        }
      : { itemId, kind, path, inode: '7', sizeBytes: 0, mtimeMs: 1, scannedMs: 9 };
  }

  function addLocal(path: string, kind: ItemKind = 'file'): ItemId {
    const id = state.items.create({ kind, createdMs: 1 });
    state.items.local.put(localRow(id, path, kind));
    return id;
  }

  it('stores a local row exactly: 64-bit inode, fractional mtime, fingerprint', () => {
    const id = addLocal('/docs/a.txt');
    expect(state.items.get(id)).toEqual({ id, kind: 'file', createdMs: 1 });
    expect(state.items.local.get(id)).toEqual(localRow(id, '/docs/a.txt'));
    expect(state.items.local.getByPath('/docs/a.txt')?.itemId).toBe(id);
    expect(state.items.local.getByPath('/docs/b.txt')).toBeUndefined();
  });

  it('rejects a second item at a path taken in the same tree, not in another tree', () => {
    addLocal('/a.txt');
    const other = state.items.create({ kind: 'file', createdMs: 2 });
    expect(errorCode(() => state.items.local.put(localRow(other, '/a.txt')))).toBe(
      'state_path_taken',
    );
    state.items.remote.put({
      itemId: other,
      kind: 'file',
      path: '/a.txt',
      rev: 'r1' as Rev,
      sizeBytes: 3,
      modifiedMs: 4,
    });
    expect(state.items.remote.getByPath('/a.txt')?.itemId).toBe(other);
  });

  it('rejects rows for unknown items, a kind that differs from the item, and bad columns', () => {
    expect(errorCode(() => state.items.local.put(localRow('nobody' as ItemId, '/x')))).toBe(
      'state_unknown_item',
    );
    const folder = state.items.create({ kind: 'folder', createdMs: 1 });
    expect(errorCode(() => state.items.local.put(localRow(folder, '/x', 'file')))).toBe(
      'state_unknown_item',
    );
    const file = state.items.create({ kind: 'file', createdMs: 1 });
    const bad: LocalItem[] = [
      { ...localRow(file, '/x'), fingerprint: undefined },
      { ...localRow(file, '/x'), fingerprint: 'NOT-HEX-AT-ALL!!' },
      { ...localRow(file, 'relative/x') },
      { ...localRow(file, '/trailing/') },
      { ...localRow(file, '/x'), sizeBytes: -1 },
    ];
    for (const row of bad)
      expect(errorCode(() => state.items.local.put(row))).toBe('state_constraint_violated');
    // A file on the server always has a revision.
    expect(
      errorCode(() =>
        state.items.remote.put({
          itemId: file,
          kind: 'file',
          path: '/x',
          sizeBytes: 1,
          modifiedMs: 1,
        }),
      ),
    ).toBe('state_constraint_violated');
    expect(errorCode(() => state.items.create({ kind: 'file', createdMs: 1, id: file }))).toBe(
      'state_constraint_violated',
    );
  });

  it('moves a folder and everything below it in one step, keeping ids, not touching look-alikes', () => {
    const folder = addLocal('/a', 'folder');
    const child = addLocal('/a/b/c.txt');
    const sibling = addLocal('/a b.txt');
    const prefixTwin = addLocal('/ab');
    expect(state.items.local.listUnder('/a').map((row) => row.path)).toEqual(['/a/b/c.txt']);

    expect(state.items.local.movePath('/a', '/z')).toBe(2);
    expect(state.items.local.get(folder)?.path).toBe('/z');
    expect(state.items.local.get(child)?.path).toBe('/z/b/c.txt');
    expect(state.items.local.get(sibling)?.path).toBe('/a b.txt');
    expect(state.items.local.get(prefixTwin)?.path).toBe('/ab');
    expect(state.items.local.list().map((row) => row.path)).toEqual([
      '/a b.txt',
      '/ab',
      '/z',
      '/z/b/c.txt',
    ]);
  });

  it('refuses a move into itself or onto a taken path, moving nothing', () => {
    addLocal('/a', 'folder');
    addLocal('/a/one.txt');
    addLocal('/taken', 'folder');
    addLocal('/taken/one.txt');
    expect(errorCode(() => state.items.local.movePath('/a', '/a/inner'))).toBe(
      'state_constraint_violated',
    );
    expect(errorCode(() => state.items.local.movePath('/a', '/taken'))).toBe('state_path_taken');
    expect(state.items.local.list().map((row) => row.path)).toEqual([
      '/a',
      '/a/one.txt',
      '/taken',
      '/taken/one.txt',
    ]);
  });

  it('forgets an item everywhere at once, and only items placed in no tree', () => {
    const id = addLocal('/a.txt');
    state.items.synced.put({
      itemId: id,
      kind: 'file',
      path: '/a.txt',
      rev: 'r1' as Rev,
      sizeBytes: 3,
      modifiedMs: 1,
      fingerprint: FINGERPRINT,
      syncedMs: 2,
    });
    state.blocks.set(id, 'synced', [{ offsetBytes: 0, sizeBytes: 3, blockId: BLOCK }]);
    const unplaced = state.items.create({ kind: 'file', createdMs: 1 });

    expect(state.items.deleteUnplaced()).toBe(1);
    expect(state.items.get(unplaced)).toBeUndefined();
    expect(state.items.get(id)).toBeDefined();

    expect(state.items.delete(id)).toBe(true);
    expect(state.items.local.get(id)).toBeUndefined();
    expect(state.items.synced.get(id)).toBeUndefined();
    expect(state.blocks.get(id, 'synced')).toEqual([]);
    expect(state.items.delete(id)).toBe(false);
  });

  it('deletes a row from one tree only', () => {
    const id = addLocal('/a.txt');
    state.items.remote.put({
      itemId: id,
      kind: 'file',
      path: '/a.txt',
      rev: 'r1' as Rev,
      sizeBytes: 3,
      modifiedMs: 1,
    });
    expect(state.items.local.delete(id)).toBe(true);
    expect(state.items.local.delete(id)).toBe(false);
    expect(state.items.remote.get(id)?.rev).toBe('r1');
  });
});
