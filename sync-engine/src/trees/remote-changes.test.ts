import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEntry, FileId, NamespaceId, Rev } from '../protocol/index.js';
import { openClientState, type ClientState, type ItemId } from '../state/index.js';
import { useTempDir } from '../testkit/index.js';
import { applyRemoteChanges } from './remote-changes.js';

const NS = 'ns_root' as NamespaceId;
const file = (path: string, fileId: string, rev = 'r_1'): ChangeEntry => ({
  tag: 'file',
  path,
  fileId: fileId as FileId,
  namespace: NS,
  rev: rev as Rev,
  size: 3,
  modified: 1_700_000_000_000,
  contentHash: 'ab'.repeat(32),
  status: 'uploaded',
});
const folder = (path: string, fileId: string): ChangeEntry => ({
  tag: 'folder',
  path,
  fileId: fileId as FileId,
  namespace: NS,
});
const deleted = (path: string, fileId: string): ChangeEntry => ({
  tag: 'deleted',
  path,
  fileId: fileId as FileId,
  namespace: NS,
});

describe('applyRemoteChanges on a journal compacted by path', () => {
  const tempDir = useTempDir('remote-changes');
  let state: ClientState;
  beforeEach(() => {
    state = openClientState(join(tempDir(), 'state.sqlite'));
  });
  afterEach(() => state.close());

  const apply = (entries: ChangeEntry[]) =>
    state.transaction(() => applyRemoteChanges(state, entries, 1_700_000_000_000));
  const paths = () => state.items.remote.list().map((row) => [row.path, row.fileId]);

  function known(path: string, fileId: string): ItemId {
    apply([file(path, fileId)]);
    return state.items.remoteByFileId(fileId as FileId)!.itemId;
  }

  it('a file moved twice: the old tombstone comes first, the item is kept', () => {
    const item = known('/a.txt', 'f_1');
    // Moved /a.txt → /b.txt → /c.txt: the /b.txt entries were compacted away, and /c.txt
    // (written last) comes after the tombstone of /a.txt.
    apply([deleted('/a.txt', 'f_1'), file('/c.txt', 'f_1')]);
    expect(state.items.remote.get(item)?.path).toBe('/c.txt');
    expect(paths()).toEqual([['/c.txt', 'f_1']]);
  });

  it('a file moved away whose old path a new file took: the item is kept', () => {
    const item = known('/a.txt', 'f_1');
    apply([file('/a.txt', 'f_2'), file('/b.txt', 'f_1', 'r_2')]);
    expect(state.items.remote.get(item)?.path).toBe('/b.txt');
    expect(state.items.remote.get(item)?.rev).toBe('r_2');
    expect(state.items.remoteByFileId('f_2' as FileId)?.itemId).not.toBe(item);
  });

  it('a folder moved: what it held that no later entry mentions was deleted before, and goes', () => {
    apply([folder('/x', 'd_1'), file('/x/gone', 'f_1'), file('/x/kept', 'f_2')]);
    // /x/gone was deleted, then /x moved to /y (journaling what it held: /y/kept), then another
    // file moved to /x/gone: its entry compacted the tombstone of f_1 away.
    apply([
      folder('/y', 'd_1'),
      file('/y/kept', 'f_2'),
      deleted('/x/kept', 'f_2'),
      deleted('/x', 'd_1'),
      folder('/x', 'd_2'),
      file('/x/gone', 'f_3'),
    ]);
    expect(paths()).toEqual([
      ['/x', 'd_2'],
      ['/x/gone', 'f_3'],
      ['/y', 'd_1'],
      ['/y/kept', 'f_2'],
    ]);
  });

  it('a folder moved twice keeps its items and its children', () => {
    apply([folder('/d', 'd_1'), file('/d/x', 'f_1')]);
    const folderItem = state.items.remoteByFileId('d_1' as FileId)!.itemId;
    const fileItem = state.items.remoteByFileId('f_1' as FileId)!.itemId;
    apply([deleted('/d/x', 'f_1'), deleted('/d', 'd_1'), folder('/e', 'd_1'), file('/e/x', 'f_1')]);
    expect(state.items.remote.get(folderItem)?.path).toBe('/e');
    expect(state.items.remote.get(fileItem)?.path).toBe('/e/x');
    expect(paths()).toEqual([
      ['/e', 'd_1'],
      ['/e/x', 'f_1'],
    ]);
  });

  it('a new file at the old path of a file moved later never takes the moved item', () => {
    const item = known('/a.txt', 'f_1');
    const now = 1_700_000_000_000;
    state.items.local.put({
      itemId: item,
      kind: 'file',
      path: '/a.txt',
      inode: '7',
      sizeBytes: 3,
      mtimeMs: now,
      fingerprint: '0123456789abcdef',
      scannedMs: now,
    });
    apply([file('/a.txt', 'f_2'), file('/b.txt', 'f_1')]);
    expect(state.items.remote.get(item)?.path).toBe('/b.txt');
    const newcomer = state.items.remoteByFileId('f_2' as FileId);
    expect(newcomer?.path).toBe('/a.txt');
    expect(newcomer?.itemId).not.toBe(item);
  });

  it("a tombstone drops the row at its path, also when another file's tombstone compacted it", () => {
    // f_1 was deleted at /r and f_2 moved onto /r and was deleted there: only f_2's tombstone
    // is left in the journal for /r.
    known('/r', 'f_1');
    apply([deleted('/r', 'f_2')]);
    expect(paths()).toEqual([]);
  });

  it('a tombstone with no later entry of its file is a delete', () => {
    known('/a.txt', 'f_1');
    apply([deleted('/a.txt', 'f_1'), file('/b.txt', 'f_2')]);
    expect(paths()).toEqual([['/b.txt', 'f_2']]);
  });
});
