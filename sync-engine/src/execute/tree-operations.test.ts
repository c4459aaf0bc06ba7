import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSyncDevice, type SyncDevice } from '../loop/sync-devices.test-kit.js';
import { useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';

/** Every file and folder under `root` but `.ferry`: path → content ('/' for folders). */
async function readTree(root: string, prefix = ''): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const relative = `${prefix}/${entry.name}`;
    if (relative === '/.ferry') continue;
    if (entry.isDirectory()) {
      tree[relative] = '/';
      Object.assign(tree, await readTree(root, relative));
    } else {
      tree[relative] = await readFile(path.join(root, relative), 'utf8');
    }
  }
  return tree;
}

const tempDir = useTempDir('ferry-tree-operations-');
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

describe('move_remote onto a name the server gave another item meanwhile', () => {
  it('moves our item to a conflicted copy of the name instead of failing forever', async () => {
    await writeFile(path.join(a.folder, 'draft.txt'), 'draft');
    await converge();
    await rename(path.join(a.folder, 'draft.txt'), path.join(a.folder, 'final.txt'));
    await writeFile(path.join(b.folder, 'final.txt'), 'made on B');
    expect((await b.syncOnce()).agreed).toBe(true);

    expect((await a.syncOnce()).agreed).toBe(true);
    await converge();
    const tree = await readTree(a.folder);
    expect(tree['/final.txt']).toBe('made on B');
    const copies = Object.keys(tree).filter((p) => p.startsWith('/final (conflicted copy from A '));
    expect(copies.map((p) => tree[p])).toEqual(['draft']);
    expect(Object.keys(tree)).toHaveLength(2);
    expect(a.conflicts.map((c) => [c.reason, c.path, c.conflictedCopyPath])).toEqual([
      ['rename_rename', '/final.txt', copies[0]],
    ]);
  });

  it('waits for a name our own delete frees: a file moved over another stays a plain move', async () => {
    await writeFile(path.join(a.folder, 'old.txt'), 'old');
    await writeFile(path.join(a.folder, 'new.txt'), 'new');
    await converge();
    await rename(path.join(a.folder, 'new.txt'), path.join(a.folder, 'old.txt'));
    await converge();
    expect(await readTree(b.folder)).toEqual({ '/old.txt': 'new' });
    expect(a.conflicts).toEqual([]);
  });
});

describe('mkdir_remote where the server still has a folder both sides know', () => {
  it('waits for that folder to move away instead of taking it over', async () => {
    await mkdir(path.join(a.folder, 'y'));
    await writeFile(path.join(a.folder, 'y/in.txt'), 'in');
    await converge();
    await rename(path.join(a.folder, 'y'), path.join(a.folder, 'z'));
    await mkdir(path.join(a.folder, 'y'));
    const outcome = await a.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    await converge();
    expect(await readTree(b.folder)).toEqual({ '/y': '/', '/z': '/', '/z/in.txt': 'in' });
  });
});
