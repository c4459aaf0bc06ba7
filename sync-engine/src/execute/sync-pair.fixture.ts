/**
 * Two devices of one user against the real server, for the executors' regression tests: real
 * folders, real SQLite states, one FolderSync each running one operation at a time, so the
 * order of a plan's operations is the order they run in (as in the simulation).
 */
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import type { FileSystem } from '../ports.js';
import type { RemoteClient } from '../remote/index.js';
import { createSyncDevice, readTree, type SyncDevice } from '../loop/sync-devices.fixture.js';
import { useTempDir } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';

export { readTree };
export type PairDevice = SyncDevice;

/** Wraps a device's real FileSystem (to act at a chosen step, as a user would). */
export type WrapFileSystem = (fs: FileSystem, folder: string) => FileSystem;
/** Wraps a device's real RemoteClient (to let another device act at a chosen request). */
export type WrapRemote = (remote: RemoteClient) => RemoteClient;

function createDevice(
  server: RemoteTestServer,
  login: TestDevice,
  dir: string,
  name: string,
  wrap: { fs?: WrapFileSystem | undefined; remote?: WrapRemote | undefined } = {},
): Promise<PairDevice> {
  // The folder createSyncDevice makes.
  const folder = path.join(dir, name, 'folder');
  const fs = createNodeFileSystem(folder);
  return createSyncDevice(server, login, dir, name, {
    fs: wrap.fs?.(fs, folder) ?? fs,
    remote: wrap.remote?.(login.client) ?? login.client,
    concurrency: 1,
  });
}

/**
 * Devices A and B, new for each test (call at the top of a describe block or file); `wrapB`
 * wraps B's file system, `wrapRemoteB` B's remote client.
 */
export function useSyncPair(options: { wrapB?: WrapFileSystem; wrapRemoteB?: WrapRemote } = {}): {
  a(): PairDevice;
  b(): PairDevice;
  converge(): Promise<void>;
} {
  const tempDir = useTempDir('ferry-sync-pair-');
  let server: RemoteTestServer;
  let a: PairDevice;
  let b: PairDevice;
  beforeEach(async () => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    a = await createDevice(server, ann, tempDir(), 'A');
    b = await createDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B', {
      fs: options.wrapB,
      remote: options.wrapRemoteB,
    });
  });
  afterEach(async () => {
    a.close();
    b.close();
    await server.close();
  });
  return {
    a: () => a,
    b: () => b,
    /** Syncs both until they agree three times over, then compares their trees. */
    async converge() {
      for (let i = 0; i < 3; i += 1) {
        const outcomeA = await a.syncOnce();
        expect(outcomeA.failures).toEqual([]);
        expect(outcomeA.agreed).toBe(true);
        const outcomeB = await b.syncOnce();
        expect(outcomeB.failures).toEqual([]);
        expect(outcomeB.agreed).toBe(true);
      }
      expect(await readTree(b.folder)).toEqual(await readTree(a.folder));
    },
  };
}
