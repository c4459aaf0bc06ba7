/**
 * Test harness: the executors of `execute/` on the sync model, step for step: the same premise
 * checks (and 'stale' answers), the same disk and server calls, the same tree updates in one
 * transaction at the end. Each executor is a generator that yields wherever the real one awaits
 * I/O, so a test can interleave several operations (the loop runs 8 at once) and inject a
 * failure at any of those points (a lost connection, a crash between two steps).
 * Pure: imported only by the planner's tests.
 */
import { conflictedCopyPath } from '../conflicts/conflicted-copy-name.js';
import type { Rev } from '../protocol/index.js';
import { contentHashOf, type DiskEntry, type ServerFile } from './model-sides.fixture.js';
import { fingerprintOf, transaction, type SyncModel } from './model-sync.fixture.js';
import { ModelError, type ModelLocalRow } from './model-trees.fixture.js';
import type { ConflictCause, Operation, PlanItemId } from './plan-types.js';

export type ModelOutcome = 'done' | 'stale';
/** An executor as steps: each `yield` is an await of the real one. */
export type ModelSteps = Generator<void, ModelOutcome, void>;

type Of<K extends Operation['kind']> = Extract<Operation, { kind: K }>;

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** `isUnchanged` of execute-context.ts: the entry on disk is still what the local tree says. */
function isUnchanged(row: ModelLocalRow, stat: DiskEntry | undefined): boolean {
  return (
    stat !== undefined &&
    stat.kind === row.kind &&
    stat.inode === row.inode &&
    (row.kind === 'folder' ||
      (stat.content.length === row.sizeBytes && stat.mtimeMs === row.mtimeMs))
  );
}

/** The executor of `operation`, as steps (`execute/execute-operation.ts`). */
export function executeSteps(model: SyncModel, operation: Operation): ModelSteps {
  switch (operation.kind) {
    case 'upload':
      return upload(model, operation);
    case 'download':
      return download(model, operation);
    case 'mkdir_local':
      return mkdirLocal(model, operation);
    case 'mkdir_remote':
      return mkdirRemote(model, operation);
    case 'delete_local':
      return deleteLocal(model, operation);
    case 'delete_remote':
      return deleteRemote(model, operation);
    case 'move_local':
      return moveLocal(model, operation);
    case 'move_remote':
      return moveRemote(model, operation);
    case 'conflict':
      return setAside(model, {
        itemId: operation.itemId,
        path: operation.path,
        cause: operation.cause,
      });
    case 'record':
      return record(model, operation);
    case 'forget':
      return forget(model, operation);
  }
}

