import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-local-deletes-');
let server: RemoteTestServer;
let a: SyncDevice;
let b: SyncDevice;
const FILES = 300;

beforeEach(async () => {
  server = await startRemoteTestServer();
  const ann = await server.createUser('ann', 'A');
  // A deletes nearly everything on purpose.
  a = await createSyncDevice(server, ann, tempDir(), 'A');
  a.sync.allowMassDelete = true;
  b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
  await mkdir(path.join(a.folder, 'keep'));
  for (let i = 0; i < FILES; i++) {
    await writeFile(path.join(a.folder, 'keep', `f${i}.txt`), `file ${i}`);
  }
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
});
afterEach(async () => {
  a.close();
  b.close();
  await server.close();
});

describe('files deleted on the server are deleted here in batches', () => {
  it('300 remote deletes: gone on disk and in the trees, in a few state transactions, and a file edited here stays', async () => {
    for (let i = 0; i < FILES; i++) {
      if (i !== 7) await rm(path.join(a.folder, 'keep', `f${i}.txt`));
    }
    expect((await a.syncOnce()).agreed).toBe(true);
    // B edits one of the files A deleted (same size, so only the stat tells): the edit wins.
    await writeFile(path.join(b.folder, 'keep', 'f3.txt'), 'edit 3');
    let transactions = 0;
    const transaction = b.state.transaction.bind(b.state);
    b.state.transaction = (work) => {
      transactions += 1;
      return transaction(work);
    };
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual({
      '/keep': '/',
      '/keep/f3.txt': 'edit 3',
      '/keep/f7.txt': 'file 7',
    });
    expect(
      b.state.items.local
        .list()
        .map((row) => row.path)
        .sort(),
    ).toEqual(['/keep', '/keep/f3.txt', '/keep/f7.txt']);
    // One per batch of deletes (a few), not one per file.
    expect(transactions).toBeLessThan(60);
    expect(b.synced.filter((line) => line.startsWith('delete_local ')).length).toBe(FILES - 2);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readTree(a.folder)).toEqual(await readTree(b.folder));
  });
});
