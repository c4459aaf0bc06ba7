/**
 * Creating folder rows inside write transactions: one folder (a new row, or the last deleted
 * folder at its path revived, so its history continues) and the missing ancestors of a path.
 * Each created folder is journaled as it is created, so the journal stays "parents first".
 * Never call outside `ctx.write`.
 */
import type { NamespaceId, RemotePath } from 'sync-engine/protocol';
import { ancestorsOf } from 'sync-engine/protocol';
import { createId } from '../../new-ids.js';
import type { EntryRecord } from '../records.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import type { SqlContext } from './sql-context.js';

export class FolderRows {
  constructor(
    private readonly ctx: SqlContext,
    private readonly rows: FileRows,
    private readonly log: ChangeLog,
  ) {}

  /** Inserts a new folder row, or revives the last deleted folder at `path`; journals it. */
  async create(namespace: NamespaceId, path: string, nowMs: number): Promise<EntryRecord> {
    const old = await this.rows.tombstone(namespace, path, true);
    if (old) {
      await this.ctx
        .stmt('UPDATE file SET deleted = 0, updated_ms = ?, mount_namespace = NULL WHERE id = ?')
        .run(nowMs, old.fileId);
    } else {
      await this.ctx
        .stmt(
          `INSERT INTO file (id, namespace_id, path, is_dir, updated_ms) VALUES (?, ?, ?, 1, ?)`,
        )
        .run(createId('file'), namespace, path, nowMs);
    }
    const entry = await this.rows.live(namespace, path);
    if (!entry) throw new Error(`folder ${path} not live after insert`);
    await this.log.append(entry, { nowMs });
    return entry;
  }

  /**
   * Makes sure every ancestor folder of `path` exists, creating missing ones top-down. Returns
   * the first ancestor that is a file (a path conflict), or undefined when all is well.
   * `known`: the live rows at the ancestors, when the caller has just read them (liveAt).
   */
  async ensureAncestors(
    namespace: NamespaceId,
    path: RemotePath,
    nowMs: number,
    known?: ReadonlyMap<string, EntryRecord>,
  ): Promise<string | undefined> {
    const ancestors = ancestorsOf(path);
    const live = known ?? (await this.rows.liveAt(namespace, ancestors));
    for (const ancestor of ancestors) {
      const entry = live.get(ancestor);
      if (entry === undefined) await this.create(namespace, ancestor, nowMs);
      else if (!entry.isDir) return ancestor;
    }
    return undefined;
  }
}
