/**
 * Lookups of `file` rows (live entries, tombstones, subtrees) used inside write transactions and
 * by the store's reads. Reads only: writes that change rows journal them through ChangeLog.
 */
import type { NamespaceId } from 'sync-engine/protocol';
import type { EntryRecord } from '../records.js';
import { entryFromRow, type Row } from './row-mappers.js';
import type { SqlContext } from './sql-context.js';

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
    const rows = (await this.ctx
      .stmt(
        `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0
         AND path IN (SELECT value FROM json_each(?))`,
      )
      .all(namespace, JSON.stringify(paths))) as Row[];
    return new Map(rows.map((row) => [row.path as string, entryFromRow(row)]));
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
