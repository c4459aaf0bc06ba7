/**
 * `ferry` as a user runs it: a real child process `node app/bin/ferry.mjs …` with a clean
 * environment (no FERRY_* of the developer's shell leaks in, CI=true, HOME in the test's temp
 * dir), either to completion (runFerry) or long-running (startFerry: `ferry sync`, `ferry start`)
 * with its stdout read line by line and its `--json` events parsed as they come.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait-until.fixture.js';

/** The `ferry` command: app/bin/ferry.mjs. */
export const FERRY_BIN = fileURLToPath(new URL('../../bin/ferry.mjs', import.meta.url));

/** What one finished run of `ferry` gave. */
export interface FerryRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FerryRunOptions {
  /** Added to the clean environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The process's environment without FERRY_*, with CI=true, plus `extra`. */
export function ferryEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FERRY_')) env[key] = value;
  }
  return { ...env, CI: 'true', ...extra };
}

/** The processes started and not yet exited, so a failed test leaves none behind. */
const live = new Set<ChildProcessWithoutNullStreams>();

function spawnFerry(args: readonly string[], options: FerryRunOptions) {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], {
    cwd: options.cwd,
    env: ferryEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  live.add(child);
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal === null ? -1 : 128));
    });
  });
  return { child, exited };
}

/** Runs `ferry ...args` to completion. */
export async function runFerry(
  args: readonly string[],
  options: FerryRunOptions = {},
): Promise<FerryRun> {
  const { child, exited } = spawnFerry(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await exited;
  return { code, stdout, stderr };
}

/** A JSON event line of `ferry sync --json` (docs/sync-engine.md, "Event stream"). */
export type FerryEvent = { readonly type: string } & Record<string, unknown>;

/** A `ferry` process that runs until it is stopped. */
export interface RunningFerry {
  readonly pid: number;
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  /** The stdout lines that are JSON objects, parsed, in order. */
  readonly events: readonly FerryEvent[];
  /** Everything on stderr so far. */
  stderr(): string;
  /** Resolves with the first line (from the start) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Resolves with the first event (from index `from`) that `match` accepts. */
  waitForEvent(
    match: (event: FerryEvent) => boolean,
    what: string,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<FerryEvent>;
  /** Sends `signal` (default SIGINT, as Ctrl-C) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** Resolves with the exit code when the process ends by itself. */
  readonly exited: Promise<number>;
}

/** Starts `ferry ...args` and returns at once; stdout is read line by line. */
export function startFerry(args: readonly string[], options: FerryRunOptions = {}): RunningFerry {
  const { child, exited } = spawnFerry(args, options);
  const lines: string[] = [];
  const events: FerryEvent[] = [];
  let stderr = '';
  let done = false;
  void exited.then(() => (done = true));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (!line.startsWith('{')) return;
    try {
      events.push(JSON.parse(line) as FerryEvent);
    } catch {
      // Not every line that opens with a brace must be an event: it stays in `lines`.
    }
  });
  const tail = () =>
    `exited: ${done}; last lines: ${lines.slice(-8).join(' | ')}; stderr: ${stderr.slice(-2000)}`;
  const running: RunningFerry = {
    pid: child.pid ?? -1,
    lines,
    events,
    stderr: () => stderr,
    async waitForLine(match, what, timeoutMs = 60_000) {
      let found: string | undefined;
      await waitUntil(
        () => {
          found = lines.find(match);
          return found !== undefined || done;
        },
        { timeoutMs, what, seen: tail },
      );
      if (found === undefined) throw new Error(`${what}: the process ended first; ${tail()}`);
      return found;
    },
    async waitForEvent(match, what, options = {}) {
      let found: FerryEvent | undefined;
      await waitUntil(
        () => {
          found = events.slice(options.from ?? 0).find(match);
          return found !== undefined || done;
        },
        { timeoutMs: options.timeoutMs ?? 60_000, what, seen: tail },
      );
      if (found === undefined) throw new Error(`${what}: the process ended first; ${tail()}`);
      return found;
    },
    async stop(signal = 'SIGINT') {
      if (!done) child.kill(signal);
      return exited;
    },
    exited,
  };
  return running;
}

/** Kills (SIGKILL) every `ferry` process a test started that still runs; for afterEach/afterAll. */
export async function killLeftoverFerries(): Promise<number> {
  const leftovers = [...live];
  await Promise.all(
    leftovers.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          if (!live.has(child)) resolve();
          else child.kill('SIGKILL');
        }),
    ),
  );
  return leftovers.length;
}
