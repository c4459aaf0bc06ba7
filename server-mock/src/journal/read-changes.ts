/**
 * Reads a user's changes since their cursor across every namespace they can see, maps
 * namespace paths into the user's view, and computes the next cursor. Namespaces are read in
 * view order (root first), each from its own position; `limit` caps the total entries.
 */
import type {
  ChangeEntry,
  ChangesResponse,
  Cursor,
  NamespaceId,
  RemotePath,
} from '../../../sync-engine/src/protocol/index.js';
import { UserView } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { JournalRecord } from '../metadata/records.js';
import type { ServerContext } from '../server-context.js';
import { decodeCursor, encodeCursor } from './user-cursor.js';

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
export async function latestCursor(ctx: ServerContext, view: UserView): Promise<Cursor> {
  const namespaces = await ctx.store.getNamespaces(view.namespaces());
  return encodeCursor(new Map([...namespaces].map(([id, ns]) => [id, ns.lastSeq])));
}

/** True when any namespace of `view` is past `cursor` (a long-poll's question). */
export async function hasChangesSince(
  ctx: ServerContext,
  view: UserView,
  cursor: Cursor,
): Promise<boolean> {
  const positions = decodeCursor(cursor);
  const namespaces = await ctx.store.getNamespaces(view.namespaces());
  for (const [id, ns] of namespaces) {
    if (ns.lastSeq > (positions.get(id) ?? 0)) return true;
  }
  return false;
}

/** The entries after `cursor`, at most `limit`; throws cursor_expired past retention. */
export async function readChanges(
  ctx: ServerContext,
  view: UserView,
  input: { cursor: string; limit: number },
): Promise<ChangesResponse> {
  const positions = decodeCursor(input.cursor);
  const visible = view.namespaces();
  const namespaces = await ctx.store.getNamespaces(visible);
  const next = new Map<NamespaceId, number>();
  const entries: ChangeEntry[] = [];
  let hasMore = false;
  for (const id of visible) {
    const ns = namespaces.get(id);
    const mountPath = view.mountPathOf(id);
    if (!ns || mountPath === undefined) continue;
    const after = positions.get(id) ?? 0;
    // A tombstone this cursor had not seen was pruned: the client must re-list (410).
    if (after > 0 && after < ns.prunedSeq) {
      throw new ServerError(
        'cursor_expired',
        'the cursor is older than the journal retention; list the tree again',
      );
    }
    if (after > ns.lastSeq) {
      throw new ServerError(
        'cursor_expired',
        'the cursor is ahead of the server (restored backup?); list the tree again',
      );
    }
    const room = input.limit - entries.length;
    if (room <= 0) {
      next.set(id, after);
      hasMore ||= ns.lastSeq > after;
      continue;
    }
    const records = await ctx.store.readJournal(id, after, room);
    for (const record of records) entries.push(toChangeEntry(record, mountPath));
    const last = records[records.length - 1]?.seq ?? after;
    if (records.length < room) {
      // Read to the end: entries written since the namespace was read have seq > lastSeq and
      // are either in `records` or come next time.
      next.set(id, Math.max(last, ns.lastSeq));
    } else {
      next.set(id, last);
      hasMore ||= last < ns.lastSeq;
    }
  }
  return { entries, cursor: encodeCursor(next), hasMore };
}
