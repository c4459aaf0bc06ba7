import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededBytes, useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-bandwidth-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server.close();
});

describe('bandwidth limits', () => {
  // A lower bound only: a slow machine makes it longer, never shorter.
  it('12 MB of incompressible blocks at --limit-up 4MB/s and --limit-down 4MB/s take at least 2 s each way', async () => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    const limits = { limitUpBytesPerSecond: 4_000_000, limitDownBytesPerSecond: 4_000_000 };
    const a = await createSyncDevice(server, ann, tempDir(), 'A', limits);
    const b = await createSyncDevice(
      server,
      await server.addDevice(ann, 'B'),
      tempDir(),
      'B',
      limits,
    );
    devices.push(a, b);
    await writeFile(path.join(a.folder, 'big.bin'), seededBytes('random', 3, 12_000_000));
    let started = Date.now();
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    started = Date.now();
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(b.transferred.down).toBeGreaterThanOrEqual(12_000_000);
  });
});
