/**
 * Download: the server's version (its blocks: fetch-blocks.ts) is written to a temporary file in the folder's hidden
 * `.ferry/tmp` (same file system, never synced), flushed to disk, given the server's mtime and
 * renamed over the path in one atomic step, so no crash or kill ever leaves a partial file at a
 * real path. The file it replaces is first set aside and checked there (moved-aside.ts): a local
 * edit made meanwhile, even an instant before the rename, is never overwritten (the download is
 * dropped and the next plan sees both changes).
 */
import type { Operation } from '../plan/index.js';
import type { EntryStat } from '../ports.js';
import type { Rev } from '../protocol/index.js';
import type { BlockRef, LocalItem, RemoteItem } from '../state/index.js';
import { crashPoint } from './crash-points.js';
import { fetchBlocks, type FetchedBlock } from './fetch-blocks.js';
import {
  isUnchanged,
  parentOf,
  TEMP_FOLDER,
  type ExecuteContext,
  type ExecuteOutcome,
  type StreamedFile,
} from './execute-context.js';

import { replaceIfUnchanged } from './moved-aside.js';
import { makeRoomInSynced } from './synced-room.js';

type Download = Extract<Operation, { kind: 'download' }>;

/**
 * Creates the local parent folders a download or a move needs, and answers true; or false,
 * creating nothing, when a missing folder on the way is a folder the trees know here at
 * another path (moved on the server, its own move_local not done yet): a new folder made in
 * its place would be a stranger that takes its name, and the folder's move could never land.
 */
export async function ensureParent(context: ExecuteContext, path: string): Promise<boolean> {
  const parent = parentOf(path);
  if (parent === '') return true;
  for (let folder = parent; folder !== ''; folder = parentOf(folder)) {
    if ((await context.fs.stat(folder, context.signal)) !== undefined) break;
    const remote = context.state.items.remote.getByPath(folder);
    const local = remote === undefined ? undefined : context.state.items.local.get(remote.itemId);
    if (local !== undefined && local.path !== folder) return false;
  }
  await context.fs.mkdir(parent);
  return true;
}

/** What a download starts from: the server's row, and ours when the file is known here. */
export interface DownloadPremise {
  readonly operation: Download;
  readonly remote: RemoteItem & { readonly rev: Rev };
  readonly local: LocalItem | undefined;
}

/**
 * The rows a download needs, when the path is still as planned (nothing new there, or our
 * unchanged file) and its folder can be made; else undefined (stale).
 */
export async function downloadPremise(
  context: ExecuteContext,
  operation: Download,
): Promise<DownloadPremise | undefined> {
  const { items } = context.state;
  const remote = items.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path || remote.rev === undefined)
    return undefined;
  const local = items.local.get(operation.itemId);
  if (local !== undefined && local.path !== remote.path) return undefined;
  const occupantBefore = await context.fs.stat(operation.path, context.signal);
  const pathIsOurs =
    local === undefined ? occupantBefore === undefined : isUnchanged(local, occupantBefore);
  if (!pathIsOurs) return undefined;
  // Its folder first: when that cannot be made yet, nothing is downloaded in vain.
  if (!(await ensureParent(context, operation.path))) return undefined;
  return { operation, remote: { ...remote, rev: remote.rev }, local };
}

/** A version written at its path, to be recorded. */
export interface PlacedDownload {
  readonly premise: DownloadPremise;
  /** The file as renamed into place (inode, size, mtime). */
  readonly stat: EntryStat;
  readonly sizeBytes: number;
  readonly fingerprint: string;
  readonly blocks: readonly BlockRef[];
}

/**
 * Writes the version's blocks to a temporary file, flushes it, gives it the server's mtime and
 * renames it over the path if the path is still as the premise found it; undefined if not.
 */
export async function placeDownload(
  context: ExecuteContext,
  premise: DownloadPremise,
  expectedBytes: number,
  blocks: AsyncIterable<FetchedBlock> | Iterable<FetchedBlock>,
): Promise<PlacedDownload | undefined> {
  const { operation, remote } = premise;
  await context.fs.mkdir(TEMP_FOLDER);
  const tempPath = `${TEMP_FOLDER}/${operation.itemId}-${Math.floor(context.clock.nowMs())}`;
  const fingerprinter = await context.createFingerprinter();
  let sizeBytes = 0;
  const blockRefs: BlockRef[] = [];
  try {
    const writer = await context.fs.createFile(tempPath);
    try {
      for await (const block of blocks) {
        await writer.write(block.bytes);
        fingerprinter.update(block.bytes);
        blockRefs.push({
          offsetBytes: sizeBytes,
          sizeBytes: block.bytes.length,
          blockId: block.id,
          xxhash: block.xxhash,
        });
        sizeBytes += block.bytes.length;
        block.release?.();
        crashPoint('download:mid-file');
      }
      if (sizeBytes !== expectedBytes) {
        throw new Error(`download of ${remote.path} gave ${sizeBytes} of ${expectedBytes} bytes`);
      }
      await writer.sync();
    } finally {
      await writer.close();
    }
  } catch (error) {
    await context.fs.removeFile(tempPath).catch(() => undefined);
    throw error;
  }
  return placeWritten(context, premise, {
    tempPath,
    sizeBytes,
    fingerprint: fingerprinter.digest(),
    blocks: blockRefs,
  });
}