/** Runs one operation to its end, as `executeOperation` does. */
export function applyOperation(model: SyncModel, operation: Operation): ModelOutcome {
  const steps = executeSteps(model, operation);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

function recordCommitted(
  model: SyncModel,
  itemId: PlanItemId,
  file: ServerFile,
  fingerprint: string,
): void {
  const existing = model.remote.list().find((row) => row.fileId === file.fileId);
  if (existing !== undefined && existing.itemId !== itemId) model.remote.delete(existing.itemId);
  const occupant = model.remote.getByPath(file.path);
  if (occupant !== undefined && occupant.itemId !== itemId) model.remote.delete(occupant.itemId);
  model.remote.put({
    itemId,
    kind: 'file',
    path: file.path,
    rev: file.rev,
    contentHash: contentHashOf(file.content),
    fileId: file.fileId,
    modifiedMs: file.modifiedMs,
  });
  model.synced.put({ itemId, kind: 'file', path: file.path, rev: file.rev, fingerprint });
}

/** As `leaveOldCopyBehind` (execute/cross-share.ts): the old copy becomes an item of its own. */
function leaveOldCopyBehind(model: SyncModel, itemId: PlanItemId, newPath: string): void {
  const old = model.remote.get(itemId);
  if (old === undefined || old.path === newPath) return;
  const base = model.synced.get(itemId);
  const oldCopy = model.items.create(old.kind);
  model.remote.delete(itemId);
  model.remote.put({ ...old, itemId: oldCopy });
  if (base !== undefined) {
    model.synced.delete(itemId);
    model.synced.put({ ...base, itemId: oldCopy, copiedAcross: true });
  }
}

function* upload(model: SyncModel, operation: Of<'upload'>): ModelSteps {
  const local = model.local.get(operation.itemId);
  if (local === undefined || local.path !== operation.path) return 'stale';
  if (operation.crossShare === true && model.remote.get(operation.itemId)?.path === operation.path)
    return 'stale';
  const before = model.disk.stat(operation.path);
  yield;
  if (!isUnchanged(local, before)) return 'stale';
  const content = model.disk.read(operation.path);
  yield; // the blocks are sent
  const after = model.disk.stat(operation.path);
  yield;
  if (!isUnchanged(local, after)) return 'stale';
  const fingerprint = fingerprintOf(content);
  const result = model.server.commit(
    { path: operation.path, content, parentRev: operation.parentRev, modifiedMs: local.mtimeMs },
    'client',
  );
  yield; // the server's answer
  if (result.kind === 'rev_conflict') {
    return yield* setAside(model, {
      itemId: operation.itemId,
      path: operation.path,
      cause: 'edit_edit',
      remoteRev: result.currentRev ?? undefined,
      localContentHash: contentHashOf(content),
    });
  }
  transaction(model, () => {
    if (operation.crossShare === true) {
      leaveOldCopyBehind(model, operation.itemId, result.file.path);
    }
    recordCommitted(model, operation.itemId, result.file, fingerprint);
    const current = model.local.get(operation.itemId);
    if (current !== undefined && current.path === local.path) {
      model.local.put({ ...current, fingerprint });
    }
    if (operation.restoresDeleted === true) {
      model.conflicts.push({
        itemId: operation.itemId,
        reason: 'edit_delete',
        path: operation.path,
      });
    }
  });
  return 'done';
}

function* download(model: SyncModel, operation: Of<'download'>): ModelSteps {
  const remote = model.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path || remote.rev === undefined)
    return 'stale';
  const local = model.local.get(operation.itemId);
  if (local !== undefined && local.path !== remote.path) return 'stale';
  const occupantBefore = model.disk.stat(operation.path);
  yield;
  const pathIsOurs =
    local === undefined ? occupantBefore === undefined : isUnchanged(local, occupantBefore);
  if (!pathIsOurs) return 'stale';
  const content = model.server.download(remote.path, remote.rev);
  yield; // the body arrives in the temporary file
  const parent = parentOf(operation.path);
  if (parent !== '') model.disk.mkdir(parent);
  yield;
  // The last check and the rename over the path are one step here: the real window between
  // them is a stat's answer, and a user's write inside it is not modelled.
  const occupant = model.disk.stat(operation.path);
  const stillOurs = local === undefined ? occupant === undefined : isUnchanged(local, occupant);
  if (!stillOurs) return 'stale';
  model.disk.placeFile(operation.path, content, remote.modifiedMs);
  // Stat'ed right after the rename, in the same step: a write in between (the real window is
  // a rename's answer) would be recorded with the downloaded content's fingerprint.
  const stat = model.disk.stat(operation.path);
  yield;
  if (stat === undefined) return 'stale';
  const fingerprint = fingerprintOf(content);
  transaction(model, () => {
    model.local.put({
      itemId: operation.itemId,
      kind: 'file',
      path: operation.path,
      inode: stat.inode,
      sizeBytes: stat.content.length,
      mtimeMs: stat.mtimeMs,
      fingerprint,
    });
    model.synced.put({
      itemId: operation.itemId,
      kind: 'file',
      path: operation.path,
      rev: remote.rev,
      fingerprint,
    });
  });
  return 'done';
}

function recordFolder(model: SyncModel, itemId: PlanItemId, path: string): void {
  model.synced.put({ itemId, kind: 'folder', path });
}

function* mkdirLocal(model: SyncModel, operation: Of<'mkdir_local'>): ModelSteps {
  const remote = model.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path) return 'stale';
  const existing = model.disk.stat(operation.path);
  yield;
  if (existing !== undefined && existing.kind !== 'folder') return 'stale';
  model.disk.mkdir(operation.path);
  yield;
  const stat = model.disk.stat(operation.path);
  yield;
  if (stat === undefined) return 'stale';
  transaction(model, () => {
    const occupant = model.local.getByPath(operation.path);
    if (occupant !== undefined && occupant.itemId !== operation.itemId)
      model.local.delete(occupant.itemId);
    model.local.put({
      itemId: operation.itemId,
      kind: 'folder',
      path: operation.path,
      inode: stat.inode,
      sizeBytes: 0,
      mtimeMs: stat.mtimeMs,
    });
    recordFolder(model, operation.itemId, operation.path);
  });
  return 'done';
}

