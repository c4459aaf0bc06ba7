import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, Rev } from '../protocol/index.js';
import type { BlockRef } from './block-lists.js';
import { ClientStateError } from './client-state-error.js';
import { openClientState, type ClientState } from './client-state.js';
import type { ItemId } from './item-id.js';
import { useTempDir } from '../testkit/index.js';

const blockId = (digit: string) => digit.repeat(64) as BlockId;
const MIB = 1024 * 1024;
/** Three blocks of a 9 MiB file, in file order. */
const LIST: BlockRef[] = [
  { offsetBytes: 0, sizeBytes: 4 * MIB, blockId: blockId('a') },
  { offsetBytes: 4 * MIB, sizeBytes: 3 * MIB, blockId: blockId('b') },
  { offsetBytes: 7 * MIB, sizeBytes: 2 * MIB, blockId: blockId('c') },
];

describe('BlockLists', () => {
  const tempDir = useTempDir('blocks');
  let state: ClientState;
  let fileId: ItemId;
  beforeEach(() => {
    state = openClientState(join(tempDir(), 'state.sqlite'));
    fileId = state.items.create({ kind: 'file', createdMs: 1 });
    putLocal(fileId, '/big.bin', '1111111111111111');
  });
  afterEach(() => state.close());

  function putLocal(itemId: ItemId, path: string, fingerprint: string, mtimeMs = 5): void {
    state.items.local.put({
      itemId,
      kind: 'file',
      path,
      inode: '1',
      sizeBytes: 9 * MIB,
      mtimeMs,
      fingerprint,
      scannedMs: 1,
    });
  }

  function invalidListError(action: () => void): string {
    try {
      action();
    } catch (error) {
      if (error instanceof ClientStateError && error.code === 'state_invalid_block_list')
        return error.message;
      throw error;
    }
    throw new Error('expected state_invalid_block_list');
  }

  it('keeps a block list in file order, per tree, and replaces it whole', () => {
    state.blocks.set(fileId, 'local', LIST);
    expect(state.blocks.get(fileId, 'local')).toEqual(LIST);
    expect(state.blocks.get(fileId, 'synced')).toEqual([]);

    const edited = [LIST[0]!, { offsetBytes: 4 * MIB, sizeBytes: 5 * MIB, blockId: blockId('d') }];
    state.blocks.set(fileId, 'local', edited);
    expect(state.blocks.get(fileId, 'local')).toEqual(edited);
    state.blocks.set(fileId, 'local', []);
    expect(state.blocks.get(fileId, 'local')).toEqual([]);
  });

  it('rejects lists with a gap, an overlap or an empty block, keeping the previous list', () => {
    state.blocks.set(fileId, 'local', LIST);
    const gap = [LIST[0]!, LIST[2]!];
    const overlap = [LIST[0]!, { ...LIST[1]!, offsetBytes: 1 }];
    const empty = [{ ...LIST[0]!, sizeBytes: 0 }];
    for (const bad of [gap, overlap, empty]) {
      expect(invalidListError(() => state.blocks.set(fileId, 'local', bad))).toMatch(
        /expected offset/,
      );
    }
    expect(state.blocks.get(fileId, 'local')).toEqual(LIST);
  });

  it('rejects a list for an item with no file row in that tree', () => {
    expect(invalidListError(() => state.blocks.set(fileId, 'remote', LIST))).toMatch(
      /needs a file row/,
    );
    const folderId = state.items.create({ kind: 'folder', createdMs: 1 });
    state.items.local.put({
      itemId: folderId,
      kind: 'folder',
      path: '/d',
      inode: '2',
      sizeBytes: 0,
      mtimeMs: 1,
      scannedMs: 1,
    });
    expect(invalidListError(() => state.blocks.set(folderId, 'local', LIST))).toMatch(
      /needs a file row/,
    );
  });

  it('drops a list when its content changes or its row goes, never otherwise', () => {
    state.blocks.set(fileId, 'local', LIST);
    putLocal(fileId, '/renamed.bin', '1111111111111111', 99);
    expect(state.blocks.get(fileId, 'local')).toEqual(LIST);
    putLocal(fileId, '/renamed.bin', '2222222222222222', 99);
    expect(state.blocks.get(fileId, 'local')).toEqual([]);

    state.items.remote.put({
      itemId: fileId,
      kind: 'file',
      path: '/big.bin',
      rev: 'r1' as Rev,
      sizeBytes: 9 * MIB,
      modifiedMs: 1,
    });
    state.blocks.set(fileId, 'remote', LIST);
    state.items.remote.put({
      itemId: fileId,
      kind: 'file',
      path: '/big.bin',
      rev: 'r2' as Rev,
      sizeBytes: 9 * MIB,
      modifiedMs: 2,
    });
    expect(state.blocks.get(fileId, 'remote')).toEqual([]);

    state.items.synced.put({
      itemId: fileId,
      kind: 'file',
      path: '/big.bin',
      rev: 'r1' as Rev,
      sizeBytes: 9 * MIB,
      modifiedMs: 1,
      fingerprint: '1111111111111111',
      syncedMs: 3,
    });
    state.blocks.set(fileId, 'synced', LIST);
    state.items.synced.delete(fileId);
    expect(state.blocks.get(fileId, 'synced')).toEqual([]);
  });

  it('finds a block inside a local file, for delta sync', () => {
    state.blocks.set(fileId, 'local', LIST);
    expect(state.blocks.findLocalSource(blockId('b'))).toEqual({
      itemId: fileId,
      path: '/big.bin',
      offsetBytes: 4 * MIB,
      sizeBytes: 3 * MIB,
    });
    expect(state.blocks.findLocalSource(blockId('e'))).toBeUndefined();
  });
});
