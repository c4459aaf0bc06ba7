/**
 * Test harness for the CLI: a real server on 127.0.0.1 (port 0, temp data, cheap scrypt), temp
 * homes, `ferry` run in-process through runCli with captured streams, or as a real child
 * process through app/bin/ferry.mjs. Imports only public entries (STYLE.md §2.7).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from 'server-mock';
import { createRemoteClient, type RemoteClient } from 'sync-engine';
import { readDeviceConfig } from '../config/device-home.js';
import { runCli, type CliIo } from './index.js';

export const FERRY_BIN = fileURLToPath(new URL('../bin/ferry.mjs', import.meta.url));
export const PASSWORD = 'correct horse battery';

/** What one run of `ferry` gave. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Added to a clean environment (no FERRY_* of the developer's shell leaks in). */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Lines typed at a (simulated) terminal; without them stdin is not a TTY. */
  readonly typed?: readonly string[];
}

function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FERRY_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** A stream that keeps what is written, synchronously (a PassThrough's 'data' comes later). */
function collector(): {
  stream: Writable;
  text: () => string;
  onWrite(listener: () => void): void;
} {
  let text = '';
  const listeners: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      for (const listener of listeners) listener();
      callback();
    },
  });
  // Like process.stdout and stderr, which a pipe never ends: the password prompt pipes into
  // its output and ends that pipe when it closes.
  stream.end = () => stream;
  return { stream, text: () => text, onWrite: (listener) => listeners.push(listener) };
}

/** Runs `ferry ...args` in this process. */
export async function runFerry(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector();
  const stdin = Object.assign(new PassThrough(), { isTTY: options.typed !== undefined });
  const io: CliIo = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
    env: cleanEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
  };
  const typed = options.typed;
  if (typed !== undefined) {
    // Type line k once prompt k is up: k prompts are done (✔) and the next one (?) is drawn.
    let next = 0;
    stderr.onWrite(() => {
      const done = stderr.text().split('✔');
      const line = typed[next];
      if (line !== undefined && done.length - 1 === next && done[next]!.includes('?')) {
        next++;
        setImmediate(() => stdin.write(`${line}\r`));
      }
    });
  }
  const code = await runCli(['node', 'ferry', ...args], io);
  stdin.end();
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs `node app/bin/ferry.mjs ...args` as a child process, stdin closed. */
export async function runFerryProcess(
  args: readonly string[],
  options: Omit<RunOptions, 'typed'> = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode ?? -1));
  });
  return { code, stdout, stderr };
}

/** A real server for one test file, and temp directories removed with it. */
export interface CliTestBed {
  readonly server: RunningServer;
  readonly url: string;
  /** A fresh directory (not created) to use as a home, under the bed's temp dir. */
  newHome(): string;
  /** A fresh, created directory. */
  newDir(): Promise<string>;
  /** Signs a new account up in a new home (FERRY_PASSWORD = PASSWORD); returns that home. */
  signUp(name: string, extra?: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startCliTestBed(): Promise<CliTestBed> {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-cli-'));
  const server = await startServer({
    dataDir: path.join(root, 'server'),
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    scryptCost: 2 ** 10,
    codecWorkers: 1,
    policyIntervalMs: 0,
  });
  let count = 0;
  const newHome = () => path.join(root, `home-${++count}`);
  return {
    server,
    url: server.url,
    newHome,
    newDir: () => mkdtemp(path.join(root, 'dir-')),
    async signUp(name, extra = []) {
      const home = newHome();
      const email = `${name}@test.example`;
      const run = await runFerry(
        [
          'signup',
          '--server',
          server.url,
          '--email',
          email,
          '--name',
          name,
          '--home',
          home,
          ...extra,
        ],
        { env: { FERRY_PASSWORD: PASSWORD } },
      );
      if (run.code !== 0) throw new Error(`signup ${name}: ${run.code} ${run.stderr}`);
      return home;
    },
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Uploads `content` to `serverPath` as the device of `home` (the server's simple upload). */
export async function uploadAs(home: string, serverPath: string, content: string): Promise<string> {
  const body = new TextEncoder().encode(content);
  const result = await asDevice(home, (remote, signal) =>
    remote.uploadFile({ path: serverPath, body, sizeBytes: body.length }, signal),
  );
  if (result.kind !== 'uploaded') throw new Error(`upload ${serverPath}: ${result.kind}`);
  return result.file.rev;
}

/** Parses the one JSON object a `--json` run printed (and checks it is exactly one line). */
export function jsonOf(run: CliRun): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  const lines = run.stdout.split('\n').filter((line) => line !== '');
  if (lines.length !== 1) throw new Error(`expected one JSON line, got: ${run.stdout}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

/** Runs `call` with a remote client signed in as the device of `home`. */
export async function asDevice<T>(
  home: string,
  call: (remote: RemoteClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const config = await readDeviceConfig(home);
  if (!config) throw new Error(`no device in ${home}`);
  const remote = createRemoteClient({ baseUrl: config.serverUrl, token: config.token });
  try {
    return await call(remote, new AbortController().signal);
  } finally {
    remote.close();
  }
}

/** The current content of `serverPath` as the device of `home` sees it. */
export async function downloadAs(home: string, serverPath: string): Promise<string> {
  return asDevice(home, async (remote, signal) => {
    const download = await remote.downloadFile({ path: serverPath }, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  });
}
