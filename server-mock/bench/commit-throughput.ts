/**
 * Commits per second of 500 KB files, the way a client commits: POST /blocks/check, then (when
 * the block is missing) PUT /blocks/{ns}/{hash}, then POST /files/commit. "dedup" commits one
 * block that is already stored under new paths (check + commit only); "upload" sends a fresh
 * block per commit (pre-encoded, so the client's codec does not compete with the server).
 */
import type { FileMetadata, NamespaceId } from 'sync-engine/protocol';
import { BLOCK_CONTENT_TYPE } from 'sync-engine/protocol';
import { encodeContent, type TestBlock } from '../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import type { BenchHttp } from './bench-http.js';
import { summarizeLatencies, type LatencySummary } from './bench-stats.js';

export type CommitMode = 'dedup' | 'upload';

export interface CommitBenchOptions {
  readonly http: BenchHttp;
  readonly namespace: NamespaceId;
  readonly key: Uint8Array;
  readonly mode: CommitMode;
  readonly count: number;
  readonly concurrency: number;
  /** Stop early after this long (the figure then covers the commits made). */
  readonly maxMs: number;
  readonly fileBytes: number;
  /** The server's CPU time so far in ms (user + system, all threads), when it can be read. */
  serverCpuTimeMs?(): Promise<number>;
  /**
   * Further accounts committing at the same time (the seed's load comes from many users):
   * worker w commits as account w mod (1 + their number), the first being `http`'s.
   */
  readonly otherAccounts?: readonly BenchAccount[];
}

/** Who commits: an HTTP client signed in as the account, its root namespace and key. */
export interface BenchAccount {
  readonly http: BenchHttp;
  readonly namespace: NamespaceId;
  readonly key: Uint8Array;
}

export interface CommitBenchResult extends LatencySummary {
  readonly name: string;
  readonly commits: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly commitsPerSec: number;
  /**
   * Server CPU time per commit, and the rate one fully available core would allow at that cost
   * (a load-independent figure on a shared machine; fsync waits are not CPU time).
   */
  readonly serverCpuMsPerCommit?: number;
  readonly cpuBoundCommitsPerSec?: number;
}

async function encodeOne(key: Uint8Array, bytes: number, seed: number): Promise<TestBlock> {
  const blocks = await encodeContent(seededBytes('random', seed, bytes), key);
  if (blocks.length !== 1) throw new Error(`expected one block for ${bytes} bytes`);
  return blocks[0]!;
}

async function commitOne(options: CommitBenchOptions, block: TestBlock, path: string) {
  const { http, namespace } = options;
  const { missing } = await http.json<{ missing: string[] }>('POST', '/blocks/check', {
    namespace,
    hashes: [block.id],
  });
  if (missing.length > 0) {
    const put = await http.request(
      'PUT',
      `/blocks/${namespace}/${block.id}`,
      Buffer.from(block.encoded),
      {
        'content-type': BLOCK_CONTENT_TYPE,
      },
    );
    if (put.status !== 200) throw new Error(`PUT block: ${put.status} ${put.body.toString()}`);
  }
  await http.json<FileMetadata>('POST', '/files/commit', {
    path,
    blocks: [block.id],
    size: block.size,
    modified: 1_700_000_000_000,
    parentRev: null,
  });
}

/** Runs `count` commits with `concurrency` in flight and reports the rate. */
export async function measureCommits(options: CommitBenchOptions): Promise<CommitBenchResult> {
  const runId = `${options.mode}-${Date.now().toString(36)}`;
  const accounts: BenchAccount[] = [options, ...(options.otherAccounts ?? [])];
  const blocksOf: TestBlock[][] = [];
  for (const [n, account] of accounts.entries()) {
    const blocks: TestBlock[] = [];
    const as = { ...options, ...account };
    if (options.mode === 'dedup') {
      const block = await encodeOne(account.key, options.fileBytes, 7);
      await commitOne(as, block, `/bench/${runId}/first.bin`);
      blocks.push(block);
    } else {
      const each = Math.ceil(options.count / accounts.length);
      for (let i = 0; i < each; i++) {
        blocks.push(
          await encodeOne(account.key, options.fileBytes, 1_000 + n * each + i + Date.now()),
        );
      }
    }
    blocksOf.push(blocks);
  }
  const latencies: number[] = [];
  const cpuBefore = await options.serverCpuTimeMs?.();
  let next = 0;
  const started = performance.now();
  const deadline = started + options.maxMs;
  async function worker(w: number): Promise<void> {
    const account = w % accounts.length;
    const as = { ...options, ...accounts[account]! };
    const blocks = blocksOf[account]!;
    while (next < options.count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      await commitOne(as, blocks[i % blocks.length]!, `/bench/${runId}/f-${i}.bin`);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await options.serverCpuTimeMs?.();
  const cpuMs =
    cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : (cpuAfter - cpuBefore) / latencies.length;
  return {
    name: `commit.${options.mode}`,
    commits: latencies.length,
    concurrency: options.concurrency,
    seconds: Math.round(seconds * 100) / 100,
    commitsPerSec: Math.round(latencies.length / seconds),
    ...summarizeLatencies(latencies),
    ...(cpuMs === undefined
      ? {}
      : {
          serverCpuMsPerCommit: Math.round(cpuMs * 100) / 100,
          cpuBoundCommitsPerSec: Math.round(1000 / cpuMs),
        }),
  };
}
