import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededBytes, useTempDir, waitUntil } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-announce-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server.close();
});

describe('a large upload', () => {
  it('is announced first (pending on the server), and the other device places it only at its commit', async () => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    // Slowed down, so the pending file can be seen on the server while its blocks go.
    const a = await createSyncDevice(server, ann, tempDir(), 'A', {
      limitUpBytesPerSecond: 5_000_000,
    });
    const b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
    devices.push(a, b);
    const client = server.client({ token: ann.login.token });
    const status = async () => {
      const entries = await client.listFolder({ path: '/' }, AbortSignal.timeout(5000));
      const entry = entries.find((candidate) => candidate.path === '/video.mp4');
      return entry?.type === 'file' ? entry.status : undefined;
    };
    const bytes = seededBytes('random', 9, 20 * 1024 * 1024);
    await writeFile(path.join(a.folder, 'video.mp4'), bytes);
    const uploading = a.syncOnce();
    await waitUntil(async () => (await status()) === 'pending', {
      timeoutMs: 20_000,
      what: 'the announce',
    });
    // Meanwhile the other device syncs: a pending file has no version yet, so nothing is placed
    // at its path (its blocks stream into .ferry/tmp: streaming-sync.test.ts).
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(b.synced).toEqual([]);
    expect((await uploading).agreed).toBe(true);
    expect(await status()).toBe('uploaded');
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(bytes)).toBe(true);
  });
});
