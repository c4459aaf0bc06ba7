/**
 * Scale-out benchmark: `npm run bench:scale [-- --json] [--instances 3] [--concurrency 64] [--users 16]
 * [--warmup-count 2000] [--dedup-count 5000] [--upload-count 300] [--pollers 10000] [--bystanders 50]
 * [--target-pollers 10] [--rounds 20] [--max-seconds 30]`.
 *
 * The seed's peak on this machine: API instances (child processes) behind HAProxy on a real
 * PostgreSQL, Redis and two S3-compatible stores (scale-cluster.ts), all on loopback. Measures
 * (a) commits/s of 500 KB files through the balancer by `users` accounts at once, with a dedup
 * hit (the goal: 480/s across three instances) and with a fresh block each, p50/p99, and each
 * instance's memory; (b) with
 * N idle long-polls spread over the instances, the wake-up latency of one user's polls held by
 * one instance for a commit made through another (across Redis), and each instance's memory.
 * Every process shares this machine's cores with the load generator. MB = 10^6 bytes.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { registerCrashClient } from '../test/crash/crash-client.js';
import { startScaleCluster, type ScaleCluster } from '../test/scale/scale-cluster.js';
import { createBenchHttp } from './bench-http.js';
import { printResult, storeWakeBlock, wakeCommitter } from './bench-report.js';
import { measureCommits, type BenchAccount } from './commit-throughput.js';
import { activePolls, measureTargetedWakeup } from './longpoll-latency.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    instances: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    users: { type: 'string', default: '16' },
    'warmup-count': { type: 'string', default: '2000' },
    'dedup-count': { type: 'string', default: '5000' },
    'upload-count': { type: 'string', default: '300' },
    pollers: { type: 'string', default: '10000' },
    bystanders: { type: 'string', default: '50' },
    'target-pollers': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '20' },
    'max-seconds': { type: 'string', default: '30' },
  },
});

function report<T extends { readonly name: string }>(result: T): void {
  printResult(result, values.json, 22);
}

async function instanceMemory(cluster: ScaleCluster): Promise<number[]> {
  const samples = await Promise.all(cluster.instances.map((instance) => instance.memory()));
  return samples.map((sample) => Math.round(sample.rssBytes / 1e6));
}

async function commitPhase(cluster: ScaleCluster): Promise<void> {
  const users = Math.max(1, Number(values.users));
  const perUser = Math.ceil(Number(values.concurrency) / users) + 2;
  const accounts: BenchAccount[] = [];
  for (let i = 0; i < users; i++) {
    const client = await registerCrashClient(cluster.balancer.url, `bench-${i}@scale.example`);
    accounts.push({
      http: createBenchHttp({
        baseUrl: cluster.balancer.url,
        token: client.token,
        maxSockets: perUser,
      }),
      namespace: client.rootNamespace,
      key: await client.keyOf(),
    });
  }
  try {
    const [first, ...others] = accounts;
    const base = {
      ...first!,
      otherAccounts: others,
      concurrency: Number(values.concurrency),
      maxMs: Number(values['max-seconds']) * 1000,
      fileBytes: 500_000,
    };
    // Not counted: the first commits of a fresh cluster run while every connection still
    // prepares its statements and the JIT compiles the hot paths.
    await measureCommits({ ...base, mode: 'dedup', count: Number(values['warmup-count']) });
    for (const [mode, count] of [
      ['dedup', Number(values['dedup-count'])],
      ['upload', Number(values['upload-count'])],
    ] as const) {
      const measured = await measureCommits({ ...base, mode, count });
      report({
        ...measured,
        name: `scale.commit.${mode}`,
        users,
        instances: cluster.instances.length,
        instanceRssMB: await instanceMemory(cluster),
        ...(mode === 'dedup' ? { goalPerSec: 480, met: measured.commitsPerSec >= 480 } : {}),
      });
    }
  } finally {
    accounts.forEach((account) => account.http.close());
  }
}

async function longPollPhase(cluster: ScaleCluster): Promise<void> {
  const urls = cluster.instances.map((instance) => instance.url);
  const committer = await registerCrashClient(cluster.balancer.url, 'waker@scale.example');
  const key = await committer.keyOf();
  // Commits go to the last instance; the target's polls are held by the first.
  const http = createBenchHttp({ baseUrl: urls.at(-1)!, token: committer.token, maxSockets: 8 });
  const metrics = urls.map((baseUrl) =>
    createBenchHttp({ baseUrl, token: committer.token, maxSockets: 2 }),
  );
  try {
    const block = await storeWakeBlock(http, committer.rootNamespace, key);
    const bystanderTokens: string[] = [];
    for (let i = 0; i < Number(values.bystanders); i++) {
      const user = await registerCrashClient(cluster.balancer.url, `idle-${i}@scale.example`);
      bystanderTokens.push(user.token);
    }
    let peak: number[] = [];
    const targeted = await measureTargetedWakeup({
      baseUrl: urls[0]!,
      pollBaseUrls: urls,
      token: committer.token,
      http,
      bystanderTokens,
      pollers: Number(values.pollers),
      targetPollers: Number(values['target-pollers']),
      rounds: Number(values.rounds),
      countActive: async () =>
        (await Promise.all(metrics.map((m) => activePolls(m)))).reduce((a, b) => a + b, 0),
      memory: async () => {
        peak = await instanceMemory(cluster);
        return { rssBytes: Math.max(...peak) * 1e6, heapUsedBytes: 0, externalBytes: 0 };
      },
      commit: wakeCommitter(http, block),
    });
    report({
      name: targeted.name,
      pollersOpen: targeted.pollersOpen,
      rounds: targeted.rounds,
      woken: targeted.woken,
      samples: targeted.samples,
      p50Ms: targeted.p50Ms,
      p99Ms: targeted.p99Ms,
      maxMs: targeted.maxMs,
      instances: urls.length,
      instanceRssMBWithPolls: peak,
      goal: 'p99 < 100 ms',
      met: targeted.p99Ms < 100,
    });
  } finally {
    http.close();
    metrics.forEach((m) => m.close());
  }
}

async function main(): Promise<void> {
  report({
    name: 'machine',
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
  });
  const cluster = await startScaleCluster({
    instances: Number(values.instances),
    server: { codecWorkers: 1, logLevel: process.env.FERRY_TEST_SERVER_LOG ? 'error' : 'silent' },
  });
  try {
    await commitPhase(cluster);
    await longPollPhase(cluster);
  } finally {
    await cluster.close();
  }
}

await main();
