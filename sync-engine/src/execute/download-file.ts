/**
 * Download: the server's version (its blocks: fetch-blocks.ts) is written to a temporary file in the folder's hidden
 * `.ferry/tmp` (same file system, never synced), flushed to disk, given the server's mtime and
 * renamed over the path in one atomic step, so no crash or kill ever leaves a partial file at a
 * real path. The path is checked just before the rename: a local edit made meanwhile is never
 * overwritten (the download is dropped and the next plan sees both changes).
 */
import type { Operation } from '../plan/index.js';
import type { EntryStat } from '../ports.js';
import type { BlockRef } from '../state/index.js';
import { crashPoint } from './crash-points.js';
import { fetchBlocks } from './fetch-blocks.js';
import {
  isUnchanged,
  parentOf,
  TEMP_FOLDER,
  type ExecuteContext,
  type ExecuteOutcome,
} from './execute-context.js';

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

export async function downloadFile(
  context: ExecuteContext,
  operation: Download,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const remote = items.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path || remote.rev === undefined)
    return 'stale';
  const local = items.local.get(operation.itemId);
  if (local !== undefined && local.path !== remote.path) return 'stale';
  const occupantBefore = await context.fs.stat(operation.path, context.signal);
  const pathIsOurs =
    local === undefined ? occupantBefore === undefined : isUnchanged(local, occupantBefore);
  if (!pathIsOurs) return 'stale';
  // Its folder first: when that cannot be made yet, nothing is downloaded in vain.
  if (!(await ensureParent(context, operation.path))) return 'stale';

  await context.fs.mkdir(TEMP_FOLDER);
  const tempPath = `${TEMP_FOLDER}/${operation.itemId}-${Math.floor(context.clock.nowMs())}`;
  const fingerprinter = await context.createFingerprinter();
  let sizeBytes = 0;
  let written: EntryStat | undefined;
  const listing = await context.remote.getFileBlocks(
    { path: remote.path, rev: remote.rev },
    context.signal,
  );
  const blockRefs: BlockRef[] = [];
  try {
    const writer = await context.fs.createFile(tempPath);
    try {
      for await (const block of fetchBlocks(context, listing.namespace, listing.blocks)) {
        await writer.write(block.bytes);
        fingerprinter.update(block.bytes);
        blockRefs.push({
          offsetBytes: sizeBytes,
          sizeBytes: block.bytes.length,
          blockId: block.id,
        });
        sizeBytes += block.bytes.length;
        crashPoint('download:mid-file');
      }
      if (sizeBytes !== listing.size) {
        throw new Error(`download of ${remote.path} gave ${sizeBytes} of ${listing.size} bytes`);
      }
      await writer.sync();
    } finally {
      await writer.close();
    }
    await context.fs.setMtime(tempPath, remote.modifiedMs);
    // What the file is once renamed (a rename keeps inode, size and mtime), taken here where
    // nobody else writes: a stat after the rename could already see the user's next edit, and
    // recording it with the downloaded fingerprint would hide that edit from every scan.
    written = await context.fs.stat(tempPath, context.signal);
    if (written === undefined) throw new Error(`download of ${remote.path}: temporary file gone`);
    const occupant = await context.fs.stat(operation.path, context.signal);
    const stillOurs = local === undefined ? occupant === undefined : isUnchanged(local, occupant);
    if (!stillOurs) {
      await context.fs.removeFile(tempPath);
      return 'stale';
    }
    crashPoint('download:before-rename');
    await context.fs.rename(tempPath, operation.path);
    crashPoint('download:after-rename');
  } catch (error) {
    await context.fs.removeFile(tempPath).catch(() => undefined);
    throw error;
  }
  const stat = written;
  const fingerprint = fingerprinter.digest();
  const now = context.clock.nowMs();
  context.state.transaction(() => {
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
    context.state.blocks.set(operation.itemId, 'local', blockRefs);
    context.state.blocks.set(operation.itemId, 'synced', blockRefs);
  });
  context.report.synced('download', operation.path, { sizeBytes });
  return 'done';
}
