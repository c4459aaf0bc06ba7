/**
 * The intent log of commits: written just before a commit request, cleared with the commit's
 * record (or its refusal). One left behind means the process died while the commit was in
 * flight; after the next pull, `settleCommitIntents` finishes it: if the server's version at the
 * item is ours (same content hash), the merge base becomes that version, so a further local
 * edit is an ordinary upload and not a conflict with our own commit. Otherwise the intent is
 * dropped and the planner decides as usual. Kept in the settings table, keyed by item.
 */
import type { ClientState, ItemId, RemoteItem } from '../state/index.js';
import { leaveOldCopyBehind } from './cross-share.js';
import { makeRoomInSynced } from './synced-room.js';

const PREFIX = 'commit-intent:';

export interface CommitIntent {
  readonly path: string;
  readonly contentHash: string;
  readonly fingerprint: string;
  readonly sizeBytes: number;
}

export function recordCommitIntent(state: ClientState, itemId: ItemId, intent: CommitIntent): void {
  state.settings.set(`${PREFIX}${itemId}`, { ...intent });
}

export function clearCommitIntent(state: ClientState, itemId: ItemId): void {
  state.settings.delete(`${PREFIX}${itemId}`);
}

/** Finishes or drops every intent a crash left; run after a pull, in a transaction. */
export function settleCommitIntents(state: ClientState, nowMs: number): number {
  const { items } = state;
  let settled = 0;
  for (const [key, value] of Object.entries(state.settings.list())) {
    if (!key.startsWith(PREFIX)) continue;
    const itemId = key.slice(PREFIX.length) as ItemId;
    const intent = value as unknown as CommitIntent;
    if (settleCopy(state, itemId, intent, nowMs)) {
      settled += 1;
      state.settings.delete(key);
      continue;
    }
    const remote = items.remote.get(itemId) ?? adoptMovedCommit(state, itemId, intent);
    // Ours only as a new version: the one already agreed with the same content (the old copy of
    // a copy across a share's boundary, still where it was) says nothing of the commit.
    if (
      remote !== undefined &&
      remote.contentHash === intent.contentHash &&
      remote.rev !== undefined &&
      remote.rev !== items.synced.get(itemId)?.rev
    ) {
      // Agreed where it was committed: if the server has moved it since, that move is the
      // server's, and comes here (recorded at the server's path, it would look like ours).
      makeRoomInSynced(state, itemId, intent.path);
      items.synced.put({
        itemId,
        kind: 'file',
        path: intent.path,
        rev: remote.rev,
        sizeBytes: remote.sizeBytes,
        modifiedMs: remote.modifiedMs,
        fingerprint: intent.fingerprint,
        syncedMs: nowMs,
      });
      settled += 1;
    }
    state.settings.delete(key);
  }
  return settled;
}

/**
 * A new file's commit whose answer was lost, and which another device moved (or saved over
 * another file) before our next pull: the pull brought it as another item, not known here
 * (or taking the place of one). It is ours when it is the one version on the server with our
 * content hash that no item here has agreed on; its remote row becomes the item's (another
 * item it stood in for is then gone on the server, as it is). Undefined when there is none, or
 * more than one.
 */
function adoptMovedCommit(
  state: ClientState,
  itemId: ItemId,
  intent: CommitIntent,
): RemoteItem | undefined {
  const { items } = state;
  if (items.local.get(itemId) === undefined) return undefined;
  const candidates = items.remote
    .list()
    .filter(
      (row) =>
        row.itemId !== itemId &&
        row.kind === 'file' &&
        row.rev !== undefined &&
        row.contentHash === intent.contentHash &&
        items.synced.get(row.itemId)?.rev !== row.rev,
    );
  if (candidates.length !== 1) return undefined;
  const [found] = candidates as [RemoteItem];
  items.remote.delete(found.itemId);
  items.remote.put({ ...found, itemId });
  return items.remote.get(itemId);
}

/**
 * A copy across a share's boundary (`upload` with `crossShare`) whose answer was lost: the item's
 * remote row is still its old copy, elsewhere, and the pull brought our commit at the intent's
 * path as a new item (same content hash, known nowhere else). It becomes the item's, and the old
 * copy an item of its own, as if the answer had come (`leaveOldCopyBehind`).
 */
function settleCopy(
  state: ClientState,
  itemId: ItemId,
  intent: CommitIntent,
  nowMs: number,
): boolean {
  const { items } = state;
  const own = items.remote.get(itemId);
  const arrived = items.remote.getByPath(intent.path);
  if (
    own === undefined ||
    own.path === intent.path ||
    items.local.get(itemId)?.path !== intent.path ||
    arrived === undefined ||
    arrived.kind !== 'file' ||
    arrived.rev === undefined ||
    arrived.contentHash !== intent.contentHash ||
    items.local.get(arrived.itemId) !== undefined ||
    items.synced.get(arrived.itemId) !== undefined
  )
    return false;
  leaveOldCopyBehind(state, itemId, intent.path, nowMs);
  items.remote.delete(arrived.itemId);
  items.remote.put({ ...arrived, itemId });
  items.synced.put({
    itemId,
    kind: 'file',
    path: intent.path,
    rev: arrived.rev,
    sizeBytes: arrived.sizeBytes,
    modifiedMs: arrived.modifiedMs,
    fingerprint: intent.fingerprint,
    syncedMs: nowMs,
  });
  return true;
}
