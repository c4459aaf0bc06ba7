/**
 * The read behind GET /changes: a user's mounts, each visible namespace's record and its journal
 * after a position, in one read transaction. One snapshot is what makes the page consistent:
 * the share entries are mapped under the mount path the root entries of the same page end with,
 * a share revoked before the read sends nothing after its mount's tombstone, and a namespace's
 * `prunedSeq` describes the very journal rows read (a prune between the two would drop
 * tombstones without the 410 that tells the client to list again).
 */
import type { ChangeSnapshot, ChangeSnapshotInput } from '../file-store.js';
import type { JournalRecord } from '../records.js';
import { entryFromRow, journalFromRow, namespaceFromRow, type Row } from './row-mappers.js';
import type { SqlContext } from './sql-context.js';

export async function readChangeSnapshot(
  ctx: SqlContext,
  input: ChangeSnapshotInput,
): Promise<ChangeSnapshot> {
  return ctx.read(async (): Promise<ChangeSnapshot> => {
    const mounts = (
      (await ctx
        .stmt(
          `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0
             AND mount_namespace IS NOT NULL ORDER BY path`,
        )
        .all(input.root)) as Row[]
    ).map(entryFromRow);
    const ids = [input.root, ...mounts.flatMap((m) => (m.mount ? [m.mount.namespace] : []))];
    const namespaces: Array<ChangeSnapshot['namespaces'][number]> = [];
    let room = input.limit;
    for (const id of ids) {
      const row = (await ctx.stmt('SELECT * FROM namespace WHERE id = ?').get(id)) as
        Row | undefined;
      if (!row) continue;
      const entries: JournalRecord[] =
        room <= 0
          ? []
          : (
              (await ctx
                .stmt(
                  'SELECT * FROM journal WHERE namespace_id = ? AND seq > ? ORDER BY seq LIMIT ?',
                )
                .all(id, input.positions.get(id) ?? 0, room)) as Row[]
            ).map(journalFromRow);
      namespaces.push({ record: namespaceFromRow(row), entries, room });
      room -= entries.length;
    }
    return { mounts, namespaces };
  });
}
