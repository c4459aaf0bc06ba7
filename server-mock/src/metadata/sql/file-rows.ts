/**
 * Lookups of `file` rows (live entries, tombstones, subtrees) used inside write transactions and
 * by the store's reads. Reads only: writes that change rows journal them through ChangeLog.
 */
import type { NamespaceId } from 'sync-engine/protocol';
import type { EntryRecord } from '../records.js';
import { entryFromRow, type Row } from './row-mappers.js';
import type { SqlContext } from './sql-context.js';

/** FileRows.commitTarget's answer. */
export interface CommitTarget {
  /** Live rows at the path and its ancestors, by path. */
  readonly live: ReadonlyMap<string, EntryRecord>;
  /** The file deleted last at the path. */
  readonly tombstone: EntryRecord | undefined;
  /** Bytes of the namespace's longest live mount point; 0 for a root namespace. */
  readonly mountPrefixBytes: number;
}

const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');

export class FileRows {
  constructor(private readonly ctx: SqlContext) {}

  /** The live row at `path`, if any. */
  async live(namespace: NamespaceId, path: string): Promise<EntryRecord | undefined> {
    const row = (await this.ctx
      .stmt('SELECT * FROM file WHERE namespace_id = ? AND path = ? AND deleted = 0')
      .get(namespace, path)) as Row | undefined;
    return row && entryFromRow(row);
  }

  /** The live rows at `paths` (one statement), by path. */
  async liveAt(
    namespace: NamespaceId,
    paths: readonly string[],
  ): Promise<Map<string, EntryRecord>> {
    if (paths.length === 0) return new Map();
    // One placeholder per path (a statement per depth): the planner sees the paths and looks
    // each up in the live-path index, however many files the namespace holds.
    const rows = (await this.ctx
      .stmt(
        `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0 AND path IN (${marks(paths)})`,
      )
      .all(namespace, ...paths)) as Row[];
    return new Map(rows.map((row) => [row.path as string, entryFromRow(row)]));
  }

  /**
   * What a commit at `path` reads before it writes, in one statement (one round trip under the
   * owner's lock on PostgreSQL): the live rows at the path and its ancestors, the file last
   * deleted at the path (to revive, so its history continues), and the bytes of the namespace's
   * longest mount point (path-limits.ts).
   */
  async commitTarget(
    namespace: NamespaceId,
    path: string,
    ancestors: readonly string[],
  ): Promise<CommitTarget> {
    const paths = [...ancestors, path];
    const rows = (await this.ctx
      .stmt(
        `SELECT m.mount_prefix_bytes, f.* FROM
           (SELECT MAX(octet_length(path)) AS mount_prefix_bytes FROM file
            WHERE mount_namespace = ? AND deleted = 0) AS m
         LEFT JOIN file f ON f.namespace_id = ? AND (
           (f.deleted = 0 AND f.path IN (${marks(paths)}))
           OR (f.deleted = 1 AND f.is_dir = 0 AND f.path = ?))
         ORDER BY f.deleted, f.updated_ms DESC`,
      )
      .all(namespace, namespace, ...paths, path)) as Row[];
    const live = new Map<string, EntryRecord>();
    let tombstone: EntryRecord | undefined;
    for (const row of rows) {
      if (row.id === null || row.id === undefined) continue;
      const entry = entryFromRow(row);
      if (Number(row.deleted) === 0) live.set(entry.path, entry);
      else tombstone ??= entry;
    }
    return { live, tombstone, mountPrefixBytes: Number(rows[0]?.mount_prefix_bytes ?? 0) };
  }

  /** The most recently deleted row of the given kind at `path`, to revive (history continues). */
  async tombstone(
    namespace: NamespaceId,
    path: string,
    isDir: boolean,
  ): Promise<EntryRecord | undefined> {
    const row = (await this.ctx
      .stmt(
        `SELECT * FROM file WHERE namespace_id = ? AND path = ? AND deleted = 1 AND is_dir = ?
         ORDER BY updated_ms DESC LIMIT 1`,
      )
      .get(namespace, path, isDir ? 1 : 0)) as Row | undefined;
    return row && entryFromRow(row);
  }

  /** Live rows strictly below `folder`, ordered by path (parents before children). */
  async liveDescendants(namespace: NamespaceId, folder: string): Promise<EntryRecord[]> {
    // '/' + 1 is '0': the range [folder/, folder0) is exactly the paths below folder.
    const rows = (await this.ctx
      .stmt(
        `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0 AND path >= ? AND path < ?
         ORDER BY path`,
      )
      .all(namespace, `${folder}/`, `${folder}0`)) as Row[];
    return rows.map(entryFromRow);
  }

  /** Re-reads a row by id (after an update). */
  async byId(fileId: string): Promise<EntryRecord> {
    const row = (await this.ctx.stmt('SELECT * FROM file WHERE id = ?').get(fileId)) as
      Row | undefined;
    if (!row) throw new Error(`file row ${fileId} vanished inside its transaction`);
    return entryFromRow(row);
  }
}
