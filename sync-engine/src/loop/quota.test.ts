import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededBytes, useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-quota-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server.close();
});

describe('over quota (507)', () => {
  it('pauses uploads with a clear reason, loses nothing, and still downloads', async () => {
    server = await startRemoteTestServer({ defaultQuotaBytes: 3 * 1024 * 1024 });
    const ann = await server.createUser('ann', 'A');
    const a = await createSyncDevice(server, ann, tempDir(), 'A');
    const b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
    devices.push(a, b);
    await writeFile(path.join(b.folder, 'small.txt'), 'fits');
    expect((await b.syncOnce()).agreed).toBe(true);

    const big = seededBytes('random', 5, 5 * 1024 * 1024);
    await writeFile(path.join(a.folder, 'big.bin'), big);
    const outcome = await a.syncOnce();
    expect(outcome.agreed).toBe(false);
    expect(outcome.quotaExceeded).toBe(true);
    expect(outcome.failures).toContainEqual(
      expect.objectContaining({ path: '/big.bin', code: 'quota_exceeded' }),
    );
    // The download still happened, the local file is intact, and nothing partial is on the server.
    expect(await readFile(path.join(a.folder, 'small.txt'), 'utf8')).toBe('fits');
    expect((await readFile(path.join(a.folder, 'big.bin'))).equals(big)).toBe(true);
    const listing = await server
      .client({ token: ann.login.token })
      .listFolder({ path: '/' }, AbortSignal.timeout(5000));
    expect(listing.map((entry) => entry.path)).toEqual(['/small.txt']);
    // No retry loop: a second pass does not try the upload again before its backoff.
    const again = await a.syncOnce();
    expect(again.failures.find((failure) => failure.path === '/big.bin')?.attempts).toBe(1);
  });
});
