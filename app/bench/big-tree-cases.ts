/**
 * The 100,000-file cases of the sync benchmark: A restarted over the unchanged, synced tree
 * (time until it says it is in sync, and whether it opened any file of the folder: strace of
 * its open calls), and both devices left idle over it (CPU share of each).
 *
 * The tree is synced untimed first, in chunks of 10,000 files (100 folders of 100 files of 1 KiB)
 * moved into A's folder one after the other (each round plans over the whole tree, so fewer,
 * larger chunks prepare it several times faster than chunks of 1,000); should 100,000 files
 * still take longer than the preparation limit, it stops adding chunks there and the cases run
 * over the tree as far as it got (`files` says how many; `filesGoal` what the issue asks).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeSmallFileTree, type TreeFile } from './bench-files.js';
import { measureCase } from './case-measure.js';
import {
  awaitSynced,
  treeExpectations,
  waitForB,
  type BigTree,
  type CaseContext,
  type CaseFigures,
} from './case-kit.js';
import type { FerryEvent } from './ferry-child.js';
import { readCharBytes } from './proc-stats.js';
import { localPath } from './tree-wait.js';

const TREE_ROOT = '/tree-100k';
const FILES_PER_FOLDER = 100;
const FOLDERS_PER_CHUNK = 100;
const FILE_BYTES = 1024;
const FILES_GOAL = 100_000;

async function syncChunk(ctx: CaseContext, index: number, fileCount: number): Promise<TreeFile[]> {
  const chunk = `/c${String(index).padStart(3, '0')}`;
  const staged = ctx.stagingPath(`chunk-${index}`);
  const written = await writeSmallFileTree(staged, {
    folders: Math.ceil(fileCount / FILES_PER_FOLDER),
    filesPerFolder: FILES_PER_FOLDER,
    fileBytes: FILE_BYTES,
  });
  const files = written.map((f) => ({ ...f, relPath: `${chunk}${f.relPath}` }));
  await rename(staged, localPath(ctx.bed.a.folder, `${TREE_ROOT}${chunk}`));
  const wait = await waitForB(ctx, treeExpectations(TREE_ROOT, files), Date.now() + ctx.settleMs);
  if (wait.doneAtMs === undefined) {
    throw new Error(`tree chunk ${index}: B had ${wait.done} of ${wait.total}`);
  }
  return files;
}

/** The synced tree, prepared (untimed, up to the preparation limit) when no case did yet. */
async function ensureBigTree(ctx: CaseContext): Promise<BigTree> {
  if (ctx.state.bigTree !== undefined) return ctx.state.bigTree;
  const total = Math.max(FILES_PER_FOLDER, Math.round(FILES_GOAL * ctx.scale));
  const perChunk = FILES_PER_FOLDER * FOLDERS_PER_CHUNK;
  const startedMs = Date.now();
  const deadlineMs = startedMs + ctx.prepSeconds * 1000;
  await mkdir(localPath(ctx.bed.a.folder, TREE_ROOT));
  const files: TreeFile[] = [];
  for (let index = 0; files.length < total && Date.now() < deadlineMs; index++) {
    files.push(...(await syncChunk(ctx, index, Math.min(perChunk, total - files.length))));
  }
  await awaitSynced(ctx, treeExpectations(TREE_ROOT, files), 'the 100,000-file tree');
  ctx.state.bigTree = {
    root: TREE_ROOT,
    files,
    prepSeconds: Math.round((Date.now() - startedMs) / 1000),
    cutShort: files.length < total,
  };
  return ctx.state.bigTree;
}

function treeFigures(tree: BigTree): CaseFigures {
  return {
    files: tree.files.length,
    filesGoal: FILES_GOAL,
    treePrepSeconds: tree.prepSeconds,
    treeCutShort: tree.cutShort,
  };
}

let straceChecked: Promise<boolean> | undefined;
function hasStrace(): Promise<boolean> {
  straceChecked ??= promisify(execFile)('strace', ['-V']).then(
    () => true,
    () => false,
  );
  return straceChecked;
}

/**
 * Regular files inside `folder` (Ferry's own `.ferry/` left out) that strace saw opened:
 * opening a file is the only way to read its content. Folders (O_DIRECTORY: listings) are not
 * content.
 */
