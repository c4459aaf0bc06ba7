/**
 * A long-running `ferry` child process of the sync benchmark (`ferry server`, `ferry sync
 * --json`): its stdout parsed line by line, listeners told of every JSON event as it arrives (no
 * polling), and its real pid also when it runs under `strace` (which the start-up case uses to
 * see which files were opened).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { FERRY_BIN, ferryEnv, type FerryEvent } from '../cli/e2e/ferry-process.fixture.js';
import { childPids } from './proc-stats.js';

export type { FerryEvent };

export interface FerryChild {
  /** The pid of the node process running `ferry` (not strace's). */
  readonly pid: number;
  /** The stdout lines that are JSON objects, parsed, in order. */
  readonly events: readonly FerryEvent[];
  /** Every stdout line that is not JSON. */
  readonly lines: readonly string[];
  /** Calls `listener` for every event from now on; returns the unsubscribe. */
  onEvent(listener: (event: FerryEvent, index: number) => void): () => void;
  stderr(): string;
  /** SIGINT (as Ctrl-C), SIGKILL if it has not exited after `graceMs`; resolves when gone. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<number>;
}

export interface FerryChildOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Run under `strace -f` writing every successful open to this file. */
  readonly traceOpensTo?: string;
}

/** Every child started and not yet exited, so that the bench leaves none behind. */
const live = new Set<FerryChild>();

async function tracedPid(stracePid: number, exited: Promise<number>): Promise<number> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 500 && !gone; i++) {
    // strace forks short-lived children of its own first (its seccomp-bpf probe): the one
    // wanted is the child that runs ferry.
    for (const child of await childPids(stracePid)) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(FERRY_BIN)) return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('strace did not start ferry');
}

/** Starts `ferry ...args` and resolves once its pid is known. */
export async function spawnFerryChild(
  args: readonly string[],
  options: FerryChildOptions,
): Promise<FerryChild> {
  // FERRY_BENCH_CPU_PROF=DIR: every ferry process writes a V8 CPU profile there when it exits,
  // named for its role (server, A, B) so that the profiles can be told apart.
  const profDir = process.env.FERRY_BENCH_CPU_PROF;
  const role =
    args[0] === 'server' ? 'server' : path.basename(args[args.indexOf('--folder') + 1] ?? '');
  const profArgs = profDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${path.resolve(profDir)}`,
        `--cpu-prof-name=${role}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const ferry = [process.execPath, ...profArgs, FERRY_BIN, ...args];
  const [command, ...argv] =
    options.traceOpensTo === undefined
      ? ferry
      : [
          'strace',
          '-f',
          // Only the open calls stop the process; every other system call runs at full speed.
          '--seccomp-bpf',
          '-qq',
          '-e',
          'trace=open,openat,openat2',
          '-e',
          'status=successful',
          '-o',
          options.traceOpensTo,
          ...ferry,
        ];
  const child = spawn(command!, argv, {
    cwd: options.cwd,
    env: ferryEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? -1 : 128)));
  });
  const events: FerryEvent[] = [];
  const lines: string[] = [];
  const listeners = new Set<(event: FerryEvent, index: number) => void>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: FerryEvent | undefined;
    if (line.startsWith('{')) {
      try {
        event = JSON.parse(line) as FerryEvent;
      } catch {
        // A line that only opens with a brace is kept as text.
      }
    }
    if (event === undefined) {
      lines.push(line);
      return;
    }
    events.push(event);
    // FERRY_BENCH_TRACE=1: every event with the time it arrived, to see where a case's time goes.
    if (process.env.FERRY_BENCH_TRACE === '1') {
      process.stderr.write(`trace ${performance.now().toFixed(0)} ${child.pid} ${line}\n`);
    }
    for (const listener of listeners) listener(event, events.length - 1);
  });
  const pid = options.traceOpensTo === undefined ? child.pid! : await tracedPid(child.pid!, exited);
  const handle: FerryChild = {
    pid,
    events,
    lines,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stderr: () => stderr,
    async stop(graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) {
        // The signal goes to ferry itself: under strace, strace exits with it.
        process.kill(pid, 'SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
    exited,
  };
  live.add(handle);
  void exited.then(() => live.delete(handle));
  return handle;
}

/** SIGKILLs what is left (for the bench's own failure path). */
export function killLeftoverChildren(): void {
  for (const child of live) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      live.delete(child);
    }
  }
}
