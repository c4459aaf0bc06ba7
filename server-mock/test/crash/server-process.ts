/**
 * The reference server in its own process (crash tests kill it with SIGKILL; benchmarks sample
 * its memory without counting the load generator). Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { databaseFor } from '../services/test-databases.js';
import { appendFile, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '../../src/index.js';

const MAIN = fileURLToPath(new URL('./server-process-main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface SpawnServerOptions {
  readonly dataDir: string;
  /** 0 for any free port; pass the previous port to restart "the same" server. */
  readonly port?: number;
  /** Further server options (cheap scrypt, worker count, …). */
  readonly server?: Omit<ServerOptions, 'dataDir' | 'port' | 'host'>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** How long to wait for the server to listen. */
  readonly startTimeoutMs?: number;
}

/** Peak and current resident memory of a process, in bytes (from /proc/<pid>/status). */
export interface ProcessMemory {
  readonly peakRssBytes: number;
  readonly rssBytes: number;
}

/** A running server child process. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code or signal when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM: graceful shutdown; resolves with the child's own maxRSS report. */
  stop(): Promise<{ maxRssBytes: number | undefined }>;
  memory(): Promise<ProcessMemory>;
  /** CPU time the child has used so far (user + system, all threads), in milliseconds. */
  cpuTimeMs(): Promise<number>;
  /** The child's process.memoryUsage() (main thread's heap; RSS covers every thread). */
  memoryUsage(): Promise<NodeJS.MemoryUsage>;
}

function readKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field}`);
  return Number(match[1]) * 1024;
}

/** Collects stdout lines of the child and lets callers wait for one that matches. */
function lineReader(child: ChildProcess) {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  child.once('exit', () => waiters.splice(0).forEach((wake) => wake()));
  return async function nextJson<T>(accept: (value: T) => boolean): Promise<T | undefined> {
    for (;;) {
      while (lines.length > 0) {
        const value = JSON.parse(lines.shift()!) as T;
        if (accept(value)) return value;
      }
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
}

/** Starts the server in a child process and resolves once it listens on 127.0.0.1. */
export async function spawnServerProcess(options: SpawnServerOptions): Promise<ServerProcess> {
  // The "server on PostgreSQL" project: the data dir's database (the same one after a restart).
  const postgres = process.env.FERRY_TEST_POSTGRES_URL;
  const metadata =
    postgres !== undefined && options.server?.metadata === undefined
      ? { metadata: await databaseFor(options.dataDir, postgres) }
      : {};
  const serverOptions: ServerOptions = {
    logLevel: 'silent',
    policyIntervalMs: 0,
    ...metadata,
    ...options.server,
    dataDir: options.dataDir,
    port: options.port ?? 0,
    host: '127.0.0.1',
  };
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', MAIN, JSON.stringify(serverOptions)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A debugging aid: FERRY_TEST_SERVER_LOG=FILE appends the child's output (its logs) there.
  const logFile = process.env.FERRY_TEST_SERVER_LOG;
  if (logFile !== undefined) {
    child.stdout?.on(
      'data',
      (chunk: Buffer) => void appendFile(logFile, chunk).catch(() => undefined),
    );
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const nextJson = lineReader(child);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    nextJson<{ url?: string }>((value) => typeof value.url === 'string'),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!started?.url) {
    child.kill('SIGKILL');
    throw new Error(`server child did not start within ${timeoutMs} ms: ${stderr}`);
  }
  const url = started.url;
  const pid = child.pid!;
  return {
    url,
    port: Number(new URL(url).port),
    pid,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      const report = await nextJson<{ stopped?: boolean; maxRssBytes?: number }>(
        (value) => value.stopped === true,
      );
      // A server that does not exit after a graceful close is killed rather than leaked.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return { maxRssBytes: report?.maxRssBytes };
    },
    async cpuTimeMs() {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name), in clock
      // ticks of 10 ms (USER_HZ is 100 on Linux).
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async memoryUsage() {
      const answer = nextJson<{ memoryUsage?: NodeJS.MemoryUsage }>(
        (value) => value.memoryUsage !== undefined,
      );
      child.kill('SIGUSR2');
      const report = await answer;
      if (!report?.memoryUsage) throw new Error('the server child exited');
      return report.memoryUsage;
    },
    async memory() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      return { peakRssBytes: readKb(status, 'VmHWM'), rssBytes: readKb(status, 'VmRSS') };
    },
  };
}
