import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import type { FileSystem } from '../ports.js';
import { openClientState, type ClientState } from '../state/index.js';
import { systemClock } from '../system-clock.js';
import { useTempDir } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import { FolderSync } from './folder-sync.js';

const tempDir = useTempDir('ferry-folder-sync-scan-');
let server: RemoteTestServer;
let ann: TestDevice;
let state: ClientState;

beforeEach(async () => {
  server = await startRemoteTestServer();
  ann = await server.createUser('ann', 'A');
  state = openClientState(path.join(tempDir(), 'state.sqlite'));
});
afterEach(async () => {
  state.close();
  await server.close();
});

/**
 * The real file system, but listing a folder in `failing` fails with EIO, and `afterListing`
 * runs once right after the next listing of the top folder (a user acting mid-scan).
 */
function withUnreadableFolder(real: FileSystem): {
  fs: FileSystem;
  failing: Set<string>;
  afterListing: { run?: () => Promise<void> };
} {
  const failing = new Set<string>();
  const afterListing: { run?: () => Promise<void> } = {};
  const fs: FileSystem = {
    ...real,
    readDir: async (p, signal) => {
      if (failing.has(p)) throw Object.assign(new Error(`EIO: readdir ${p}`), { code: 'EIO' });
      const listing = await real.readDir(p, signal);
      const run = afterListing.run;
      if (p === '/' && run !== undefined) {
        afterListing.run = undefined;
        await run();
      }
      return listing;
    },
  };
  return { fs, failing, afterListing };
}

function createSync(fs: FileSystem, synced: string[]): FolderSync {
  return new FolderSync({
    state,
    fs,
    remote: ann.client,
    clock: systemClock,
    report: {
      synced: (action, p) => synced.push(`${action} ${p}`),
      conflict: () => undefined,
      problem: () => undefined,
      transferred: () => undefined,
    },
    serverUrl: server.url,
    userId: ann.login.userId,
    rootNamespace: ann.login.rootNamespace,
    deviceName: 'A',
  });
}

describe('FolderSync scan: what cannot be read is not gone', () => {
  it('a folder that cannot be listed for a while keeps its files on the server', async () => {
    const folder = path.join(tempDir(), 'folder');
    await mkdir(path.join(folder, 'docs'), { recursive: true });
    await writeFile(path.join(folder, 'docs/a.txt'), 'a');
    const { fs, failing } = withUnreadableFolder(createNodeFileSystem(folder));
    const synced: string[] = [];
    const sync = createSync(fs, synced);
    expect((await sync.syncUntilAgreed(AbortSignal.timeout(30_000))).agreed).toBe(true);

    failing.add('/docs');
    const outcome = await sync.syncUntilAgreed(AbortSignal.timeout(30_000));
    expect(outcome.agreed).toBe(true);
    expect(outcome.scanProblems).toEqual([{ kind: 'unreadable', path: '/docs', code: 'EIO' }]);
    const listing = await ann.client.listFolder(
      { path: '/', recursive: true },
      AbortSignal.timeout(30_000),
    );
    expect(listing.map((entry) => entry.path)).toEqual(['/docs', '/docs/a.txt']);
    expect(synced).toEqual(['mkdir_remote /docs', 'upload /docs/a.txt']);
  });

  it('a file renamed while the scan runs is a move, not a delete and a new file', async () => {
    const folder = path.join(tempDir(), 'folder');
    await mkdir(path.join(folder, 'docs'), { recursive: true });
    await writeFile(path.join(folder, 'docs/b.txt'), 'b');
    const { fs, afterListing } = withUnreadableFolder(createNodeFileSystem(folder));
    const synced: string[] = [];
    const sync = createSync(fs, synced);
    expect((await sync.syncUntilAgreed(AbortSignal.timeout(30_000))).agreed).toBe(true);
    const list = () =>
      ann.client.listFolder({ path: '/', recursive: true }, AbortSignal.timeout(30_000));
    const before = (await list()).find((entry) => entry.path === '/docs/b.txt');

    // Moved out of /docs (not listed yet) to the top (listed already): this walk sees it nowhere.
    afterListing.run = () => rename(path.join(folder, 'docs/b.txt'), path.join(folder, 'b.txt'));
    synced.length = 0;
    expect((await sync.syncUntilAgreed(AbortSignal.timeout(30_000))).agreed).toBe(true);
    expect(synced).toEqual(['move_remote /b.txt']);
    const after = (await list()).find((entry) => entry.path === '/b.txt');
    expect(after?.fileId).toBe(before?.fileId);
  });
});
