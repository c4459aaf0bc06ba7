/**
 * A conflict's local half (SPEC "Conflicts"): the server's version keeps the path and ours is
 * renamed to `name (conflicted copy from DEVICE …).ext`, a new item that syncs like any file.
 * When both sides turn out to hold the same content (created twice, or our own commit whose
 * record a crash lost) there is no conflict: the agreement is recorded instead.
 */
import { chunkStream, contentHashOf, hashBlock } from '../blocks/index.js';
import { conflictedCopyPath } from '../conflicts/conflicted-copy-name.js';
import type { ConflictCause } from '../plan/index.js';
import type { Rev } from '../protocol/index.js';
import type { ItemId } from '../state/index.js';
import type { ExecuteContext, ExecuteOutcome } from './execute-context.js';
import { makeRoomInSynced } from './synced-room.js';

export interface SetAsideRequest {
  readonly itemId: ItemId;
  readonly path: string;
  readonly cause: ConflictCause;
  /** The server's revision when a commit was refused (newer than the remote tree knows). */
  readonly remoteRev?: Rev | undefined;
  /** Our content's hash when already known (an upload computed it). */
  readonly localContentHash?: string | undefined;
}

/** The server's contentHash of the local file's content (chunked and hashed, not encrypted). */
export async function localContentHash(context: ExecuteContext, path: string): Promise<string> {
  const ids = [];
  for await (const block of chunkStream(context.fs.readFile(path, context.signal))) {
    ids.push(hashBlock(block.bytes));
  }
  return contentHashOf(ids);
}

/** A conflicted-copy path beside `path` that nothing on disk holds yet. */
export async function freeCopyPath(
  context: Pick<ExecuteContext, 'fs' | 'clock' | 'deviceName' | 'signal'>,
  path: string,
): Promise<string> {
  const now = context.clock.nowMs();
  for (let attempt = 1; ; attempt += 1) {
    const candidate = conflictedCopyPath(path, context.deviceName, now, attempt);
    if ((await context.fs.stat(candidate, context.signal)) === undefined) return candidate;
  }
}

export async function setAside(
  context: ExecuteContext,
  request: SetAsideRequest,
): Promise<ExecuteOutcome> {
  const { items } = context.state;
  const local = items.local.get(request.itemId);
  if (local === undefined || local.path !== request.path) return 'stale';
  const remote = items.remote.get(request.itemId) ?? items.remote.getByPath(request.path);

  if (
    request.cause !== 'read_only' &&
    remote?.kind === 'file' &&
    remote.contentHash !== undefined
  ) {
    const hash = request.localContentHash ?? (await localContentHash(context, request.path));
    const sameRevision = request.remoteRev === undefined || request.remoteRev === remote.rev;
    if (hash === remote.contentHash && sameRevision) {
      context.state.transaction(() => {
        if (remote.itemId !== request.itemId) {
          items.remote.delete(remote.itemId);
          items.remote.put({ ...remote, itemId: request.itemId });
        }
        makeRoomInSynced(context.state, request.itemId, remote.path);
        items.synced.put({
          itemId: request.itemId,
          kind: 'file',
          path: remote.path,
          rev: remote.rev,
          sizeBytes: remote.sizeBytes,
          modifiedMs: remote.modifiedMs,
          fingerprint: local.fingerprint,
          syncedMs: context.clock.nowMs(),
        });
      });
      return 'done';
    }
  }

  const copyPath = await freeCopyPath(context, request.path);
  await context.fs.rename(request.path, copyPath);
  const stat = await context.fs.stat(copyPath, context.signal);
  const synced = items.synced.get(request.itemId);
  let conflictId: number | undefined;
  context.state.transaction(() => {
    items.local.delete(request.itemId);
    const copyId = items.create({ kind: 'file', createdMs: context.clock.nowMs() });
    items.local.put({
      ...local,
      itemId: copyId,
      path: copyPath,
      inode: stat?.inode ?? local.inode,
      mtimeMs: stat?.mtimeMs ?? local.mtimeMs,
    });
    if (
      request.remoteRev !== undefined &&
      remote !== undefined &&
      remote.itemId === request.itemId
    ) {
      items.remote.put({ ...remote, rev: request.remoteRev });
    }
    if (request.cause !== 'read_only') {
      conflictId = context.state.conflicts.record({
        itemId: request.itemId,
        reason: 'edit_edit',
        path: request.path,
        conflictedCopyPath: copyPath,
        localRev: synced?.rev,
        remoteRev: request.remoteRev ?? remote?.rev,
        detectedMs: context.clock.nowMs(),
      });
    }
  });
  if (conflictId !== undefined) {
    const conflict = context.state.conflicts.get(conflictId);
    if (conflict !== undefined) context.report.conflict(conflict);
  } else {
    context.report.problem(
      'read_only',
      `${request.path} is in a folder shared with you as viewer: your change is kept as ${copyPath} and not uploaded`,
      copyPath,
    );
  }
  return 'done';
}
