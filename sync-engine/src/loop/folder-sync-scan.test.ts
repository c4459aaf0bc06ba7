import { mkdir, writeFile } from 'node:fs/promises';
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

/** The real file system, but listing `failing` (while it is set) fails with EIO. */
function withUnreadableFolder(real: FileSystem): { fs: FileSystem; failing: Set<string> } {
  const failing = new Set<string>();
  const fs: FileSystem = {
    ...real,
    readDir: async (p, signal) => {
      if (failing.has(p)) throw Object.assign(new Error(`EIO: readdir ${p}`), { code: 'EIO' });
      return real.readDir(p, signal);
    },
  };
  return { fs, failing };
}

describe('FolderSync scan: what cannot be read is not gone', () => {
  it('a folder that cannot be listed for a while keeps its files on the server', async () => {
    const folder = path.join(tempDir(), 'folder');
    await mkdir(path.join(folder, 'docs'), { recursive: true });
    await writeFile(path.join(folder, 'docs/a.txt'), 'a');
    const { fs, failing } = withUnreadableFolder(createNodeFileSystem(folder));
    const synced: string[] = [];
    const sync = new FolderSync({
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
});
