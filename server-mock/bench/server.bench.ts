/**
 * Reference server benchmark: `npm run bench:server [-- --json] [--concurrency 32]
 * [--dedup-count 3000] [--upload-count 200] [--pollers 2000] [--target-pollers 10]
 * [--bystanders 20] [--rounds 20] [--fanout-rounds 3] [--cpu-prof DIR]`.
 *
 * The server runs in its own child process (production defaults, logs off) on 127.0.0.1, so
 * its memory is its own. Measures (a) commits/s of 500 KB files with and without a dedup hit,
 * (b) long-poll wake-up latency with N idle polls open (a commit waking one user's few polls,
 * and one waking all N), (c) the server's RSS. With --json it
 * prints one JSON object per line. MB = 10^6 bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { registerCrashClient } from '../src/crash/crash-client.js';
import { spawnServerProcess } from '../src/crash/server-process.js';
import { encodeContent, seededBytes } from '../src/testing/test-blocks.js';
import { createBenchHttp } from './bench-http.js';
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
  },
});

function report<T extends { readonly name: string }>(result: T): void {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const fields = Object.entries(result)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stdout.write(`${result.name.padEnd(18)} ${fields.join('  ')}\n`);
}

async function main(): Promise<void> {
  const concurrency = Number(values.concurrency);
  const maxMs = Number(values['max-seconds']) * 1000;
  report({
    name: 'machine',
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
  });
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
      maxSockets: concurrency,
    });
    const base = {
      http,
      namespace: client.rootNamespace,
      key,
      concurrency,
      maxMs,
      fileBytes: 500_000,
    };
    for (const [mode, count] of [
      ['dedup', Number(values['dedup-count'])],
      ['upload', Number(values['upload-count'])],
    ] as const) {
      const result = await measureCommits({ ...base, mode, count });
      report(
        mode === 'dedup'
          ? { ...result, goalPerSec: 480, met: result.commitsPerSec >= 480 }
          : result,
      );
    }

    const [block] = await encodeContent(seededBytes(1_000, 99), key);
    await http.request(
      'PUT',
      `/blocks/${client.rootNamespace}/${block!.id}`,
      Buffer.from(block!.encoded),
      {
        'content-type': 'application/octet-stream',
      },
    );
    let commits = 0;
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
      commit: async () => {
        await http.json('POST', '/files/commit', {
          path: `/bench/wake-${commits++}.bin`,
          blocks: [block!.id],
          size: block!.size,
          modified: 1_700_000_000_000,
          parentRev: null,
        });
      },
    };
    // Fan-out first: its polls all answer before the targeted phase counts open polls.
    report(await measureFanOutWakeup({ ...pollOptions, rounds: Number(values['fanout-rounds']) }));
    const targeted = await measureTargetedWakeup({ ...pollOptions, rounds: Number(values.rounds) });
    report({
      ...targeted,
      goal: 'p99 < 50 ms, RSS < 300 MB',
      met: targeted.p99Ms < 50 && targeted.rssWithPollsMB < 300,
    });
    const memory = await server.memory();
    http.close();
    const stopped = await server.stop();
    report({
      name: 'server.memory',
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

await main();
