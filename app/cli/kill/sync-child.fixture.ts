/**
 * `ferry sync` as real child processes: a `--once --json` run (optionally with a scripted crash
 * point, FERRY_TEST_CRASH_AT, which makes it SIGKILL itself there), and a long-running `--json`
 * engine whose event lines a test follows and waits on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { FERRY_BIN } from '../cli-harness.fixture.js';

/** One device of the kill tests: its home and its synced folder. */
export interface Device {
  readonly name: string;
  readonly home: string;
  readonly folder: string;
}

/** The crash points of the engine's executors (sync-engine/src/execute/crash-points.ts). */
export type CrashPoint =
  | 'upload:before-blocks'
  | 'upload:between-blocks'
  | 'upload:before-commit'
  | 'upload:after-commit'
  | 'download:mid-file'
  | 'download:before-rename'
  | 'download:set-aside'
  | 'download:after-rename';

/** One JSON line of `ferry sync --json` (docs/sync-engine.md, "Event stream"). */
export interface SyncEvent {
  readonly type: string;
  readonly state?: string;
  readonly action?: string;
  readonly path?: string;
  readonly message?: string;
  readonly [field: string]: unknown;
}

/** How a `ferry sync` child ended. */
export interface SyncRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly events: readonly SyncEvent[];
  readonly stderr: string;
}

/** The test process's environment without any FERRY_* variable, plus `extra`. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FERRY_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** The complete JSON lines of `text` (a SIGKILL may cut the last one). */
function eventsOf(text: string): SyncEvent[] {
  const events: SyncEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as SyncEvent);
    } catch {
      // The line the kill cut short: nothing the test relies on.
      continue;
    }
  }
  return events;
}

function spawnSync(device: Device, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(
    process.execPath,
    [FERRY_BIN, 'sync', '--home', device.home, '--folder', device.folder, '--json', ...args],
    { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** A `ferry sync --once --json` child under way. */
export interface SyncOnceChild {
  /** Resolves with how it ended. */
  readonly done: Promise<SyncRun>;
  /** SIGKILL from outside (a crash at a moment no crash point names). */
  kill(): void;
}

/** Starts `ferry sync --once --json` for `device`, crashing at `crashAt` when given. */
export function startSyncOnce(
  device: Device,
  options: { crashAt?: CrashPoint } = {},
): SyncOnceChild {
  const env = options.crashAt === undefined ? {} : { FERRY_TEST_CRASH_AT: options.crashAt };
  const child = spawnSync(device, ['--once'], env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<SyncRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, events: eventsOf(stdout), stderr }),
    );
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

/** Runs `ferry sync --once --json` for `device` to its end. */
export function runSyncOnce(device: Device, options: { crashAt?: CrashPoint } = {}) {
  return startSyncOnce(device, options).done;
}

/** A long-running `ferry sync --json`. */
export interface SyncChild {
  /** Every complete event line so far. */
  events(): readonly SyncEvent[];
  /** How many `state` events with this state it printed so far. */
  countState(state: string): number;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** SIGTERM: a clean stop; resolves with how it ended. */
  stop(): Promise<SyncRun>;
  /** SIGKILL, for cleanup. */
  kill(): void;
}

/** Starts `ferry sync --json` (no --once) for `device`. */
export function startSyncChild(device: Device): SyncChild {
  const child = spawnSync(device, [], {});
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void ended.then(() => (exited = true));
  const events = () => eventsOf(stdout);
  return {
    events,
    countState: (state) =>
      events().filter((event) => event.type === 'state' && event.state === state).length,
    hasExited: () => exited,
    async stop() {
      child.kill('SIGTERM');
      const { code, signal } = await ended;
      return { code, signal, events: events(), stderr };
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
