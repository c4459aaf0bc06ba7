import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { conflictedCopyPath } from '../conflicts/conflicted-copy-name.js';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import type { FileSystem } from '../ports.js';
import { openClientState, type ClientState, type ItemId } from '../state/index.js';
import { useTempDir } from '../testkit/index.js';
import { TEMP_FOLDER } from './execute-context.js';
import { recoverMovedAside } from './moved-aside.js';

const tempDir = useTempDir('ferry-moved-aside-');
let folder: string;
let fs: FileSystem;
let state: ClientState;
const clock = { nowMs: () => Date.UTC(2026, 11, 3, 10, 20, 30), sleep: async () => {} };
const recover = () =>
  recoverMovedAside(fs, state, {
    clock,
    deviceName: 'Laptop',
    signal: new AbortController().signal,
  });

beforeEach(async () => {
  folder = path.join(tempDir(), 'folder');
  await mkdir(path.join(folder, TEMP_FOLDER), { recursive: true });
  fs = createNodeFileSystem(folder);
  state = openClientState(path.join(tempDir(), 'state.sqlite'));
  return () => state.close();
});

/** `/docs/notes.md` known to the local tree, then set aside as a crash would leave it. */
async function knownFileSetAside(content: string): Promise<{ itemId: ItemId; inode: string }> {
  await mkdir(path.join(folder, 'docs'));
  await writeFile(path.join(folder, 'docs/notes.md'), content);
  const seen = (await fs.stat('/docs/notes.md'))!;
  const itemId = state.items.create({ kind: 'file', createdMs: 1 });
  state.items.local.put({
    itemId,
    kind: 'file',
    path: '/docs/notes.md',
    inode: seen.inode,
    sizeBytes: seen.sizeBytes,
    mtimeMs: seen.mtimeMs,
    fingerprint: '0123456789abcdef',
    scannedMs: 1,
  });
  await fs.rename('/docs/notes.md', `${TEMP_FOLDER}/aside-${itemId}`);
  return { itemId, inode: seen.inode };
}

const onDisk = (relative: string) => readFile(path.join(folder, relative), 'utf8');
const tempNames = () => readdir(path.join(folder, TEMP_FOLDER));

describe('recoverMovedAside', () => {
  it('puts a file back at its path when nothing took its place', async () => {
    const { inode } = await knownFileSetAside('the only copy');
    await recover();
    expect(await onDisk('docs/notes.md')).toBe('the only copy');
    expect(String((await stat(path.join(folder, 'docs/notes.md'))).ino)).toBe(inode);
    expect(await tempNames()).toEqual([]);
  });

  it('drops an unchanged file whose new version is already in place', async () => {
    await knownFileSetAside('old version');
    await writeFile(path.join(folder, 'docs/notes.md'), 'new version');
    await recover();
    expect(await readdir(path.join(folder, 'docs'))).toEqual(['notes.md']);
    expect(await onDisk('docs/notes.md')).toBe('new version');
    expect(await tempNames()).toEqual([]);
  });

  it('keeps a file changed while aside beside the new version, as a conflicted copy', async () => {
    const { itemId } = await knownFileSetAside('old version');
    await writeFile(path.join(folder, TEMP_FOLDER, `aside-${itemId}`), 'written through a handle');
    await writeFile(path.join(folder, 'docs/notes.md'), 'new version');
    await recover();
    const copy = conflictedCopyPath('/docs/notes.md', 'Laptop', clock.nowMs(), 1);
    expect(copy).toMatch(/^\/docs\/notes \(conflicted copy from Laptop 2026-12-0[23] \d{6}\)\.md$/);
    expect((await readdir(path.join(folder, 'docs'))).sort()).toEqual(
      [path.basename(copy), 'notes.md'].sort(),
    );
    expect(await onDisk(copy)).toBe('written through a handle');
    expect(await onDisk('docs/notes.md')).toBe('new version');
  });

  it('makes the folder again when the user removed it meanwhile', async () => {
    await knownFileSetAside('kept');
    await fs.removeFolder('/docs');
    await recover();
    expect(await onDisk('docs/notes.md')).toBe('kept');
  });

  it('keeps the file at the top as a conflicted copy when its folder became a file', async () => {
    await knownFileSetAside('kept anyway');
    await fs.removeFolder('/docs');
    await writeFile(path.join(folder, 'docs'), 'a file now');
    await recover();
    const copy = conflictedCopyPath('/notes.md', 'Laptop', clock.nowMs(), 1);
    expect(await onDisk(copy)).toBe('kept anyway');
    expect(await onDisk('docs')).toBe('a file now');
    expect(await tempNames()).toEqual([]);
  });

  it('leaves alone what is no file it knows, and a missing temporary folder', async () => {
    await writeFile(path.join(folder, TEMP_FOLDER, 'aside-999'), 'no row');
    await writeFile(path.join(folder, TEMP_FOLDER, '12-1700000000000'), 'a partial download');
    await recover();
    expect((await tempNames()).sort()).toEqual(['12-1700000000000', 'aside-999']);
    await fs.removeTree(TEMP_FOLDER);
    await expect(recover()).resolves.toBeUndefined();
  });
});
