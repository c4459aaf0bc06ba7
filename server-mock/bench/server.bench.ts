/**
 * Reference server benchmark: `npm run bench:server [-- --json] [--concurrency 32]
 * [--dedup-count 3000] [--upload-count 200] [--pollers 2000] [--target-pollers 10]
 * [--bystanders 20] [--rounds 20] [--fanout-rounds 3] [--only commits|longpolls]
 * [--cpu-prof DIR]`.
 *
 * The server runs in its own child process (production defaults, logs off) on 127.0.0.1, so
 * its memory is its own. Measures (a) commits/s of 500 KB files with and without a dedup hit,
 * (b) long-poll wake-up latency with N idle polls open (a commit waking one user's few polls,
 * and one waking all N), (c) the server's RSS. (a) and (b) each get a fresh server, so the
 * memory figure of each phase is its own. With --json it prints one JSON object per line.
 * MB = 10^6 bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { registerCrashClient, type CrashClient } from '../test/crash/crash-client.js';
import { spawnServerProcess, type ServerProcess } from '../test/crash/server-process.js';
import type { BenchHttp } from './bench-http.js';
import { createBenchHttp } from './bench-http.js';
import { printResult, storeWakeBlock, wakeCommitter } from './bench-report.js';
import { measureCommits } from './commit-throughput.js';
import { measureFanOutWakeup, measureTargetedWakeup } from './longpoll-latency.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '32' },
    'dedup-count': { type: 'string', default: '3000' },
    'upload-count': { type: 'string', default: '200' },
    pollers: { type: 'string', default: '2000' },
    'target-pollers': { type: 'string', default: '10' },
    bystanders: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '20' },
    'fanout-rounds': { type: 'string', default: '3' },
    'max-seconds': { type: 'string', default: '30' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
  },
});

function report<T extends { readonly name: string }>(result: T): void {
  printResult(result, values.json, 18);
}

interface Session {
  readonly server: ServerProcess;
  readonly client: CrashClient;
  readonly http: BenchHttp;
  readonly key: Uint8Array;
}

/** Runs `phase` against a fresh server in a child process, then reports its memory. */
async function withServer(label: string, phase: (session: Session) => Promise<void>) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-server-bench-'));
  const profDir = values['cpu-prof'];
  const server = await spawnServerProcess({
    dataDir,
    nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : [],
  });
  try {
    const client = await registerCrashClient(server.url, 'bench@test.example');
    const key = await client.keyOf();
    const http = createBenchHttp({
      baseUrl: server.url,
      token: client.token,
      maxSockets: Number(values.concurrency),
    });
    await phase({ server, client, http, key });
    const memory = await server.memory();
    http.close();
    const stopped = await server.stop();
    report({
      name: `server.memory.${label}`,
      peakRssMB: Math.round(memory.peakRssBytes / 1e6),
      maxRssAtExitMB:
        stopped.maxRssBytes === undefined ? null : Math.round(stopped.maxRssBytes / 1e6),
      goalMB: 300,
      met: memory.peakRssBytes < 300e6,
    });
  } finally {
    await server.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function commitPhase({ server, client, http, key }: Session): Promise<void> {
  const base = {
    http,
    namespace: client.rootNamespace,
    key,
    concurrency: Number(values.concurrency),
    maxMs: Number(values['max-seconds']) * 1000,
    fileBytes: 500_000,
    serverCpuTimeMs: () => server.cpuTimeMs(),
  };
  for (const [mode, count] of [
    ['dedup', Number(values['dedup-count'])],
    ['upload', Number(values['upload-count'])],
  ] as const) {
    const measured = await measureCommits({ ...base, mode, count });
    // Where the server's memory stands after each phase (the peak so far, and now).
    const after = await server.memory();
    const usage = await server.memoryUsage();
    const result = {
      ...measured,
      serverPeakRssMB: Math.round(after.peakRssBytes / 1e6),
      serverRssMB: Math.round(after.rssBytes / 1e6),
      // Main thread only; the codec workers' heaps show in RSS alone.
      serverHeapUsedMB: Math.round(usage.heapUsed / 1e6),
      serverExternalMB: Math.round(usage.external / 1e6),
    };
    report(
      mode === 'dedup' ? { ...result, goalPerSec: 480, met: result.commitsPerSec >= 480 } : result,
    );
  }
}

async function longPollPhase({ server, client, http, key }: Session): Promise<void> {
  const block = await storeWakeBlock(http, client.rootNamespace, key);
  const bystanderTokens: string[] = [];
  for (let i = 0; i < Number(values.bystanders); i++) {
    bystanderTokens.push((await registerCrashClient(server.url, `idle-${i}@test.example`)).token);
  }
  const pollOptions = {
    baseUrl: server.url,
    token: client.token,
    http,
    bystanderTokens,
    pollers: Number(values.pollers),
    targetPollers: Number(values['target-pollers']),
    memory: async () => {
      const usage = await server.memoryUsage();
      return {
        rssBytes: (await server.memory()).rssBytes,
        heapUsedBytes: usage.heapUsed,
        externalBytes: usage.external,
      };
    },
    commit: wakeCommitter(http, block),
  };
  // Fan-out first: its polls all answer before the targeted phase counts open polls.
  report(await measureFanOutWakeup({ ...pollOptions, rounds: Number(values['fanout-rounds']) }));
  const targeted = await measureTargetedWakeup({ ...pollOptions, rounds: Number(values.rounds) });
  report({
    ...targeted,
    goal: 'p99 < 50 ms, RSS < 300 MB',
    met: targeted.p99Ms < 50 && targeted.rssWithPollsMB < 300,
  });
}

async function main(): Promise<void> {
  report({
    name: 'machine',
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
  });
  if (values.only !== undefined && !['commits', 'longpolls'].includes(values.only)) {
    throw new Error('--only takes commits or longpolls');
  }
  if (values.only !== 'longpolls') await withServer('commits', commitPhase);
  if (values.only !== 'commits') await withServer('longpolls', longPollPhase);
}

await main();
