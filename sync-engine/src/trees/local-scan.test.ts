import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScannedEntry } from '../scan/scan-folder.js';
import { openClientState, type ClientState, type ItemId } from '../state/index.js';
import { useTempDir } from '../testkit/index.js';
import { applyLocalScan } from './local-scan.js';

const scanned = (path: string, inode: string, fingerprint: string): ScannedEntry => ({
  path,
  kind: 'file',
  inode,
  sizeBytes: 5,
  mtimeMs: 1_700_000_000_000,
  fingerprint,
  wasRead: true,
});

describe('applyLocalScan', () => {
  const tempDir = useTempDir('local-scan');
  let state: ClientState;
  beforeEach(() => {
    state = openClientState(join(tempDir(), 'state.sqlite'));
  });
  afterEach(() => state.close());

  const scan = (entries: ScannedEntry[]) =>
    state.transaction(() => applyLocalScan(state, entries, 1_700_000_000_000));
  const itemAt = (path: string): ItemId | undefined => state.items.local.getByPath(path)?.itemId;

  it('a file moved away and a new file at its old path: a move and an add, whatever the path order', () => {
    scan([scanned('/notes.md', '11', 'aaaaaaaaaaaaaaaa')]);
    const notes = itemAt('/notes.md')!;
    // `/notes.md` sorts before `/report.doc`: the path match must not take the moved item.
    scan([
      scanned('/notes.md', '12', 'bbbbbbbbbbbbbbbb'),
      scanned('/report.doc', '11', 'aaaaaaaaaaaaaaaa'),
    ]);
    expect(itemAt('/report.doc')).toBe(notes);
    expect(itemAt('/notes.md')).not.toBe(notes);
    expect(state.items.local.get(notes)?.fingerprint).toBe('aaaaaaaaaaaaaaaa');
  });

  it('an editor that saves to a new inode at the same path keeps the item', () => {
    scan([scanned('/a.txt', '21', 'aaaaaaaaaaaaaaaa')]);
    const a = itemAt('/a.txt')!;
    scan([scanned('/a.txt', '22', 'bbbbbbbbbbbbbbbb')]);
    expect(itemAt('/a.txt')).toBe(a);
  });

  it('a new file given the inode of a file deleted since the last scan is not that file moved', () => {
    scan([scanned('/c', '41', 'aaaaaaaaaaaaaaaa')]);
    const c = itemAt('/c')!;
    // /c is deleted; a download writes /notes.md, whose new inode is the one /c had, and
    // records it before the next scan.
    state.items.local.put({
      itemId: state.items.create({ kind: 'file', createdMs: 1 }),
      kind: 'file',
      path: '/notes.md',
      inode: '41',
      sizeBytes: 5,
      mtimeMs: 1_700_000_000_000,
      fingerprint: 'bbbbbbbbbbbbbbbb',
      scannedMs: 1,
    });
    const notes = itemAt('/notes.md')!;
    scan([scanned('/notes.md', '41', 'bbbbbbbbbbbbbbbb')]);
    expect(itemAt('/notes.md')).toBe(notes);
    expect(state.items.local.get(c)).toBeUndefined();
  });

  it('rows under a path the scan could not read stay as they were', () => {
    scan([
      scanned('/docs/a.txt', '51', 'aaaaaaaaaaaaaaaa'),
      scanned('/b.txt', '52', 'bbbbbbbbbbbbbbbb'),
    ]);
    const a = itemAt('/docs/a.txt')!;
    state.transaction(() => applyLocalScan(state, [], 2, ['/docs', '/b.txt']));
    expect(itemAt('/docs/a.txt')).toBe(a);
    expect(itemAt('/b.txt')).toBeDefined();
    state.transaction(() => applyLocalScan(state, [], 3));
    expect(state.items.local.list()).toEqual([]);
  });

  it('two names swapped keep their items', () => {
    scan([scanned('/a', '31', 'aaaaaaaaaaaaaaaa'), scanned('/b', '32', 'bbbbbbbbbbbbbbbb')]);
    const [a, b] = [itemAt('/a')!, itemAt('/b')!];
    scan([scanned('/a', '32', 'bbbbbbbbbbbbbbbb'), scanned('/b', '31', 'aaaaaaaaaaaaaaaa')]);
    expect([itemAt('/a'), itemAt('/b')]).toEqual([b, a]);
  });
});