/**
 * Gives a flushed temporary file the server's mtime and renames it over the path if the path is
 * still as the premise found it; undefined (the file removed) if not.
 */
export async function placeWritten(
  context: ExecuteContext,
  premise: DownloadPremise,
  written: StreamedFile,
): Promise<PlacedDownload | undefined> {
  const { operation, remote, local } = premise;
  const { tempPath } = written;
  try {
    await context.fs.setMtime(tempPath, remote.modifiedMs);
    // What the file is once renamed (a rename keeps inode, size and mtime), taken here where
    // nobody else writes: a stat after the rename could already see the user's next edit, and
    // recording it with the downloaded fingerprint would hide that edit from every scan.
    const stat = await context.fs.stat(tempPath, context.signal);
    if (stat === undefined) throw new Error(`download of ${remote.path}: temporary file gone`);
    const occupant = await context.fs.stat(operation.path, context.signal);
    const stillOurs = local === undefined ? occupant === undefined : isUnchanged(local, occupant);
    if (!stillOurs) {
      await context.fs.removeFile(tempPath);
      return undefined;
    }
    crashPoint('download:before-rename');
    if (!(await renameIntoPlace(context, local, tempPath, operation.path))) {
      await context.fs.removeFile(tempPath);
      return undefined;
    }
    crashPoint('download:after-rename');
    return {
      premise,
      stat,
      sizeBytes: written.sizeBytes,
      fingerprint: written.fingerprint,
      blocks: written.blocks,
    };
  } catch (error) {
    await context.fs.removeFile(tempPath).catch(() => undefined);
    throw error;
  }
}

/**
 * A new file never replaces one the user created at the path meanwhile; an update replaces our
 * file only if it is still unchanged once set aside (moved-aside.ts). False when it did not go in.
 */
async function renameIntoPlace(
  context: ExecuteContext,
  local: LocalItem | undefined,
  tempPath: string,
  path: string,
): Promise<boolean> {
  if (local !== undefined) return replaceIfUnchanged(context, local, tempPath);
  try {
    await context.fs.renameNoReplace(tempPath, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/** Records a placed download in the local and synced trees; call inside a state transaction. */
export function recordDownload(context: ExecuteContext, placed: PlacedDownload): void {
  const { items } = context.state;
  const { operation, remote } = placed.premise;
  const { stat, fingerprint, sizeBytes, blocks } = placed;
  const now = context.clock.nowMs();
  items.local.put({
    itemId: operation.itemId,
    kind: 'file',
    path: operation.path,
    inode: stat.inode,
    sizeBytes: stat.sizeBytes,
    mtimeMs: stat.mtimeMs,
    fingerprint,
    scannedMs: now,
  });
  makeRoomInSynced(context.state, operation.itemId, operation.path);
  items.synced.put({
    itemId: operation.itemId,
    kind: 'file',
    path: operation.path,
    rev: remote.rev,
    sizeBytes,
    modifiedMs: remote.modifiedMs,
    fingerprint,
    syncedMs: now,
  });
  context.state.blocks.set(operation.itemId, 'local', blocks);
  context.state.blocks.set(operation.itemId, 'synced', blocks);
}

export async function downloadFile(
  context: ExecuteContext,
  operation: Download,
): Promise<ExecuteOutcome> {
  const premise = await downloadPremise(context, operation);
  if (premise === undefined) return 'stale';
  const listing = await context.remote.getFileBlocks(
    { path: premise.remote.path, rev: premise.remote.rev },
    context.signal,
  );
  // Streaming sync: the file may have been assembled while its upload was still going.
  const streams = context.streams;
  let placed: PlacedDownload | undefined;
  try {
    const streamed = await streams?.take(premise.remote.path, listing.blocks, context.signal);
    placed =
      streamed !== undefined
        ? await placeWritten(context, premise, streamed)
        : await placeDownload(
            context,
            premise,
            listing.size,
            fetchBlocks(context, listing.namespace, listing.blocks),
          );
  } finally {
    await streams?.release(premise.remote.path);
  }
  if (placed === undefined) return 'stale';
  context.state.transaction(() => recordDownload(context, placed));
  context.report.synced('download', operation.path, { sizeBytes: placed.sizeBytes });
  return 'done';
}