async function contentFilesOpened(traceFile: string, folder: string): Promise<string[]> {
  const opened = new Set<string>();
  const own = `${folder}${path.sep}.ferry${path.sep}`;
  for (const line of (await readFile(traceFile, 'utf8')).split('\n')) {
    const match = /open(?:at2?)?\((?:[^,]+, )?"((?:[^"\\]|\\.)*)", ([^,)]+)/.exec(line);
    if (!match) continue;
    const [, file, flags] = match;
    if (flags!.includes('O_DIRECTORY')) continue;
    if (!file!.startsWith(`${folder}${path.sep}`) || file!.startsWith(own)) continue;
    opened.add(file!);
  }
  return [...opened];
}

export async function runStartup100k(ctx: CaseContext): Promise<CaseFigures> {
  const tree = await ensureBigTree(ctx);
  if (!(await ctx.bed.settle({ timeoutMs: ctx.settleMs }))) throw new Error('did not settle');
  const traced = await hasStrace();
  const traceFile = ctx.stagingPath('startup-opens.strace');
  await ctx.bed.a.sync.stop();
  let events: readonly FerryEvent[] = [];
  let rcharBytes: number | undefined;
  const { measurement } = await measureCase(ctx.bed, async (start) => {
    const startMs = start();
    const a = await ctx.bed.a.restart(traced ? { traceOpensTo: traceFile } : {});
    const idle = await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), startMs + ctx.timeoutMs - Date.now());
      const stop = a.onEvent((event) => {
        if (event.type !== 'state' || event.state !== 'idle') return;
        clearTimeout(timer);
        stop();
        resolve(typeof event.time === 'number' ? event.time : Date.now());
      });
      const already = a.events.find((e) => e.type === 'state' && e.state === 'idle');
      if (already !== undefined) {
        clearTimeout(timer);
        stop();
        resolve(Number(already.time));
      }
    });
    events = a.events;
    rcharBytes = await readCharBytes(a.pid).catch(() => undefined);
    return { endMs: idle };
  });
  const opened = traced ? await contentFilesOpened(traceFile, ctx.bed.a.folder) : undefined;
  return {
    ...treeFigures(tree),
    ...measurement,
    // Changes A found and acted on while starting (none: the tree is unchanged).
    syncedEvents: events.filter((e) => e.type === 'synced').length,
    contentFilesOpened: opened === undefined ? null : opened.length,
    ...(opened !== undefined && opened.length > 0 ? { firstOpened: opened[0] } : {}),
    contentReadMeasuredBy: traced ? 'strace -f --seccomp-bpf (open calls only)' : 'not measured',
    // Everything A read through read() by then: its code, its state database, its sockets.
    rcharMB: rcharBytes === undefined ? null : Math.round(rcharBytes / 1e6),
    straced: traced,
  };
}

export async function runIdle100k(ctx: CaseContext): Promise<CaseFigures> {
  const tree = await ensureBigTree(ctx);
  if (!(await ctx.bed.settle({ timeoutMs: ctx.settleMs }))) throw new Error('did not settle');
  const fromA = ctx.bed.a.sync.events.length;
  const fromB = ctx.bed.b.sync.events.length;
  const { measurement } = await measureCase(ctx.bed, async (start) => {
    start();
    // The measured window itself: nothing is awaited, the devices are left alone.
    await new Promise((resolve) => setTimeout(resolve, ctx.idleSeconds * 1000));
    return { endMs: Date.now() };
  });
  const pct = (cpuSeconds: number) =>
    Math.round((cpuSeconds / measurement.seconds) * 100 * 100) / 100;
  const rounds = (events: readonly FerryEvent[], from: number) =>
    events.slice(from).filter((e) => e.type === 'state' && e.state === 'syncing').length;
  return {
    ...treeFigures(tree),
    ...measurement,
    cpuPct: Math.max(pct(measurement.cpuSeconds.a), pct(measurement.cpuSeconds.b)),
    cpuPctA: pct(measurement.cpuSeconds.a),
    cpuPctB: pct(measurement.cpuSeconds.b),
    serverCpuPct: pct(measurement.cpuSeconds.server),
    // Rounds each device ran while nothing changed (the periodic rescan among them).
    roundsA: rounds(ctx.bed.a.sync.events, fromA),
    roundsB: rounds(ctx.bed.b.sync.events, fromB),
  };
}
