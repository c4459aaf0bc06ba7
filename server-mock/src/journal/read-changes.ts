/**
 * Reads a user's changes since their cursor across every namespace they can see, maps
 * namespace paths into the user's view, and computes the next cursor. Namespaces are read in
 * view order (root first, then mounts by path), each from its own position; `limit` caps the
 * total entries.
 */
import type {
  ChangeEntry,
  ChangesResponse,
  Cursor,
  NamespaceId,
  RemotePath,
} from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { JournalRecord, UserRecord } from '../metadata/records.js';
import { expiredPositionProblem } from './journal-position.js';
import { decodeCursor, decodeCursorState, encodeCursor } from './user-cursor.js';

function toChangeEntry(record: JournalRecord, mountPath: RemotePath): ChangeEntry {
  const path = UserView.toUserPath(mountPath, record.path);
  const movedFrom = record.movedFrom
    ? { movedFrom: UserView.toUserPath(mountPath, record.movedFrom) }
    : {};
  const base = { path, fileId: record.fileId, namespace: record.namespace };
  switch (record.tag) {
    case 'deleted':
      return { tag: 'deleted', ...base };
    case 'folder':
      return {
        tag: 'folder',
        ...base,
        ...movedFrom,
        ...(record.mount ? { mount: record.mount } : {}),
      };
    case 'file':
      return {
        tag: 'file',
        ...base,
        ...movedFrom,
        rev: record.rev!,
        size: record.size,
        contentHash: record.contentHash ?? '',
        modified: record.modifiedMs ?? record.timeMs,
        status: record.status,
      };
  }
}

/** The newest position of every namespace in `view`: where a new device starts listening. */
export async function latestCursor(
  store: Pick<MetadataStore, 'getNamespaces'>,
  view: UserView,
): Promise<Cursor> {
  const namespaces = await store.getNamespaces(view.namespaces());
  return encodeCursor(new Map([...namespaces].map(([id, ns]) => [id, ns.lastSeq])));
}

/** True when any namespace of `view` is past `cursor` (a long-poll's question). */
export async function hasChangesSince(
  store: Pick<MetadataStore, 'getNamespaces'>,
  view: UserView,
  cursor: Cursor,
): Promise<boolean> {
  const positions = decodeCursor(cursor);
  const namespaces = await store.getNamespaces(view.namespaces());
  for (const [id, ns] of namespaces) {
    if (ns.lastSeq > (positions.get(id) ?? 0)) return true;
  }
  return false;
}

/**
 * The entries after `cursor`, at most `limit`; throws cursor_expired past retention. The mounts,
 * positions and entries come from one store snapshot (not the request's earlier view), so the
 * page obeys the ordering rule of docs/protocol.md: a folder's live entry precedes anything
 * inside it, and a share's entries are mapped under the mount path the page's root entries leave.
 */
export async function readChanges(
  store: Pick<MetadataStore, 'readChangeSnapshot'>,
  user: UserRecord,
  input: { cursor: string; limit: number },
): Promise<ChangesResponse> {
  const { positions, pruned } = decodeCursorState(input.cursor);
  const snapshot = await store.readChangeSnapshot({
    root: user.rootNamespace,
    positions,
    limit: input.limit,
  });
  const mountPaths = new Map<NamespaceId, RemotePath>([[user.rootNamespace, '/' as RemotePath]]);
  for (const mount of snapshot.mounts) {
    if (mount.mount) mountPaths.set(mount.mount.namespace, mount.path);
  }
  const next = new Map<NamespaceId, number>();
  const nextPruned = new Map<NamespaceId, number>();
  const entries: ChangeEntry[] = [];
  let hasMore = false;
  for (const { record: ns, entries: records, room } of snapshot.namespaces) {
    const mountPath = mountPaths.get(ns.id);
    if (mountPath === undefined) continue;
    const after = positions.get(ns.id) ?? 0;
    const expired = expiredPositionProblem({ after, prunedMark: pruned.get(ns.id) ?? 0 }, ns);
    if (expired !== undefined) throw new ServerError('cursor_expired', expired);
    for (const record of records) entries.push(toChangeEntry(record, mountPath));
    nextPruned.set(ns.id, ns.prunedSeq);
    if (records.length < room) {
      // Read to the end of the snapshot, whose lastSeq is at or past the last entry read.
      next.set(ns.id, ns.lastSeq);
    } else {
      const last = records[records.length - 1]?.seq ?? after;
      next.set(ns.id, last);
      hasMore ||= last < ns.lastSeq;
    }
  }
  return { entries, cursor: encodeCursor(next, nextPruned), hasMore };
}
