import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import {
  createSyncDevice,
  readTree,
  serverPaths,
  type SyncDevice,
} from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-excluded-folders-');
let server: RemoteTestServer;
let ann: TestDevice;
let a: SyncDevice;
let b: SyncDevice;

const START = {
  '/Docs': '/',
  '/Docs/plan.txt': 'plan',
  '/Photos': '/',
  '/Photos/2026': '/',
  '/Photos/2026/beach.jpg': 'beach',
  '/Photos/cat.jpg': 'cat',
};

beforeEach(async () => {
  server = await startRemoteTestServer();
  ann = await server.createUser('ann', 'A');
  a = await createSyncDevice(server, ann, tempDir(), 'A');
  b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
  await mkdir(path.join(a.folder, 'Docs'));
  await mkdir(path.join(a.folder, 'Photos', '2026'), { recursive: true });
  await writeFile(path.join(a.folder, 'Docs', 'plan.txt'), 'plan');
  await writeFile(path.join(a.folder, 'Photos', '2026', 'beach.jpg'), 'beach');
  await writeFile(path.join(a.folder, 'Photos', 'cat.jpg'), 'cat');
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
  expect(await readTree(b.folder)).toEqual(START);
});
afterEach(async () => {
  a.close();
  b.close();
  await server.close();
});

describe('selective sync: top-level folders left out on one device', () => {
  it('excluding a folder frees its space here and deletes nothing on the server or elsewhere', async () => {
    const before = await serverPaths(ann);
    b.sync.setExcludedFolders(['Photos']);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual({ '/Docs': '/', '/Docs/plan.txt': 'plan' });
    expect(await serverPaths(ann)).toEqual(before);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readTree(a.folder)).toEqual(START);
    // New files in the excluded folder are not downloaded; the rest still syncs.
    await writeFile(path.join(a.folder, 'Photos', 'dog.jpg'), 'dog');
    await writeFile(path.join(a.folder, 'Docs', 'more.txt'), 'more');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual({
      '/Docs': '/',
      '/Docs/more.txt': 'more',
      '/Docs/plan.txt': 'plan',
    });
  });

  it('including it again downloads it as the server has it now', async () => {
    b.sync.setExcludedFolders(['Photos']);
    expect((await b.syncOnce()).agreed).toBe(true);
    await writeFile(path.join(a.folder, 'Photos', 'cat.jpg'), 'cat, edited on A');
    expect((await a.syncOnce()).agreed).toBe(true);
    b.sync.setExcludedFolders([]);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual(await readTree(a.folder));
    expect(b.conflicts).toEqual([]);
    expect(b.synced.filter((line) => line.startsWith('delete_remote'))).toEqual([]);
  });

  it('a file not synced yet stays on disk while excluded, and goes up once included', async () => {
    await writeFile(path.join(b.folder, 'Photos', 'cat.jpg'), 'cat, edited on B');
    await writeFile(path.join(b.folder, 'Photos', 'new.jpg'), 'new on B');
    b.sync.setExcludedFolders(['Photos']);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual({
      '/Docs': '/',
      '/Docs/plan.txt': 'plan',
      '/Photos': '/',
      '/Photos/cat.jpg': 'cat, edited on B',
      '/Photos/new.jpg': 'new on B',
    });
    // Neither edit reached the server while the folder was excluded.
    expect(await serverPaths(ann)).not.toContain('/Photos/new.jpg');
    b.sync.setExcludedFolders([]);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    const onA = await readTree(a.folder);
    expect(onA['/Photos/cat.jpg']).toBe('cat, edited on B');
    expect(onA['/Photos/new.jpg']).toBe('new on B');
    expect(onA['/Photos/2026/beach.jpg']).toBe('beach');
    expect(await readTree(b.folder)).toEqual(onA);
  });

  it('a name with no folder behind it changes nothing', async () => {
    b.sync.setExcludedFolders(['Nowhere']);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual(START);
    expect(await readdir(b.folder)).toContain('Photos');
  });
});
