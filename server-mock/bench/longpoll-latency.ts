/**
 * Long-poll wake-up latency with many idle GET /notifications/longpoll requests open.
 *
 * - targeted: `pollers` polls stay open, most of them from bystander users; each round one
 *   commit by the target user wakes only the target's few polls (the everyday case: one
 *   person's devices among thousands of idle clients).
 * - fan-out: all `pollers` polls belong to the committing user, so one commit wakes every one
 *   of them (the worst case: the server writes `pollers` responses at once).
 *
 * Latency runs from the moment the commit is sent until each poll's answer has arrived. Polls
 * are only counted as open once the server reports them (ferry_longpolls_active).
 */
import type { LatestCursorResponse } from 'sync-engine/protocol';
import { createBenchHttp, type BenchHttp } from './bench-http.js';
import { summarizeLatencies, type LatencySummary } from './bench-stats.js';

export interface LongPollBenchOptions {
  readonly baseUrl: string;
  /** The committing user's token and a client for setup calls (cursor, metrics). */
  readonly token: string;
  readonly http: BenchHttp;
  /** Tokens of other users whose polls stay idle (targeted mode). */
  readonly bystanderTokens: readonly string[];
  readonly pollers: number;
  /** Polls of the committing user per round (targeted mode). */
  readonly targetPollers: number;
  readonly rounds: number;
  /** Makes one change visible to the committing user. */
  commit(): Promise<void>;
  /**
   * Where the polls are held, in turn (several instances); `baseUrl` when absent. The target's
   * polls go to the first, so a commit made elsewhere measures a wake-up across instances.
   */
  readonly pollBaseUrls?: readonly string[];
  /** Long-polls waiting now (summed over instances); this server's /metrics when absent. */
  countActive?(): Promise<number>;
  /** The server's current RSS and main-thread heap, in bytes. */
  memory(): Promise<MemorySample>;
}

export interface MemorySample {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Memory outside the JS heap held by JS objects (buffers and the like). */
  readonly externalBytes: number;
}

export interface LongPollBenchResult extends LatencySummary {
  readonly name: string;
  /** Polls open when each commit was made. */
  readonly pollersOpen: number;
  readonly rounds: number;
  /** Answers with changes=true (should equal samples). */
  readonly woken: number;
  readonly samples: number;
  /** Server RSS with all polls open (largest over the rounds), MB = 10^6 bytes. */
  readonly rssWithPollsMB: number;
  /** Main-thread JS heap and external memory at that same sample. */
  readonly heapUsedMB: number;
  readonly externalMB: number;
}

const NO_SAMPLE: MemorySample = { rssBytes: 0, heapUsedBytes: 0, externalBytes: 0 };

type PollOutcome = Promise<{ doneAt: number; changes: boolean }>;

/** The `ferry_longpolls_active` gauge of the server `http` talks to. */
export async function activePolls(http: BenchHttp): Promise<number> {
  const res = await http.request('GET', '/metrics');
  const match = /^ferry_longpolls_active(?:\{[^}]*\})? (\d+)/m.exec(res.body.toString('utf8'));
  return match ? Number(match[1]) : 0;
}

async function waitForActivePolls(options: LongPollBenchOptions, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const active = await (options.countActive?.() ?? activePolls(options.http));
    if (active >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${active} of ${count} long-polls are waiting`);
    // A /metrics scrape walks every open handle: do not scrape in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Opens `count` polls from the cursor that `http`'s user sees now. */
async function openPolls(
  http: BenchHttp,
  pollHttp: BenchHttp,
  count: number,
): Promise<PollOutcome[]> {
  const { cursor } = await http.json<LatestCursorResponse>('GET', '/changes/latest_cursor');
  const path = `/notifications/longpoll?cursor=${encodeURIComponent(cursor)}&timeout=480`;
  const polls: PollOutcome[] = [];
  for (let i = 0; i < count; i++) {
    polls.push(
      pollHttp.request('GET', path).then((res) => ({
        doneAt: performance.now(),
        changes:
          res.status === 200 && (JSON.parse(res.body.toString()) as { changes: boolean }).changes,
      })),
    );
    // Open in batches so the listen backlog is not overrun.
    if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  return polls;
}

interface Phase {
  latencies: number[];
  woken: number;
  /** The sample with the largest RSS. */
  memory: MemorySample;
}

async function wakeRound(
  options: LongPollBenchOptions,
  phase: Phase,
  polls: PollOutcome[],
  open: number,
) {
  await waitForActivePolls(options, open);
  const sample = await options.memory();
  if (sample.rssBytes > phase.memory.rssBytes) phase.memory = sample;
  const committedAt = performance.now();
  await options.commit();
  for (const answer of await Promise.all(polls)) {
    phase.latencies.push(answer.doneAt - committedAt);
    if (answer.changes) phase.woken++;
  }
}

function resultOf(name: string, options: LongPollBenchOptions, phase: Phase): LongPollBenchResult {
  return {
    name,
    pollersOpen: options.pollers,
    rounds: options.rounds,
    woken: phase.woken,
    samples: phase.latencies.length,
    rssWithPollsMB: Math.round(phase.memory.rssBytes / 1e6),
    heapUsedMB: Math.round(phase.memory.heapUsedBytes / 1e6),
    externalMB: Math.round(phase.memory.externalBytes / 1e6),
    ...summarizeLatencies(phase.latencies),
  };
}

/** Targeted mode: idle bystander polls stay open; each commit wakes the target's polls. */
export async function measureTargetedWakeup(
  options: LongPollBenchOptions,
): Promise<LongPollBenchResult> {
  const idle = options.pollers - options.targetPollers;
  const perUser = Math.ceil(idle / options.bystanderTokens.length);
  const urls = options.pollBaseUrls ?? [options.baseUrl];
  const bystanders = options.bystanderTokens.map((token, i) =>
    createBenchHttp({ baseUrl: urls[i % urls.length]!, token, maxSockets: perUser + 4 }),
  );
  const target = createBenchHttp({
    baseUrl: urls[0]!,
    token: options.token,
    maxSockets: options.targetPollers + 4,
  });
  const phase: Phase = { latencies: [], woken: 0, memory: NO_SAMPLE };
  try {
    let opened = 0;
    for (const http of bystanders) {
      const count = Math.min(perUser, idle - opened);
      // Never awaited: these polls stay idle until the sockets are destroyed at the end.
      for (const poll of await openPolls(http, http, count)) poll.catch(() => undefined);
      opened += count;
    }
    for (let round = 0; round < options.rounds; round++) {
      const polls = await openPolls(options.http, target, options.targetPollers);
      await wakeRound(options, phase, polls, idle + options.targetPollers);
    }
  } finally {
    target.close();
    bystanders.forEach((http) => http.close());
  }
  return resultOf('longpoll.targeted', options, phase);
}

/** Fan-out mode: all polls belong to the committing user; each commit wakes all of them. */
export async function measureFanOutWakeup(
  options: LongPollBenchOptions,
): Promise<LongPollBenchResult> {
  const pollHttp = createBenchHttp({
    baseUrl: options.baseUrl,
    token: options.token,
    maxSockets: options.pollers + 16,
  });
  const phase: Phase = { latencies: [], woken: 0, memory: NO_SAMPLE };
  try {
    for (let round = 0; round < options.rounds; round++) {
      const polls = await openPolls(options.http, pollHttp, options.pollers);
      await wakeRound(options, phase, polls, options.pollers);
    }
  } finally {
    pollHttp.close();
  }
  return resultOf('longpoll.fanout', options, phase);
}
