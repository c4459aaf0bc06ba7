/**
 * The intent log of commits: written just before a commit request, cleared with the commit's
 * record (or its refusal). One left behind means the process died while the commit was in
 * flight; after the next pull, `settleCommitIntents` finishes it: if the server's version at the
 * item is ours (same content hash), the merge base becomes that version, so a further local
 * edit is an ordinary upload and not a conflict with our own commit. Otherwise the intent is
 * dropped and the planner decides as usual. Kept in the settings table, keyed by item.
 */
import type { ClientState, ItemId } from '../state/index.js';
import { leaveOldCopyBehind } from './cross-share.js';

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
    const remote = state.items.remote.get(itemId);
    if (
      remote !== undefined &&
      remote.contentHash === intent.contentHash &&
      remote.rev !== undefined
    ) {
      state.items.synced.put({
        itemId,
        kind: 'file',
        path: remote.path,
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
