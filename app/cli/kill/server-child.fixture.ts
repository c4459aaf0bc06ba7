/**
 * The reference server as a real child process (`ferry server`), so that a test can SIGKILL it
 * and start it again on the same port and data folder, and read its Prometheus counters.
 */
import { spawn } from 'node:child_process';
import { FERRY_BIN } from '../cli-harness.fixture.js';
import { childEnv } from './sync-child.fixture.js';

/** The counters of GET /metrics the kill tests compare (they restart at 0 with the process). */
export interface ServerCounters {
  readonly blocksStored: number;
  readonly blockBytesStored: number;
  /** PUT /blocks/… answered 200: newly stored blocks plus those answered `stored: false`. */
  readonly blockPuts: number;
  readonly commits: number;
}

/** A running `ferry server` child. */
export interface ServerChild {
  readonly url: string;
  readonly port: number;
  /** SIGKILL (no shutdown code runs); resolves with the signal once it has exited. */
  kill(): Promise<NodeJS.Signals | null>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  counters(): Promise<ServerCounters>;
}

/** Sums the samples of `name` whose labels contain every one of `labels` (`key="value"`). */
export function sumSamples(text: string, name: string, labels: readonly string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (labels.every((label) => labelText.includes(label))) sum += Number(match[3]);
  }
  return sum;
}

/** Reads the kill tests' counters from a server's /metrics. */
export async function readCounters(url: string): Promise<ServerCounters> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics: ${response.status}`);
  const text = await response.text();
  return {
    blocksStored: sumSamples(text, 'ferry_blocks_stored_total'),
    blockBytesStored: sumSamples(text, 'ferry_block_bytes_stored_total'),
    // Blocks sent, one PUT each or many in one upload_batch.
    blockPuts: sumSamples(text, 'ferry_blocks_uploaded_total'),
    commits: sumSamples(text, 'ferry_commits_total'),
  };
}

/**
 * The counters once they stopped moving (equal over `stableReadings` readings 250 ms apart): a
 * killed client's last PUTs may still be stored after it died, and must not be counted as sent
 * by the next run.
 */
export async function settledCounters(server: ServerChild, stableReadings = 3) {
  let last = await server.counters();
  let equal = 1;
  const deadline = Date.now() + 30_000;
  while (equal < stableReadings) {
    if (Date.now() > deadline) throw new Error('the server counters kept moving for 30 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await server.counters();
    equal = JSON.stringify(next) === JSON.stringify(last) ? equal + 1 : 1;
    last = next;
  }
  return last;
}

/**
 * Starts `ferry server --data DIR --port N` (0: any free port) and resolves once it listens.
 * One codec worker and no policy timer keep it light on a shared 2-core machine.
 */
export async function startServerChild(options: {
  dataDir: string;
  port?: number;
}): Promise<ServerChild> {
  const args = [FERRY_BIN, 'server', '--data', options.dataDir, '--port', `${options.port ?? 0}`];
  const child = spawn(process.execPath, [...args, '--log-level', 'silent'], {
    env: childEnv({ FERRY_CODEC_WORKERS: '1', FERRY_POLICY_INTERVAL_S: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry server did not start: ${stdout} ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ferry server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    async kill() {
      child.kill('SIGKILL');
      return (await exited).signal;
    },
    async stop() {
      child.kill('SIGTERM');
      return (await exited).code;
    },
    counters: () => readCounters(url),
  };
}
