/**
 * One round of the crash workload: concurrent block-upload + commit writers (each committing
 * successive versions of its own file with parentRev, sometimes a dedup copy through
 * /blocks/check) and resumable uploaders (every other session deliberately left partial), run
 * until the caller kills the server. Everything is derived from the seed.
 */
import type { FileMetadata, Rev } from 'sync-engine/protocol';
import { UPLOAD_CONTENT_LENGTH_HEADER } from 'sync-engine/protocol';
import { createSeededRandom, seededBytes } from 'sync-engine/testkit';
import { encodeContent } from '../test-blocks.js';
import type { TestResponse } from '../test-server.js';
import type { CrashClient } from './crash-client.js';
import type { CrashLedger } from './crash-ledger.js';

export interface CrashRoundOptions {
  readonly client: CrashClient;
  readonly ledger: CrashLedger;
  readonly round: number;
  readonly seed: number;
  readonly writers: number;
  readonly uploaders: number;
}

/** A running round; `stop()` is called right before the kill, `done` settles after it. */
export interface CrashRound {
  stop(): void;
  readonly done: Promise<void>;
}

interface WorkerContext extends CrashRoundOptions {
  readonly key: Uint8Array;
  isStopped(): boolean;
  /** Records a status nobody expected; a call that throws after stop() is the kill's doing. */
  expect(res: TestResponse, status: number | number[], what: string): boolean;
}

async function commitOnce(
  ctx: WorkerContext,
  path: string,
  content: Uint8Array,
  parentRev: Rev | null,
) {
  const blocks = await encodeContent(content, ctx.key);
  const ids = blocks.map((b) => b.id);
  ctx.ledger.send(path, content, ids);
  const check = await ctx.client.json('POST', '/blocks/check', {
    namespace: ctx.client.rootNamespace,
    hashes: ids,
  });
  if (!ctx.expect(check, 200, `check blocks of ${path}`)) return undefined;
  const missing = new Set((check.body as { missing: string[] }).missing);
  for (const block of blocks.filter((b) => missing.has(b.id))) {
    const put = await ctx.client.send(
      'PUT',
      `/blocks/${ctx.client.rootNamespace}/${block.id}`,
      block.encoded,
    );
    if (!ctx.expect(put, 200, `put block of ${path}`)) return undefined;
  }
  const commit = await ctx.client.json('POST', '/files/commit', {
    path,
    blocks: ids,
    size: content.length,
    modified: 1_700_000_000_000,
    parentRev,
  });
  if (!ctx.expect(commit, 200, `commit ${path}`)) return undefined;
  const rev = (commit.body as FileMetadata).rev;
  ctx.ledger.ack(path, rev, content);
  return content;
}

async function runWriter(ctx: WorkerContext, writer: number): Promise<void> {
  const path = `/round-${ctx.round}/writer-${writer}.bin`;
  // One generator per worker: its choices do not depend on how the workers interleave.
  const random = createSeededRandom(ctx.seed * 64 + writer);
  for (let i = 1; !ctx.isStopped(); i++) {
    // Mostly small files (one block), sometimes one over the 1 MiB chunk minimum.
    const size =
      random() < 0.2
        ? 1_200_000 + Math.floor(random() * 1_800_000)
        : 1 + Math.floor(random() * 400_000);
    const content = seededBytes('random', ctx.seed * 1_000 + writer * 97 + i, size);
    const committed = await commitOnce(ctx, path, content, ctx.ledger.lastAckedRev(path));
    if (!committed) return;
    if (random() < 0.3 && !ctx.isStopped()) {
      // A dedup copy: every block is already there, so only check + commit travel.
      await commitOnce(ctx, `/round-${ctx.round}/copy-${writer}-${i}.bin`, content, null);
    }
  }
}

function rangeEnd(res: TestResponse): number {
  const match = /^bytes=0-(\d+)$/.exec(res.headers.get('range') ?? '');
  return match ? Number(match[1]) + 1 : 0;
}

async function runUploader(ctx: WorkerContext, uploader: number): Promise<void> {
  const random = createSeededRandom(ctx.seed * 64 + 32 + uploader);
  for (let k = 1; !ctx.isStopped(); k++) {
    const total = 300_000 + Math.floor(random() * 2_700_000);
    const content = seededBytes('random', ctx.seed * 7_919 + uploader * 131 + k, total);
    const path = `/round-${ctx.round}/upload-${uploader}-${k}.bin`;
    ctx.ledger.send(path, content);
    const start = await ctx.client.send(
      'POST',
      `/files/upload?uploadType=resumable&path=${encodeURIComponent(path)}`,
      undefined,
      { [UPLOAD_CONTENT_LENGTH_HEADER]: String(total) },
    );
    if (!ctx.expect(start, 200, `start upload ${path}`)) return;
    const session = { location: start.headers.get('location') ?? '', path, content };
    const record = { ...session, ackedBytes: 0, finished: false };
    ctx.ledger.sessions.push(record);
    // Odd sessions stop part-way and stay open, to be resumed after the restart.
    const stopAt = k % 2 === 1 ? Math.floor(total * (0.2 + 0.6 * random())) : total;
    while (record.ackedBytes < stopAt && !ctx.isStopped()) {
      const end = Math.min(stopAt, record.ackedBytes + 65_536 + Math.floor(random() * 458_752));
      const res = await ctx.client.send(
        'PUT',
        record.location,
        content.subarray(record.ackedBytes, end),
        {
          'content-range': `bytes ${record.ackedBytes}-${end - 1}/${total}`,
        },
      );
      if (!ctx.expect(res, [200, 308], `piece of ${path}`)) return;
      if (res.status === 200) {
        record.finished = true;
        record.ackedBytes = total;
        ctx.ledger.ack(path, (res.body as FileMetadata).rev, content);
      } else {
        record.ackedBytes = rangeEnd(res);
      }
    }
  }
}

/** Starts the writers and uploaders of one round. */
export async function startCrashRound(options: CrashRoundOptions): Promise<CrashRound> {
  let stopped = false;
  const ctx: WorkerContext = {
    ...options,
    key: await options.client.keyOf(),
    isStopped: () => stopped,
    expect(res, status, what) {
      const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
      if (!ok) options.ledger.unexpected.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return ok;
    },
  };
  const guard = (work: Promise<void>, name: string) =>
    work.catch((error: unknown) => {
      // After stop() the server is being killed: failed calls are expected then.
      if (!stopped)
        options.ledger.unexpected.push(`${name} failed before the kill: ${String(error)}`);
    });
  const workers = [
    ...Array.from({ length: options.writers }, (_, w) => guard(runWriter(ctx, w), `writer ${w}`)),
    ...Array.from({ length: options.uploaders }, (_, u) =>
      guard(runUploader(ctx, u), `uploader ${u}`),
    ),
  ];
  return {
    stop: () => {
      stopped = true;
    },
    done: Promise.all(workers).then(() => undefined),
  };
}