function* mkdirRemote(model: SyncModel, operation: Of<'mkdir_remote'>): ModelSteps {
  const local = model.local.get(operation.itemId);
  if (local === undefined || local.path !== operation.path) return 'stale';
  yield;
  const folder = model.server.mkdir(operation.path, 'client');
  yield;
  transaction(model, () => {
    if (operation.crossShare === true) leaveOldCopyBehind(model, operation.itemId, folder.path);
    for (const other of [
      model.remote.list().find((row) => row.fileId === folder.fileId),
      model.remote.getByPath(folder.path),
    ]) {
      if (other !== undefined && other.itemId !== operation.itemId)
        model.remote.delete(other.itemId);
    }
    model.remote.put({
      itemId: operation.itemId,
      kind: 'folder',
      path: folder.path,
      fileId: folder.fileId,
      modifiedMs: 0,
      mount: folder.mount,
    });
    recordFolder(model, operation.itemId, folder.path);
  });
  return 'done';
}

function* deleteRemote(model: SyncModel, operation: Of<'delete_remote'>): ModelSteps {
  const remote = model.remote.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.path) return 'stale';
  yield;
  try {
    model.server.delete(operation.path, 'client');
  } catch (error) {
    if (!(error instanceof ModelError && error.code === 'not_found')) throw error;
  }
  yield;
  transaction(model, () => {
    for (const row of [...model.remote.listUnder(operation.path), remote]) {
      model.remote.delete(row.itemId);
      if (model.local.get(row.itemId) === undefined) model.synced.delete(row.itemId);
    }
  });
  return 'done';
}

function* deleteLocal(model: SyncModel, operation: Of<'delete_local'>): ModelSteps {
  const local = model.local.get(operation.itemId);
  if (local === undefined || local.path !== operation.path) return 'stale';
  // Checked and removed in one step (the real one renames the file aside, then checks it).
  // Gone from its path since the scan: stale, the next scan says whether it moved.
  const stat = model.disk.stat(operation.path);
  if (!isUnchanged(local, stat)) return 'stale';
  if (local.kind === 'file') {
    model.disk.removeFile(operation.path);
  } else {
    try {
      model.disk.removeFolder(operation.path);
    } catch (error) {
      if (!(error instanceof ModelError && error.code === 'ENOTEMPTY')) throw error;
      transaction(model, () => model.synced.delete(operation.itemId));
      return 'stale';
    }
  }
  yield;
  transaction(model, () => {
    model.local.delete(operation.itemId);
    model.synced.delete(operation.itemId);
  });
  return 'done';
}

/** `moveSynced` of tree-operations.ts. */
function moveSynced(model: SyncModel, itemId: PlanItemId, to: string): void {
  const synced = model.synced.get(itemId);
  if (synced === undefined || synced.path === to) return;
  const occupant = model.synced.getByPath(to);
  if (occupant !== undefined) model.synced.delete(occupant.itemId);
  model.synced.movePath(synced.path, to);
}

function* moveRemote(model: SyncModel, operation: Of<'move_remote'>): ModelSteps {
  const remote = model.remote.get(operation.itemId);
  const local = model.local.get(operation.itemId);
  if (remote === undefined || remote.path !== operation.from) return 'stale';
  if (operation.aside === true) {
    if (local === undefined || model.remote.getByPath(operation.to) !== undefined) return 'stale';
  } else if (local === undefined || local.path !== operation.to) return 'stale';
  yield;
  model.server.move(operation.from, operation.to, 'client');
  yield;
  transaction(model, () => {
    model.remote.movePath(operation.from, operation.to);
    moveSynced(model, operation.itemId, operation.to);
  });
  return 'done';
}

