/**
 * The sync benchmark's bed: the real server (`ferry server`, a process of its own so its memory
 * is its own) and two devices A and B of one user, each a home and a folder, signed up and
 * logged in through the real CLI and kept running as `ferry sync --json` processes, all on
 * 127.0.0.1. A staging folder beside A's folder (same file system) holds data being prepared.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFerry } from '../cli/e2e/ferry-process.fixture.js';
import { killLeftoverChildren, spawnFerryChild, type FerryChild } from './ferry-child.js';

export const BENCH_PASSWORD = 'bench correct horse battery';
export const BENCH_EMAIL = 'bench@bench.example';

export interface BenchDevice {
  readonly name: 'A' | 'B';
  readonly home: string;
  readonly folder: string;
  /** The running `ferry sync --json` of this device. */
  readonly sync: FerryChild;
  /** Stops the running sync (SIGINT) and starts it again, optionally under strace. */
  restart(options?: { traceOpensTo?: string }): Promise<FerryChild>;
}

export interface SyncBed {
  readonly root: string;
  /** Where data is prepared before it is moved into A's folder. */
  readonly staging: string;
  readonly url: string;
  readonly server: FerryChild;
  readonly a: BenchDevice;
  readonly b: BenchDevice;
  /**
   * Resolves true once both devices say `idle` and have published nothing for `quietMs`;
   * false at `timeoutMs`.
   */
  settle(options?: { timeoutMs?: number; quietMs?: number }): Promise<boolean>;
  /** Stops both devices and the server, and removes the bed unless `keep`. */
  close(options?: { keep?: boolean }): Promise<void>;
}

async function waitForLine(child: FerryChild, pattern: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    for (const line of child.lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    if (exited || Date.now() > deadline) {
      throw new Error(`ferry did not print ${pattern}: ${child.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The last `state` of a device, and when it last published anything that matters. */
function activityOf(child: FerryChild): { state: string | undefined; lastMs: number } {
  let state: string | undefined;
  let lastMs = 0;
  for (let i = child.events.length - 1; i >= 0; i--) {
    const event = child.events[i]!;
    if (event.type === 'progress') continue;
    if (typeof event.time === 'number') lastMs = Math.max(lastMs, event.time);
    if (event.type === 'state') {
      state = String(event.state);
      break;
    }
  }
  return { state, lastMs };
}

export async function startSyncBed(options: { dir?: string } = {}): Promise<SyncBed> {
  if (options.dir !== undefined) await mkdir(options.dir, { recursive: true });
  const root = await mkdtemp(path.join(options.dir ?? tmpdir(), 'ferry-sync-bench-'));
  const env = { FERRY_PASSWORD: BENCH_PASSWORD, HOME: path.join(root, 'os-home') };
  const staging = path.join(root, 'staging');
  await Promise.all([mkdir(env.HOME, { recursive: true }), mkdir(staging, { recursive: true })]);
  const spawnOptions = { env, cwd: root };
  try {
    const server = await spawnFerryChild(
      ['server', '--data', path.join(root, 'server'), '--port', '0', '--log-level', 'silent'],
      spawnOptions,
    );
    const [, url] = await waitForLine(server, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);

    const ferryOk = async (args: string[]) => {
      const run = await runFerry(args, spawnOptions);
      if (run.code !== 0) throw new Error(`ferry ${args[0]}: ${run.code} ${run.stderr}`);
    };
    const device = async (name: 'A' | 'B'): Promise<BenchDevice> => {
      const home = path.join(root, `${name}-home`);
      const folder = path.join(root, name);
      const signIn =
        name === 'A'
          ? ['signup', '--server', url!, '--email', BENCH_EMAIL, '--name', 'Bench']
          : ['login', '--server', url!, '--email', BENCH_EMAIL];
      await ferryOk([...signIn, '--device', name, '--home', home, '--json']);
      await mkdir(folder, { recursive: true });
      // --allow-mass-delete: the delete case removes 10,000 files on purpose.
      const args = ['sync', '--json', '--folder', folder, '--allow-mass-delete', '--home', home];
      let sync = await spawnFerryChild(args, spawnOptions);
      return {
        name,
        home,
        folder,
        get sync() {
          return sync;
        },
        async restart(restartOptions = {}) {
          await sync.stop();
          sync = await spawnFerryChild(args, { ...spawnOptions, ...restartOptions });
          return sync;
        },
      };
    };
    const a = await device('A');
    const b = await device('B');

    const bed: SyncBed = {
      root,
      staging,
      url: url!,
      server,
      a,
      b,
      async settle({ timeoutMs = 600_000, quietMs = 1_000 } = {}) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          const states = [activityOf(a.sync), activityOf(b.sync)];
          const now = Date.now();
          if (states.every((s) => s.state === 'idle' && now - s.lastMs >= quietMs)) return true;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return false;
      },
      async close({ keep = false } = {}) {
        await Promise.all([a.sync.stop(), b.sync.stop()]);
        await server.stop();
        if (!keep) await rm(root, { recursive: true, force: true });
      },
    };
    if (!(await bed.settle({ timeoutMs: 60_000 }))) throw new Error('A and B did not start');
    return bed;
  } catch (error) {
    killLeftoverChildren();
    throw error;
  }
}
