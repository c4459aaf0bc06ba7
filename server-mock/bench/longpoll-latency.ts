/**
 * Long-poll wake-up latency: open N idle GET /notifications/longpoll requests (one user, so one
 * commit wakes them all), wait until the server counts them all as waiting
 * (ferry_longpolls_active), commit, and time each poller from the moment the commit was sent
 * until its answer arrived. Repeated for a few rounds; also samples the server's RSS while the
 * polls are open.
 */
import type { LatestCursorResponse } from '../../sync-engine/src/protocol/index.js';
import type { ProcessMemory } from '../src/crash/server-process.js';
import { createBenchHttp, type BenchHttp } from './bench-http.js';
import { summarizeLatencies, type LatencySummary } from './bench-stats.js';

export interface LongPollBenchOptions {
  readonly baseUrl: string;
  readonly token: string;
  /** Client for setup calls (cursor, metrics). */
  readonly http: BenchHttp;
  readonly pollers: number;
  readonly rounds: number;
  /** Makes one change visible to the user (a commit). */
  commit(): Promise<void>;
  memory(): Promise<ProcessMemory>;
}

export interface LongPollBenchResult extends LatencySummary {
  readonly name: 'longpoll.wakeup';
  readonly pollers: number;
  readonly rounds: number;
  readonly woken: number;
  /** Server RSS with all polls open (the largest over the rounds), MB = 10^6 bytes. */
  readonly rssWithPollsMB: number;
}

async function activePolls(http: BenchHttp): Promise<number> {
  const res = await http.request('GET', '/metrics');
  const match = /^ferry_longpolls_active(?:\{[^}]*\})? (\d+)/m.exec(res.body.toString('utf8'));
  return match ? Number(match[1]) : 0;
}

async function waitForActivePolls(http: BenchHttp, count: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const active = await activePolls(http);
    if (active >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${active} of ${count} long-polls are waiting`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runRound(options: LongPollBenchOptions, pollHttp: BenchHttp) {
  const { cursor } = await options.http.json<LatestCursorResponse>('GET', '/changes/latest_cursor');
  const path = `/notifications/longpoll?cursor=${encodeURIComponent(cursor)}&timeout=120`;
  let committedAt = Number.NaN;
  const polls: Promise<{ latencyMs: number; changes: boolean }>[] = [];
  for (let i = 0; i < options.pollers; i++) {
    polls.push(
      pollHttp.request('GET', path).then((res) => ({
        latencyMs: performance.now() - committedAt,
        changes:
          res.status === 200 && (JSON.parse(res.body.toString()) as { changes: boolean }).changes,
      })),
    );
    // Open in batches so the listen backlog is not overrun.
    if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  await waitForActivePolls(options.http, options.pollers, 60_000);
  const memory = await options.memory();
  committedAt = performance.now();
  await options.commit();
  const answers = await Promise.all(polls);
  return { answers, rssBytes: memory.rssBytes };
}

/** Measures wake-up latency of `pollers` idle long-polls over `rounds` commits. */
export async function measureLongPollWakeup(
  options: LongPollBenchOptions,
): Promise<LongPollBenchResult> {
  const pollHttp = createBenchHttp({
    baseUrl: options.baseUrl,
    token: options.token,
    maxSockets: options.pollers + 16,
  });
  const latencies: number[] = [];
  let woken = 0;
  let rssBytes = 0;
  try {
    for (let round = 0; round < options.rounds; round++) {
      const result = await runRound(options, pollHttp);
      rssBytes = Math.max(rssBytes, result.rssBytes);
      for (const answer of result.answers) {
        latencies.push(answer.latencyMs);
        if (answer.changes) woken++;
      }
    }
  } finally {
    pollHttp.close();
  }
  return {
    name: 'longpoll.wakeup',
    pollers: options.pollers,
    rounds: options.rounds,
    woken,
    rssWithPollsMB: Math.round(rssBytes / 1e6),
    ...summarizeLatencies(latencies),
  };
}
