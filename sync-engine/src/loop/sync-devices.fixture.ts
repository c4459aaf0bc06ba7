/**
 * Devices for the loop's tests: each a real folder in a temp dir, a real SQLite state and a
 * FolderSync against the real server, driven round by round through `sync()`.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import type { ExecuteReporter } from '../execute/execute-context.js';
import type { ClientState, Conflict } from '../state/index.js';
import { openClientState } from '../state/index.js';
import type { RemoteTestServer, TestDevice } from '../testkit/remote-test-server.js';
import { FolderSync, type FolderSyncOptions, type SyncOutcome } from './folder-sync.js';
import { systemClock } from '../system-clock.js';

export interface SyncDevice {
  readonly folder: string;
  readonly state: ClientState;
  readonly sync: FolderSync;
  readonly conflicts: Conflict[];
  readonly synced: string[];
  readonly problems: string[];
  /** Bytes received and sent (encoded blocks), as the executors report them. */
  readonly transferred: { up: number; down: number };
  syncOnce(): Promise<SyncOutcome>;
  close(): void;
}

export async function createSyncDevice(
  server: RemoteTestServer,
  device: TestDevice,
  dir: string,
  name: string,
  extra: Partial<FolderSyncOptions> = {},
): Promise<SyncDevice> {
  const folder = path.join(dir, name, 'folder');
  await mkdir(folder, { recursive: true });
  const state = openClientState(path.join(dir, name, 'state.sqlite'));
  const conflicts: Conflict[] = [];
  const synced: string[] = [];
  const problems: string[] = [];
  const transferred = { up: 0, down: 0 };
  const report: ExecuteReporter = {
    synced: (action, p) => synced.push(`${action} ${p}`),
    conflict: (conflict) => conflicts.push(conflict),
    problem: (code, message) => problems.push(`${code}: ${message}`),
    transferred: (direction, bytes) => {
      transferred[direction] += bytes;
    },
  };
  const sync = new FolderSync({
    state,
    fs: createNodeFileSystem(folder),
    remote: device.client,
    clock: systemClock,
    report,
    serverUrl: server.url,
    userId: device.login.userId,
    rootNamespace: device.login.rootNamespace,
    deviceName: name,
    ...extra,
  });
  return {
    folder,
    state,
    sync,
    conflicts,
    synced,
    problems,
    transferred,
    syncOnce: () => sync.syncUntilAgreed(AbortSignal.timeout(60_000)),
    close: () => state.close(),
  };
}

/** Every file and folder under `root` (but `.ferry`), as path → content ('/' for folders). */
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

/** Every path the server holds for `device`'s user (recursive from the top, sorted). */
export async function serverPaths(device: TestDevice): Promise<string[]> {
  const entries = await device.client.listFolder(
    { path: '/', recursive: true },
    AbortSignal.timeout(5000),
  );
  return entries.map((entry) => entry.path).sort();
}
