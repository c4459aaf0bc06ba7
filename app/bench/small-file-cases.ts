/**
 * The many-small-files cases of the sync benchmark: 10,000 files of 10 KiB in 100 folders moved
 * into A's folder, then the folder holding them renamed, then deleted (moved out of A's folder:
 * to the engine a folder that vanished at once, like `rm -r` without its own duration).
 */
import { lstat, rename } from 'node:fs/promises';
import { flushDisk, writeSmallFileTree, type TreeFile } from './bench-files.js';
import {
  awaitSynced,
  bringIn,
  commonFigures,
  goneExpectations,
  timedChange,
  treeExpectations,
  type CaseContext,
  type CaseFigures,
  type TimedOutcome,
} from './case-kit.js';
import { localPath } from './tree-wait.js';

const SMALL_ROOT = '/small-10k';
const RENAMED_ROOT = '/small-10k-renamed';
const FILES_PER_FOLDER = 100;
const FILE_BYTES = 10 * 1024;

async function writeSmallTree(ctx: CaseContext): Promise<{ staged: string; files: TreeFile[] }> {
  const staged = ctx.stagingPath('small');
  const folders = Math.max(1, Math.round(100 * ctx.scale));
  const files = await writeSmallFileTree(staged, {
    folders,
    filesPerFolder: FILES_PER_FOLDER,
    fileBytes: FILE_BYTES,
  });
  await flushDisk();
  return { staged, files };
}

function rate(outcome: TimedOutcome): { filesPerSecond: number } {
  const { seconds } = outcome.measurement;
  return { filesPerSecond: seconds > 0 ? Math.round((outcome.wait.done / seconds) * 10) / 10 : 0 };
}

/** The synced small-file tree, syncing it untimed when no earlier case left it in sync. */
async function ensureSmallTree(ctx: CaseContext) {
  if (ctx.state.smallTree !== undefined) return ctx.state.smallTree;
  const pending = ctx.state.smallTreePending;
  if (pending !== undefined) {
    // sync.small_10k timed out: let it finish.
    await awaitSynced(ctx, treeExpectations(pending.root, pending.files), 'the 10,000 files');
    ctx.state.smallTree = pending;
  } else {
    const { staged, files } = await writeSmallTree(ctx);
    await bringIn(ctx, staged, SMALL_ROOT, treeExpectations(SMALL_ROOT, files), 'the 10,000 files');
    ctx.state.smallTree = { root: SMALL_ROOT, files };
  }
  ctx.state.smallTreePending = undefined;
  return ctx.state.smallTree;
}

export async function runSmall10k(ctx: CaseContext): Promise<CaseFigures> {
  const onA = await lstat(localPath(ctx.bed.a.folder, SMALL_ROOT)).catch(() => undefined);
  if (onA !== undefined) throw new Error(`${SMALL_ROOT} is in A's folder already`);
  const { staged, files } = await writeSmallTree(ctx);
  const expectations = treeExpectations(SMALL_ROOT, files);
  const outcome = await timedChange(
    ctx,
    () => rename(staged, localPath(ctx.bed.a.folder, SMALL_ROOT)),
    expectations,
  );
  if (outcome.wait.doneAtMs !== undefined) ctx.state.smallTree = { root: SMALL_ROOT, files };
  else ctx.state.smallTreePending = { root: SMALL_ROOT, files };
  return {
    fileBytes: FILE_BYTES,
    ...rate(outcome),
    ...(await commonFigures(ctx, outcome, expectations)),
  };
}

export async function runRename10k(ctx: CaseContext): Promise<CaseFigures> {
  const tree = await ensureSmallTree(ctx);
  const to = tree.root === RENAMED_ROOT ? SMALL_ROOT : RENAMED_ROOT;
  const expectations = [
    ...goneExpectations(tree.root, tree.files),
    ...treeExpectations(to, tree.files),
  ];
  const outcome = await timedChange(
    ctx,
    () => rename(localPath(ctx.bed.a.folder, tree.root), localPath(ctx.bed.a.folder, to)),
    expectations,
  );
  ctx.state.smallTree = undefined;
  if (outcome.wait.doneAtMs !== undefined) ctx.state.smallTree = { root: to, files: tree.files };
  else ctx.state.smallTreePending = { root: to, files: tree.files };
  return { from: tree.root, to, ...(await commonFigures(ctx, outcome, expectations)) };
}

export async function runDelete10k(ctx: CaseContext): Promise<CaseFigures> {
  const tree = await ensureSmallTree(ctx);
  const expectations = goneExpectations(tree.root, tree.files);
  const outcome = await timedChange(
    ctx,
    () => rename(localPath(ctx.bed.a.folder, tree.root), ctx.stagingPath('deleted')),
    expectations,
  );
  ctx.state.smallTree = undefined;
  return {
    deletedFiles: tree.files.length,
    ...(await commonFigures(ctx, outcome, expectations)),
  };
}
