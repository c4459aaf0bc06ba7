/**
 * Two devices of one user against the real server, for the executors' regression tests: real
 * folders, real SQLite states, one FolderSync each running one operation at a time, so the
 * order of a plan's operations is the order they run in (as in the simulation).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import type { FileSystem } from '../ports.js';
import { FolderSync, type SyncOutcome } from '../loop/folder-sync.js';
import { openClientState, type ClientState, type Conflict } from '../state/index.js';
import { systemClock } from '../system-clock.js';
import { useTempDir } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';

export interface PairDevice {
  readonly folder: string;
  readonly state: ClientState;
  readonly conflicts: Conflict[];
  syncOnce(): Promise<SyncOutcome>;
}

/** Every file and folder under `root` but `.ferry`: path → content ('/' for folders). */
export async function readTree(root: string, prefix = ''): Promise<Record<string, string>> {
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

/** Wraps a device's real FileSystem (to act at a chosen step, as a user would). */
export type WrapFileSystem = (fs: FileSystem, folder: string) => FileSystem;

async function createDevice(
  server: RemoteTestServer,
  login: TestDevice,
  dir: string,
  name: string,
  wrap: WrapFileSystem = (fs) => fs,
): Promise<PairDevice> {
  const folder = path.join(dir, name, 'folder');
  await mkdir(folder, { recursive: true });
  const state = openClientState(path.join(dir, name, 'state.sqlite'));
  const conflicts: Conflict[] = [];
  const sync = new FolderSync({
    state,
    fs: wrap(createNodeFileSystem(folder), folder),
    remote: login.client,
    clock: systemClock,
    report: {
      synced: () => undefined,
      conflict: (conflict) => conflicts.push(conflict),
      problem: () => undefined,
      transferred: () => undefined,
    },
    serverUrl: server.url,
    userId: login.login.userId,
    rootNamespace: login.login.rootNamespace,
    deviceName: name,
    concurrency: 1,
  });
  return {
    folder,
    state,
    conflicts,
    syncOnce: () => sync.syncUntilAgreed(AbortSignal.timeout(60_000)),
  };
}

/**
 * Devices A and B, new for each test (call at the top of a describe block or file); `wrapB`
 * wraps B's file system.
 */
export function useSyncPair(options: { wrapB?: WrapFileSystem } = {}): {
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
    b = await createDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B', options.wrapB);
  });
  afterEach(async () => {
    a.state.close();
    b.state.close();
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
