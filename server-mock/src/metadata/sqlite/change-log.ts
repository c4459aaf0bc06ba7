/**
 * Synchronous helpers used inside write transactions: journal appends (with compaction), activity
 * events, live-row lookups and ancestor folder creation. Never call them outside `ctx.write`.
 */
import type { ActivityKind, NamespaceId, RemotePath } from 'sync-engine/protocol';
import { ancestorsOf } from 'sync-engine/protocol';
import { createId } from '../../new-ids.js';
import type { Actor, EntryRecord } from '../records.js';
import { entryFromRow, type Row } from './row-mappers.js';
import type { SqliteContext } from './sqlite-context.js';

export class ChangeLog {
  constructor(private readonly ctx: SqliteContext) {}

  /** The live row at `path`, if any. */
  live(namespace: NamespaceId, path: string): EntryRecord | undefined {
    const row = this.ctx
      .stmt('SELECT * FROM file WHERE namespace_id = ? AND path = ? AND deleted = 0')
      .get(namespace, path) as Row | undefined;
    return row && entryFromRow(row);
  }

  /** The most recently deleted row of the given kind at `path`, to revive (history continues). */
  tombstone(namespace: NamespaceId, path: string, isDir: boolean): EntryRecord | undefined {
    const row = this.ctx
      .stmt(
        `SELECT * FROM file WHERE namespace_id = ? AND path = ? AND deleted = 1 AND is_dir = ?
         ORDER BY updated_ms DESC LIMIT 1`,
      )
      .get(namespace, path, isDir ? 1 : 0) as Row | undefined;
    return row && entryFromRow(row);
  }

  /** Live rows strictly below `folder`, ordered by path (parents before children). */
  liveDescendants(namespace: NamespaceId, folder: string): EntryRecord[] {
    // '/' + 1 is '0': the range [folder/, folder0) is exactly the paths below folder.
    const rows = this.ctx
      .stmt(
        `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0 AND path >= ? AND path < ?
         ORDER BY path`,
      )
      .all(namespace, `${folder}/`, `${folder}0`) as Row[];
    return rows.map(entryFromRow);
  }

  /** Re-reads a row by id (after an update). */
  byId(fileId: string): EntryRecord {
    const row = this.ctx.stmt('SELECT * FROM file WHERE id = ?').get(fileId) as Row | undefined;
    if (!row) throw new Error(`file row ${fileId} vanished inside its transaction`);
    return entryFromRow(row);
  }

  /**
   * Appends the current state of `entry` (or a tombstone) to the namespace journal and drops
   * older entries for the same path: a reader past them loses nothing, since the new entry
   * supersedes them. Returns the new seq.
   *
   * Callers keep the journal "parents first" (docs/protocol.md "Order"): a folder is appended
   * before anything inside it whenever it is created, revived or moved, and a folder's tombstone
   * after those of everything inside it; compaction can then never put a child before its folder.
   */
  append(
    entry: EntryRecord,
    options: { tombstone?: boolean; path?: string; movedFrom?: string; nowMs: number },
  ): number {
    const { seq } = this.ctx
      .stmt('UPDATE namespace SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq AS seq')
      .get(entry.namespace) as { seq: number };
    const path = options.path ?? entry.path;
    // INDEXED BY: without statistics the planner picks the primary-key prefix (namespace_id) and
    // scans the namespace's whole journal (~0.8 ms per commit at 3,000 rows); the path index
    // finds the superseded entries directly. The index is part of schema v1.
    this.ctx
      .stmt('DELETE FROM journal INDEXED BY journal_by_path WHERE namespace_id = ? AND path = ?')
      .run(entry.namespace, path);
    const tag = options.tombstone ? 'deleted' : entry.isDir ? 'folder' : 'file';
    this.ctx
      .stmt(
        `INSERT INTO journal (namespace_id, seq, tag, path, file_id, rev, size, content_hash,
           modified_ms, status, moved_from, mount_namespace, mount_role, time_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.namespace,
        seq,
        tag,
        path,
        entry.fileId,
        tag === 'file' ? entry.rev : null,
        tag === 'file' ? entry.size : 0,
        tag === 'file' ? entry.contentHash : null,
        tag === 'file' ? entry.modifiedMs : null,
        entry.status,
        options.movedFrom ?? null,
        tag === 'folder' ? (entry.mount?.namespace ?? null) : null,
        tag === 'folder' ? (entry.mount?.role ?? null) : null,
        options.nowMs,
      );
    return seq;
  }

  /** Records a user-facing activity event. */
  event(
    namespace: NamespaceId,
    kind: ActivityKind,
    paths: { path: string; fromPath?: string },
    actor: Actor,
  ): void {
    this.ctx
      .stmt(
        `INSERT INTO event (namespace_id, kind, path, from_path, actor_id, device_id, time_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        namespace,
        kind,
        paths.path,
        paths.fromPath ?? null,
        actor.userId,
        actor.deviceId,
        actor.nowMs,
      );
  }

  /** Inserts a new folder row, or revives the last deleted folder at `path`; journals it. */
  createFolderRow(namespace: NamespaceId, path: string, nowMs: number): EntryRecord {
    const old = this.tombstone(namespace, path, true);
    if (old) {
      this.ctx
        .stmt('UPDATE file SET deleted = 0, updated_ms = ?, mount_namespace = NULL WHERE id = ?')
        .run(nowMs, old.fileId);
    } else {
      this.ctx
        .stmt(
          `INSERT INTO file (id, namespace_id, path, is_dir, updated_ms) VALUES (?, ?, ?, 1, ?)`,
        )
        .run(createId('file'), namespace, path, nowMs);
    }
    const entry = this.live(namespace, path);
    if (!entry) throw new Error(`folder ${path} not live after insert`);
    this.append(entry, { nowMs });
    return entry;
  }

  /**
   * Makes sure every ancestor folder of `path` exists, creating missing ones top-down. Returns
   * the first ancestor that is a file (a path conflict), or undefined when all is well.
   */
  ensureAncestors(namespace: NamespaceId, path: RemotePath, nowMs: number): string | undefined {
    for (const ancestor of ancestorsOf(path)) {
      const entry = this.live(namespace, ancestor);
      if (entry === undefined) this.createFolderRow(namespace, ancestor, nowMs);
      else if (!entry.isDir) return ancestor;
    }
    return undefined;
  }

  /** The namespace's journal position. */
  lastSeq(namespace: NamespaceId): number {
    const row = this.ctx.stmt('SELECT last_seq FROM namespace WHERE id = ?').get(namespace) as
      { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }
}
