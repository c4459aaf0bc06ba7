import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { useTempDir } from '../testkit/index.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-folder-sync-');
let server: RemoteTestServer;
let a: SyncDevice;
let b: SyncDevice;

beforeEach(async () => {
  server = await startRemoteTestServer();
  const ann = await server.createUser('ann', 'A');
  a = await createSyncDevice(server, ann, tempDir(), 'A');
  b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
});
afterEach(async () => {
  a.close();
  b.close();
  await server.close();
});

async function converge(): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
  }
  expect(await readTree(b.folder)).toEqual(await readTree(a.folder));
}

describe('FolderSync between two devices of one user', () => {
  it('adds, edits, renames, moves and deletes files and folders', async () => {
    await mkdir(path.join(a.folder, 'docs/deep'), { recursive: true });
    await mkdir(path.join(a.folder, 'empty'));
    await writeFile(path.join(a.folder, 'docs/a.txt'), 'alpha');
    await writeFile(path.join(a.folder, 'docs/deep/b.txt'), 'beta');
    await writeFile(path.join(a.folder, 'top.txt'), 'top');
    await converge();
    expect(await readTree(b.folder)).toEqual({
      '/docs': '/',
      '/docs/a.txt': 'alpha',
      '/docs/deep': '/',
      '/docs/deep/b.txt': 'beta',
      '/empty': '/',
      '/top.txt': 'top',
    });

    await writeFile(path.join(b.folder, 'docs/a.txt'), 'alpha 2');
    await rename(path.join(b.folder, 'docs'), path.join(b.folder, 'papers'));
    await rm(path.join(b.folder, 'top.txt'));
    const moves = b.synced.length;
    await converge();
    expect(b.synced.slice(moves)).toContain('move_remote /papers');
    expect(b.synced.slice(moves).filter((line) => line.startsWith('upload'))).toEqual([
      'upload /papers/a.txt',
    ]);
    expect(await readTree(a.folder)).toEqual({
      '/empty': '/',
      '/papers': '/',
      '/papers/a.txt': 'alpha 2',
      '/papers/deep': '/',
      '/papers/deep/b.txt': 'beta',
    });

    await rm(path.join(a.folder, 'papers'), { recursive: true });
    await converge();
    expect(await readTree(b.folder)).toEqual({ '/empty': '/' });
  });

  it('keeps both edits of one file: the server version at the path, ours as a conflicted copy', async () => {
    await writeFile(path.join(a.folder, 'notes.md'), 'v1');
    await converge();
    await writeFile(path.join(a.folder, 'notes.md'), 'from A');
    await writeFile(path.join(b.folder, 'notes.md'), 'from B!');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    await converge();
    const tree = await readTree(a.folder);
    expect(tree['/notes.md']).toBe('from A');
    const copies = Object.entries(tree).filter(([p]) => p.includes('conflicted copy from B'));
    expect(copies.map(([, content]) => content)).toEqual(['from B!']);
    expect(b.conflicts.map((c) => [c.reason, c.path])).toEqual([['edit_edit', '/notes.md']]);
  });

  it('an edit beats a concurrent delete', async () => {
    await writeFile(path.join(a.folder, 'keep.txt'), 'v1');
    await converge();
    await rm(path.join(a.folder, 'keep.txt'));
    await writeFile(path.join(b.folder, 'keep.txt'), 'edited on B');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    await converge();
    expect(await readTree(a.folder)).toEqual({ '/keep.txt': 'edited on B' });
  });
});
