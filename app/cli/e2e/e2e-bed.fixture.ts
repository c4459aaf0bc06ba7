/**
 * The end-to-end test bed: the real server in this process (127.0.0.1, port 0, temp data, cheap
 * scrypt), and devices that are nothing but a home and a folder in the bed's temp dir, driven
 * through real `ferry` child processes exactly as a user types the commands. Imports only
 * public entries (STYLE.md §2.7).
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from 'server-mock';
import { createRemoteClient } from 'sync-engine';
import type { Rev } from 'sync-engine/protocol';
import { readDeviceConfig } from '../../config/device-home.js';
import {
  killLeftoverFerries,
  runFerry,
  startFerry,
  type FerryRun,
  type RunningFerry,
} from './ferry-process.fixture.js';
import type { TreeHolder } from './tree-snapshot.fixture.js';

/** Every account's password (given to `ferry` as FERRY_PASSWORD). */
export const PASSWORD = 'e2e correct horse battery';

/** One device: a home and a synced folder, and `ferry` run on that home. */
export interface E2eDevice extends TreeHolder {
  /** The device name (`--device`), which conflicted copies carry. */
  readonly name: string;
  readonly home: string;
  readonly folder: string;
  /** The absolute local path of a server-style path (`/docs/a.txt`) in the folder. */
  at(serverPath: string): string;
  /** `ferry ...args --home HOME`, to completion. */
  ferry(args: readonly string[], options?: { cwd?: string }): Promise<FerryRun>;
  /** As {@link ferry}, failing the test unless it exits 0. */
  ferryOk(args: readonly string[], options?: { cwd?: string }): Promise<FerryRun>;
  /** `ferry ...args --json --home HOME`: the one JSON object it printed (exit 0 required). */
  json<T>(args: readonly string[], options?: { cwd?: string }): Promise<T>;
  /** `ferry signup --server URL --email E --name N --device NAME`. */
  signup(email: string, displayName: string): Promise<void>;
  /** `ferry login --server URL --email E --device NAME`. */
  login(email: string): Promise<void>;
  /**
   * `ferry sync --once` (with `--folder` the first time only: it is remembered), plus `extra`;
   * fails the test unless it exits 0 and says "In sync.".
   */
  syncOnce(extra?: readonly string[]): Promise<FerryRun>;
  /** `ferry sync --once` plus `extra`, whatever its exit code. */
  trySyncOnce(extra?: readonly string[]): Promise<FerryRun>;
  /** `ferry sync --json --folder DIR` plus `extra`, left running. */
  startSync(extra?: readonly string[]): RunningFerry;
}

export interface E2eBed {
  readonly server: RunningServer;
  readonly url: string;
  /** The bed's temp dir (also HOME of every `ferry` it runs). */
  readonly root: string;
  /** A new device (nothing is created on disk until `ferry` runs). */
  device(name: string): E2eDevice;
  /** The content of `serverPath` (at `rev`, else the newest) as the device sees it on the server. */
  readOnServer(device: E2eDevice, serverPath: string, rev?: string): Promise<string>;
  /** The paths of the files under `folderPath` on the server (recursive, sorted), as `device` sees them. */
  listFilesOnServer(device: E2eDevice, folderPath: string): Promise<string[]>;
  /** Kills what is left running, stops the server and removes the temp dir. */
  close(): Promise<void>;
}

function describeRun(args: readonly string[], run: FerryRun): string {
  return `ferry ${args.join(' ')} exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}

/** A remote client signed in as `device` (close it). */
async function remoteOf(device: E2eDevice) {
  const config = await readDeviceConfig(device.home);
  if (config === undefined) throw new Error(`${device.name} is not signed in`);
  return createRemoteClient({ baseUrl: config.serverUrl, token: config.token });
}

export async function startE2eBed(): Promise<E2eBed> {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-e2e-'));
  const server = await startServer({
    dataDir: path.join(root, 'server'),
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    scryptCost: 2 ** 10,
    policyIntervalMs: 0,
  });
  const env = { FERRY_PASSWORD: PASSWORD, HOME: path.join(root, 'os-home') };
  await mkdir(env.HOME, { recursive: true });

  const device = (name: string): E2eDevice => {
    const home = path.join(root, `${name}-home`);
    const folder = path.join(root, `${name}-folder`);
    let folderRemembered = false;
    const ferry = (args: readonly string[], options: { cwd?: string } = {}) =>
      runFerry([...args, '--home', home], { env, cwd: options.cwd ?? root });
    const ferryOk = async (args: readonly string[], options: { cwd?: string } = {}) => {
      const run = await ferry(args, options);
      if (run.code !== 0) throw new Error(describeRun(args, run));
      return run;
    };
    const trySyncOnce = async (extra: readonly string[] = []) => {
      const args = ['sync', '--once', ...(folderRemembered ? [] : ['--folder', folder]), ...extra];
      const run = await ferry(args);
      if (run.code === 0) folderRemembered = true;
      return run;
    };
    return {
      name,
      home,
      folder,
      at: (serverPath) => path.join(folder, ...serverPath.split('/').filter(Boolean)),
      ferry,
      ferryOk,
      async json<T>(args: readonly string[], options: { cwd?: string } = {}) {
        const run = await ferryOk([...args, '--json'], options);
        const lines = run.stdout.split('\n').filter((line) => line !== '');
        if (lines.length !== 1)
          throw new Error(`expected one JSON line: ${describeRun(args, run)}`);
        return JSON.parse(lines[0]!) as T;
      },
      async signup(email, displayName) {
        await ferryOk([
          'signup',
          '--server',
          server.url,
          '--email',
          email,
          '--name',
          displayName,
          '--device',
          name,
        ]);
      },
      async login(email) {
        await ferryOk(['login', '--server', server.url, '--email', email, '--device', name]);
      },
      async syncOnce(extra = []) {
        const run = await trySyncOnce(extra);
        if (run.code !== 0 || !run.stdout.includes('In sync.')) {
          throw new Error(`${name}: ${describeRun(['sync', '--once', ...extra], run)}`);
        }
        return run;
      },
      trySyncOnce,
      startSync(extra = []) {
        folderRemembered = true;
        return startFerry(['sync', '--json', '--folder', folder, ...extra, '--home', home], {
          env,
          cwd: root,
        });
      },
    };
  };

  return {
    server,
    url: server.url,
    root,
    device,
    async readOnServer(device, serverPath, rev) {
      const remote = await remoteOf(device);
      try {
        const download = await remote.downloadFile(
          { path: serverPath, ...(rev === undefined ? {} : { rev: rev as Rev }) },
          new AbortController().signal,
        );
        const chunks: Buffer[] = [];
        for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
        return Buffer.concat(chunks).toString('utf8');
      } finally {
        remote.close();
      }
    },
    async listFilesOnServer(device, folderPath) {
      const remote = await remoteOf(device);
      try {
        const entries = await remote.listFolder(
          { path: folderPath, recursive: true },
          new AbortController().signal,
        );
        return entries
          .filter((entry) => entry.type === 'file')
          .map((entry) => entry.path)
          .sort();
      } finally {
        remote.close();
      }
    },
    async close() {
      await killLeftoverFerries();
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
