/**
 * sync.fanout_200: 200 light clients of the same user (each its own device, logged in with
 * `POST /auth/login`, each on its own keep-alive connection) long-poll
 * `/notifications/longpoll`; A commits one new file (moved into its folder). The latency of a
 * client runs from the server's commit time (the revision's `committed`, the server's clock on
 * this same machine) to the moment its poll's answer has arrived in the bench.
 */
import { writeFile, rename } from 'node:fs/promises';
import http from 'node:http';
import { summarizeLatencies } from './latency-summary.js';
import { measureCase } from './case-measure.js';
import type { CaseContext, CaseFigures } from './case-kit.js';
import { sampleCounters } from './server-counters.js';
import { BENCH_EMAIL, BENCH_PASSWORD } from './sync-bed.js';
import { localPath } from './tree-wait.js';

const CLIENTS_GOAL = 200;
const WAKE_PATH = '/fanout-wake.txt';
/** Logins at once: each costs the server one scrypt (32 MiB, tens of ms of a core). */
const LOGIN_CONCURRENCY = 2;

interface LightClient {
  readonly agent: http.Agent;
  readonly token: string;
}

function call(
  baseUrl: string,
  options: { method: string; path: string; agent?: http.Agent; token?: string; body?: unknown },
): Promise<{ status: number; body: unknown; atMs: number }> {
  const url = new URL(baseUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        agent: options.agent ?? false,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const atMs = Date.now();
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON: the text is the body.
          }
          resolve({ status: res.statusCode ?? 0, body, atMs });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function loginClients(baseUrl: string, count: number): Promise<LightClient[]> {
  const clients: LightClient[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await call(baseUrl, {
        method: 'POST',
        path: '/auth/login',
        body: { email: BENCH_EMAIL, password: BENCH_PASSWORD, deviceName: `light-${i}` },
      });
      if (res.status !== 200)
        throw new Error(`login ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      const { token } = res.body as { token: string };
      clients.push({ token, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) });
    }
  };
  await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, worker));
  return clients;
}

async function waitForPolls(baseUrl: string, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { longPollsActive } = await sampleCounters(baseUrl);
    if (longPollsActive >= count || Date.now() > deadline) return longPollsActive;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface PollAnswer {
  readonly atMs: number;
  readonly changes: boolean;
}

/**
 * Opens one long-poll per client from the cursor its user sees now. Answers are not awaited:
 * each lands in `arrived` as it comes; the returned promises settle with them (undefined when a
 * poll failed or was cut off at the end).
 */
async function openPolls(
  ctx: CaseContext,
  clients: readonly LightClient[],
  arrived: PollAnswer[],
): Promise<Array<Promise<PollAnswer | undefined>>> {
  const timeoutSeconds = Math.min(480, Math.ceil(ctx.timeoutMs / 1000) + 30);
  const cursors = await Promise.all(
    clients.map(async (client) => {
      const latest = await call(ctx.bed.url, {
        method: 'GET',
        path: '/changes/latest_cursor',
        ...client,
      });
      return (latest.body as { cursor: string }).cursor;
    }),
  );
  return clients.map((client, i) =>
    call(ctx.bed.url, {
      method: 'GET',
      path: `/notifications/longpoll?cursor=${encodeURIComponent(cursors[i]!)}&timeout=${timeoutSeconds}`,
      ...client,
    }).then(
      (res) => {
        const result = {
          atMs: res.atMs,
          changes: (res.body as { changes?: boolean }).changes === true,
        };
        arrived.push(result);
        return result;
      },
      // Settled here so a poll cut off at the end is no unhandled rejection.
      () => undefined,
    ),
  );
}

/** The server's commit time of the newest revision at `serverPath` (epoch ms). */
async function committedMs(ctx: CaseContext, client: LightClient, serverPath: string) {
  const res = await call(ctx.bed.url, {
    method: 'GET',
    path: `/files/list_revisions?path=${encodeURIComponent(serverPath)}&limit=1`,
    ...client,
  });
  const revisions = (res.body as { revisions?: Array<{ committed: number }> }).revisions ?? [];
  return revisions[0]?.committed;
}

export async function runFanout200(ctx: CaseContext): Promise<CaseFigures> {
  const { url } = ctx.bed;
  const count = Math.max(10, Math.round(CLIENTS_GOAL * ctx.scale));
  const loginStartedMs = Date.now();
  const clients = await loginClients(url, count);
  const loginSeconds = Math.round((Date.now() - loginStartedMs) / 100) / 10;
  try {
    if (!(await ctx.bed.settle({ timeoutMs: ctx.settleMs }))) throw new Error('did not settle');
    const staged = ctx.stagingPath('wake.txt');
    await writeFile(staged, 'wake up\n');
    const pollsBefore = (await sampleCounters(url)).longPollsActive;
    const arrived: PollAnswer[] = [];
    const answers = await openPolls(ctx, clients, arrived);
    // A and B poll too and may be between two polls: wait for all of ours, briefly for theirs.
    const pollsOpen = await waitForPolls(url, pollsBefore + count, 10_000);
    let renamedMs = 0;
    const { measurement } = await measureCase(ctx.bed, async (start) => {
      renamedMs = start();
      await rename(staged, localPath(ctx.bed.a.folder, WAKE_PATH));
      const all = Promise.all(answers);
      const timedOut = new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), ctx.timeoutMs).unref(),
      );
      const results = await Promise.race([all, timedOut]);
      if (results === undefined) return { endMs: undefined };
      return { endMs: Math.max(...results.map((r) => r?.atMs ?? 0)) };
    });
    const commitMs = await committedMs(ctx, clients[0]!, WAKE_PATH);
    const latencies = commitMs === undefined ? [] : arrived.map((r) => r.atMs - commitMs);
    const summary = summarizeLatencies(latencies);
    return {
      ...measurement,
      clients: count,
      clientsGoal: CLIENTS_GOAL,
      pollsOpen,
      woken: arrived.filter((r) => r.changes).length,
      ...summary,
      // From the rename into A's folder: A's own upload and commit included.
      fromRenameP99Ms:
        arrived.length === 0
          ? null
          : summarizeLatencies(arrived.map((r) => r.atMs - renamedMs)).p99Ms,
      commitAfterRenameMs: commitMs === undefined ? null : commitMs - renamedMs,
      loginSeconds,
    };
  } finally {
    for (const client of clients) client.agent.destroy();
  }
}
