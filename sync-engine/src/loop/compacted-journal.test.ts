/**
 * The journal keeps a path's newest entry only (docs/protocol.md "Journal"): a device that was
 * away sees none of the entries another path's reuse compacted away, and must still end up with
 * the server's tree.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-compacted-journal-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server.close();
});

describe('a journal compacted while a device was away', () => {
  it('a file deleted, then its folder moved and another file moved to its old path: it stays deleted', async () => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    const a = await createSyncDevice(server, ann, tempDir(), 'A');
    const c = await createSyncDevice(server, await server.addDevice(ann, 'C'), tempDir(), 'C');
    devices.push(a, c);
    await mkdir(path.join(a.folder, 'x'));
    await writeFile(path.join(a.folder, 'x', 'data.bin'), 'the old file');
    await writeFile(path.join(a.folder, 'x', 'keep.txt'), 'kept');
    await mkdir(path.join(a.folder, 'sub'));
    await writeFile(path.join(a.folder, 'sub', 'data.bin'), 'another file');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await c.syncOnce()).agreed).toBe(true);
    // While C is away: the file goes, then its folder moves, then another folder's file takes
    // the old path (its entry compacts the old file's tombstone away).
    await rm(path.join(a.folder, 'x', 'data.bin'));
    expect((await a.syncOnce()).agreed).toBe(true);
    await rename(path.join(a.folder, 'x'), path.join(a.folder, 'y'));
    expect((await a.syncOnce()).agreed).toBe(true);
    await rename(path.join(a.folder, 'sub'), path.join(a.folder, 'x'));
    expect((await a.syncOnce()).agreed).toBe(true);

    expect((await c.syncOnce()).agreed).toBe(true);
    const expected = {
      '/x': '/',
      '/x/data.bin': 'another file',
      '/y': '/',
      '/y/keep.txt': 'kept',
    };
    expect(await readTree(c.folder)).toEqual(expected);
    // C's remote tree is the server's, file ids included (no row of the deleted file).
    const listing = await ann.client.listFolder(
      { path: '/', recursive: true },
      AbortSignal.timeout(10_000),
    );
    const byPath = (rows: readonly { path: string; fileId?: string }[]) =>
      rows.map((row) => `${row.path} ${row.fileId}`).sort();
    expect(byPath(c.state.items.remote.list())).toEqual(byPath(listing));
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readTree(a.folder)).toEqual(expected);
  });
});
