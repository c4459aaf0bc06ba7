import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-expired-cursor-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server.close();
});

describe('a cursor older than the journal (410)', () => {
  it('leads to a full listing that applies the server changes and loses no local edit', async () => {
    let nowMs = Date.now();
    server = await startRemoteTestServer({
      now: () => nowMs,
      journalRetentionMs: 60_000,
      deviceIdleExpiryMs: 0,
    });
    const ann = await server.createUser('ann', 'A');
    const a = await createSyncDevice(server, ann, tempDir(), 'A');
    const deviceB = await server.addDevice(ann, 'B');
    const b = await createSyncDevice(server, deviceB, tempDir(), 'B');
    devices.push(a, b);
    for (const name of ['gone.txt', 'edited.txt', 'mine.txt']) {
      await writeFile(path.join(a.folder, name), `v1 of ${name}`);
    }
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);

    // B is away: A deletes one file and edits another; B edits a third offline.
    await rm(path.join(a.folder, 'gone.txt'));
    await writeFile(path.join(a.folder, 'edited.txt'), 'v2 from A');
    expect((await a.syncOnce()).agreed).toBe(true);
    await writeFile(path.join(b.folder, 'mine.txt'), 'v2 from B, offline');
    // Long enough for the journal to forget the delete: B's cursor now gets 410.
    nowMs += 3_600_000;
    await server.server.runPolicy();
    const cursor = b.state.cursors.get({ serverUrl: server.url, userId: ann.login.userId })!;
    expect((await deviceB.client.listChanges({ cursor }, AbortSignal.timeout(5000))).kind).toBe(
      'cursor_expired',
    );

    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    const expected = { '/edited.txt': 'v2 from A', '/mine.txt': 'v2 from B, offline' };
    expect(await readTree(b.folder)).toEqual(expected);
    expect(await readTree(a.folder)).toEqual(expected);
    expect(await readFile(path.join(a.folder, 'mine.txt'), 'utf8')).toBe('v2 from B, offline');
  });
});
