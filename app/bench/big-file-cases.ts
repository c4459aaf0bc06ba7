/**
 * The big-file cases of the sync benchmark: a new 1 GiB file, a 1-byte change in the middle of
 * it, and a 1-byte insertion at the start of a 256 MiB file (written beside it, then renamed
 * over it, as an editor saves).
 */
import { lstat, open, rename } from 'node:fs/promises';
import { flushDisk, writePrefixedCopy, writeRandomFile } from './bench-files.js';
import {
  MiB,
  awaitSynced,
  bringIn,
  commonFigures,
  currentVersionOnB,
  scaledBytes,
  timedChange,
  type CaseContext,
  type CaseFigures,
} from './case-kit.js';
import { localPath, type Expectation } from './tree-wait.js';

const GiB = 1024 * MiB;
const BIG_PATH = '/big-1gib.bin';
const INSERT_PATH = '/insert-256mib.bin';

/** The synced 1 GiB file (scaled), syncing it untimed when no earlier case did. */
async function ensureBigFile(ctx: CaseContext) {
  if (ctx.state.bigFile !== undefined) return ctx.state.bigFile;
  const sizeBytes = scaledBytes(ctx, GiB);
  const expectations = [{ path: BIG_PATH, sizeBytes }];
  const onA = await lstat(localPath(ctx.bed.a.folder, BIG_PATH)).catch(() => undefined);
  if (onA === undefined) {
    const staged = ctx.stagingPath('big.bin');
    await writeRandomFile(staged, sizeBytes);
    await bringIn(ctx, staged, BIG_PATH, expectations, 'the 1 GiB file');
  } else {
    // sync.new_1gib timed out: let it finish.
    await awaitSynced(ctx, expectations, 'the 1 GiB file');
  }
  ctx.state.bigFile = { path: BIG_PATH, sizeBytes };
  return ctx.state.bigFile;
}

export async function runNew1GiB(ctx: CaseContext): Promise<CaseFigures> {
  const sizeBytes = scaledBytes(ctx, GiB);
  const staged = ctx.stagingPath('new.bin');
  await writeRandomFile(staged, sizeBytes);
  const expectations = [{ path: BIG_PATH, sizeBytes }];
  const outcome = await timedChange(
    ctx,
    () => rename(staged, localPath(ctx.bed.a.folder, BIG_PATH)),
    expectations,
  );
  if (outcome.wait.doneAtMs !== undefined) ctx.state.bigFile = { path: BIG_PATH, sizeBytes };
  return { sizeBytes, ...(await commonFigures(ctx, outcome, expectations)) };
}

export async function runEdit1GiB(ctx: CaseContext): Promise<CaseFigures> {
  const big = await ensureBigFile(ctx);
  const offset = Math.floor(big.sizeBytes / 2);
  const file = localPath(ctx.bed.a.folder, big.path);
  const handle = await open(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    const expectations: Expectation[] = [
      {
        path: big.path,
        sizeBytes: big.sizeBytes,
        replaces: await currentVersionOnB(ctx, big.path),
      },
    ];
    const outcome = await timedChange(
      ctx,
      async () => {
        await handle.write(byte, 0, 1, offset);
        await handle.close();
      },
      expectations,
    );
    return {
      sizeBytes: big.sizeBytes,
      offset,
      ...(await commonFigures(ctx, outcome, expectations)),
    };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export async function runInsert256MiB(ctx: CaseContext): Promise<CaseFigures> {
  const sizeBytes = scaledBytes(ctx, 256 * MiB);
  const original = ctx.stagingPath('insert-original.bin');
  await writeRandomFile(original, sizeBytes);
  // Kept for the edited copy: once moved in, A's folder holds the synced original.
  const edited = ctx.stagingPath('insert-edited.bin');
  await writePrefixedCopy(original, edited, Buffer.from([0x42]));
  await bringIn(ctx, original, INSERT_PATH, [{ path: INSERT_PATH, sizeBytes }], 'the 256 MiB file');
  await flushDisk();
  const expectations: Expectation[] = [
    {
      path: INSERT_PATH,
      sizeBytes: sizeBytes + 1,
      replaces: await currentVersionOnB(ctx, INSERT_PATH),
    },
  ];
  const outcome = await timedChange(
    ctx,
    () => rename(edited, localPath(ctx.bed.a.folder, INSERT_PATH)),
    expectations,
  );
  return { sizeBytes: sizeBytes + 1, ...(await commonFigures(ctx, outcome, expectations)) };
}