function* moveLocal(model: SyncModel, operation: Of<'move_local'>): ModelSteps {
  const local = model.local.get(operation.itemId);
  const remote = model.remote.get(operation.itemId);
  if (local === undefined || local.path !== operation.from) return 'stale';
  if (remote === undefined) return 'stale';
  if (operation.aside !== true && remote.path !== operation.to) return 'stale';
  const stat = model.disk.stat(operation.from);
  yield;
  if (!isUnchanged(local, stat)) return 'stale';
  // The free target, its parent and the rename in one step (as for downloads).
  if (model.disk.stat(operation.to) !== undefined) return 'stale';
  const parent = parentOf(operation.to);
  if (parent !== '') model.disk.mkdir(parent);
  model.disk.rename(operation.from, operation.to);
  yield;
  transaction(model, () => {
    model.local.movePath(operation.from, operation.to);
    moveSynced(model, operation.itemId, operation.to);
    if (operation.renameConflict === true) {
      model.conflicts.push({
        itemId: operation.itemId,
        reason: 'rename_rename',
        path: operation.to,
      });
    }
  });
  return 'done';
}

interface SetAsideRequest {
  readonly itemId: PlanItemId;
  readonly path: string;
  readonly cause: ConflictCause;
  readonly remoteRev?: Rev | undefined;
  readonly localContentHash?: string | undefined;
}

/** `setAside` of set-aside.ts: same content is agreement; else ours becomes a conflicted copy. */
function* setAside(model: SyncModel, request: SetAsideRequest): ModelSteps {
  const local = model.local.get(request.itemId);
  if (local === undefined || local.path !== request.path) return 'stale';
  const remote = model.remote.get(request.itemId) ?? model.remote.getByPath(request.path);
  if (
    request.cause !== 'read_only' &&
    remote?.kind === 'file' &&
    remote.contentHash !== undefined
  ) {
    let hash = request.localContentHash;
    if (hash === undefined) {
      hash = contentHashOf(model.disk.read(request.path));
      yield;
    }
    const sameRevision = request.remoteRev === undefined || request.remoteRev === remote.rev;
    if (hash === remote.contentHash && sameRevision) {
      transaction(model, () => {
        if (remote.itemId !== request.itemId) {
          model.remote.delete(remote.itemId);
          model.remote.put({ ...remote, itemId: request.itemId });
        }
        model.synced.put({
          itemId: request.itemId,
          kind: 'file',
          path: remote.path,
          rev: remote.rev,
          fingerprint: local.fingerprint,
        });
      });
      return 'done';
    }
  }
  const now = model.clock.now();
  let copyPath = '';
  for (let attempt = 1; ; attempt += 1) {
    copyPath = conflictedCopyPath(request.path, model.deviceName, now, attempt);
    const taken = model.disk.stat(copyPath) !== undefined;
    yield;
    if (!taken) break;
  }
  model.disk.rename(request.path, copyPath);
  yield;
  const stat = model.disk.stat(copyPath);
  yield;
  transaction(model, () => {
    model.local.delete(request.itemId);
    const copyId = model.items.create('file');
    model.local.put({
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
      model.remote.put({ ...remote, rev: request.remoteRev });
    }
    if (request.cause !== 'read_only') {
      model.conflicts.push({
        itemId: request.itemId,
        reason: 'edit_edit',
        path: request.path,
        conflictedCopyPath: copyPath,
      });
    }
  });
  return 'done';
}

// eslint-disable-next-line require-yield -- recording does no I/O: nothing to wait for
function* record(model: SyncModel, operation: Of<'record'>): ModelSteps {
  const local = model.local.get(operation.itemId);
  const remote = model.remote.get(operation.itemId);
  if (local === undefined || remote === undefined || local.path !== remote.path) return 'stale';
  const synced = model.synced.get(operation.itemId);
  transaction(model, () => {
    const occupant = model.synced.getByPath(remote.path);
    if (occupant !== undefined && occupant.itemId !== operation.itemId)
      model.synced.delete(occupant.itemId);
    if (remote.kind === 'folder') {
      if (synced !== undefined && synced.path !== remote.path)
        moveSynced(model, operation.itemId, remote.path);
      else recordFolder(model, operation.itemId, remote.path);
    } else if (synced !== undefined) {
      model.synced.put({ ...synced, path: remote.path });
    }
  });
  return 'done';
}

// eslint-disable-next-line require-yield -- forgetting does no I/O: nothing to wait for
function* forget(model: SyncModel, operation: Of<'forget'>): ModelSteps {
  transaction(model, () => model.synced.delete(operation.itemId));
  return 'done';
}
