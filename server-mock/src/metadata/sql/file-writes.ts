/**
 * Commits, announces and folder creation over file, file_version, block refcounts, journal and
 * event, each inside the write transaction its caller (sql-metadata-store.ts) holds.
 */
import {
  ancestorsOf,
  type BlockId,
  type FileBlock,
  type NamespaceId,
  type RemotePath,
  type Rev,
} from 'sync-engine/protocol';
import { createId } from '../../new-ids.js';
import type {
  AnnounceInput,
  AnnouncedBlocks,
  CommitInput,
  CommitOutcome,
  MkdirOutcome,
} from '../file-store.js';
import type { Actor, EntryRecord } from '../records.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import type { FolderRows } from './folder-rows.js';
import { pathLengthProblem } from './path-limits.js';
import { entryFromRow, type Row } from './row-mappers.js';
import type { SqlContext } from './sql-context.js';

/**
 * Thrown inside a commit's transaction to undo what it wrote and answer `outcome` instead: the
 * store catches it outside the transaction (or its batch's savepoint).
 */
export class CommitAbandoned extends Error {
  constructor(readonly outcome: CommitOutcome) {
    super(`commit abandoned: ${outcome.kind}`);
  }
}

export class FileWrites {
  private readonly rows: FileRows;
  private readonly log: ChangeLog;
  private readonly folders: FolderRows;

  constructor(
    private readonly ctx: SqlContext,
    parts: { rows: FileRows; log: ChangeLog; folders: FolderRows },
  ) {
    this.rows = parts.rows;
    this.log = parts.log;
    this.folders = parts.folders;
  }

  /**
   * Commits a file version (first writer wins). The caller holds the write transaction; every
   * step is one statement, since on PostgreSQL each is a round trip under the owner's lock.
   */
  async commit(input: CommitInput): Promise<CommitOutcome> {
    const { namespace, path, actor } = input;
    const target = await this.rows.commitTarget(namespace, path, ancestorsOf(path));
    const live = target.live.get(path);
    if (live?.isDir) return { kind: 'path_conflict', message: `a folder exists at ${path}` };
    const tooLong = live
      ? undefined
      : await pathLengthProblem(this.ctx, namespace, [{ path }], target.mountPrefixBytes);
    if (tooLong !== undefined) return { kind: 'invalid_path', message: tooLong };
    // First writer wins: an edit must be based on the current revision. With no live file the
    // commit creates it (a concurrent delete loses to an edit, SPEC "Conflicts").
    if (live && !input.force && (input.parentRev ?? null) !== live.rev) {
      return { kind: 'rev_conflict', currentRev: live.rev };
    }
    const blockedBy = await this.folders.ensureAncestors(namespace, path, actor.nowMs, target.live);
    if (blockedBy !== undefined) {
      return { kind: 'path_conflict', message: `${blockedBy} is a file, not a folder` };
    }

    const rev = createId<Rev>('rev');
    // With no live file: the one a restore names, if it was deleted here, else the last one.
    const revived =
      live === undefined &&
      input.reviveFileId !== undefined &&
      (await this.isDeletedFileAt(namespace, path, input.reviveFileId))
        ? input.reviveFileId
        : target.tombstone?.fileId;
    const entry = await this.writeContent(input, rev, live?.fileId ?? revived);
    const distinct = [...new Set(input.blocks)];
    const ordinal = await this.insertVersion({ ...input, fileId: entry.fileId, rev, distinct });
    if (ordinal > Math.max(1, input.versionLimit)) {
      await this.enforceVersionLimit(entry.fileId, input.versionLimit);
    }
    const seq = await this.log.append(entry, { nowMs: actor.nowMs });
    const created = live === undefined || live.rev === null;
    const kind = input.restoredFrom ? 'file_restored' : created ? 'file_added' : 'file_edited';
    await this.log.event(namespace, kind, { path }, actor);
    return { kind: 'committed', entry, created, seq };
  }

  /** The commit's content written to `target` (the live file, or one revived), else a new row. */
  private async writeContent(input: CommitInput, rev: Rev, target?: string): Promise<EntryRecord> {
    const { namespace, path, actor } = input;
    const content = [rev, input.size, input.contentHash, input.modifiedMs, actor.nowMs] as const;
    if (target === undefined) {
      const row = (await this.ctx
        .stmt(
          `INSERT INTO file (id, namespace_id, path, is_dir, rev, size, content_hash, modified_ms,
             status, updated_ms) VALUES (?, ?, ?, 0, ?, ?, ?, ?, 'uploaded', ?) RETURNING *`,
        )
        .get(createId('file'), namespace, path, ...content)) as Row;
      return entryFromRow(row);
    }
    const row = (await this.ctx
      .stmt(
        `UPDATE file SET rev = ?, size = ?, content_hash = ?, modified_ms = ?, status = 'uploaded',
           pending_blocks = NULL, deleted = 0, updated_ms = ? WHERE id = ? RETURNING *`,
      )
      .get(...content, target)) as Row | undefined;
    if (!row) throw new Error(`file row ${target} vanished inside its transaction`);
    return entryFromRow(row);
  }

  /** Whether `fileId` is a file deleted at `path`. */
  private async isDeletedFileAt(
    namespace: NamespaceId,
    path: RemotePath,
    fileId: string,
  ): Promise<boolean> {
    const row = await this.ctx
      .stmt(
        `SELECT 1 FROM file WHERE id = ? AND namespace_id = ? AND path = ? AND deleted = 1
         AND is_dir = 0`,
      )
      .get(fileId, namespace, path);
    return row !== undefined;
  }

  /** Revives the last file deleted at `path`, or inserts a new row (no content yet). */
  private async reviveOrCreateFile(
    namespace: NamespaceId,
    path: RemotePath,
    nowMs: number,
  ): Promise<string> {
    const old = await this.rows.tombstone(namespace, path, false);
    if (old) {
      await this.ctx
        .stmt('UPDATE file SET deleted = 0, updated_ms = ? WHERE id = ?')
        .run(nowMs, old.fileId);
      return old.fileId;
    }
    const fileId = createId('file');
    await this.ctx
      .stmt(`INSERT INTO file (id, namespace_id, path, is_dir, updated_ms) VALUES (?, ?, ?, 0, ?)`)
      .run(fileId, namespace, path, nowMs);
    return fileId;
  }

  /** Inserts the version with the next ordinal of its file (returned); takes its references. */
  private async insertVersion(
    input: CommitInput & { fileId: string; rev: Rev; distinct: readonly BlockId[] },
  ): Promise<number> {
    const { ordinal } = (await this.ctx
      .stmt(
        `INSERT INTO file_version (rev, file_id, namespace_id, size, content_hash, blocks,
           modified_ms, device_id, author_id, committed_ms, ordinal)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
           (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM file_version WHERE file_id = ?))
         RETURNING ordinal`,
      )
      .get(
        input.rev,
        input.fileId,
        input.namespace,
        input.size,
        input.contentHash,
        JSON.stringify(input.blocks),
        input.modifiedMs,
        input.actor.deviceId,
        input.actor.userId,
        input.actor.nowMs,
        input.fileId,
      )) as { ordinal: number };
    // A version holds one reference per distinct block, whatever the repeats inside the file.
    // The blocks' presence is checked here, by what the update finds: the route found them all,
    // so one missing now was collected since (the commit is undone, CommitAbandoned).
    const referenced = (await this.ctx
      .stmt(
        `UPDATE block SET refcount = refcount + 1, last_access_ms = ?
         WHERE namespace_id = ? AND id IN (SELECT value FROM json_each(?)) RETURNING id`,
      )
      .all(input.actor.nowMs, input.namespace, JSON.stringify(input.distinct))) as Array<{
      id: BlockId;
    }>;
    if (referenced.length < input.distinct.length) {
      const found = new Set(referenced.map((row) => row.id));
      const missing = input.distinct.filter((id) => !found.has(id));
      throw new CommitAbandoned({ kind: 'missing_blocks', missing });
    }
    return ordinal;
  }

  /** Drops the oldest versions beyond `limit` (the current one is the newest, so it stays). */
  private async enforceVersionLimit(fileId: string, limit: number): Promise<void> {
    const excess = (await this.ctx
      .stmt(
        `SELECT rev FROM file_version WHERE file_id = ? ORDER BY ordinal DESC LIMIT -1 OFFSET ?`,
      )
      .all(fileId, Math.max(1, limit))) as Array<{ rev: Rev }>;
    for (const { rev } of excess) await this.dropVersion(rev);
  }

  /** Deletes one version and releases its block references. Caller holds the transaction. */
  async dropVersion(rev: Rev): Promise<void> {
    const row = (await this.ctx
      .stmt('SELECT namespace_id, blocks FROM file_version WHERE rev = ?')
      .get(rev)) as { namespace_id: string; blocks: string } | undefined;
    if (!row) return;
    for (const id of new Set(JSON.parse(row.blocks) as string[])) {
      await this.ctx
        .stmt('UPDATE block SET refcount = refcount - 1 WHERE namespace_id = ? AND id = ?')
        .run(row.namespace_id, id);
    }
    await this.ctx.stmt('DELETE FROM file_version WHERE rev = ?').run(rev);
  }

  /** Announces a file whose blocks are coming (pending). The caller holds the transaction. */
  async announce(input: AnnounceInput): Promise<CommitOutcome> {
    const { namespace, path, actor } = input;
    const live = await this.rows.live(namespace, path);
    if (live?.isDir) return { kind: 'path_conflict', message: `a folder exists at ${path}` };
    const tooLong = live ? undefined : await pathLengthProblem(this.ctx, namespace, [{ path }]);
    if (tooLong !== undefined) return { kind: 'invalid_path', message: tooLong };
    const blockedBy = await this.folders.ensureAncestors(namespace, path, actor.nowMs);
    if (blockedBy !== undefined) {
      return { kind: 'path_conflict', message: `${blockedBy} is a file, not a folder` };
    }
    let fileId: string | undefined = live?.fileId;
    if (fileId === undefined) {
      fileId = await this.reviveOrCreateFile(namespace, path, actor.nowMs);
      // A new file has no content yet: size/modified describe what is coming.
      await this.ctx
        .stmt(
          'UPDATE file SET rev = NULL, size = ?, content_hash = NULL, modified_ms = ? WHERE id = ?',
        )
        .run(input.size, input.modifiedMs, fileId);
    }
    await this.ctx
      .stmt(`UPDATE file SET status = 'pending', pending_blocks = ?, updated_ms = ? WHERE id = ?`)
      .run(
        input.blocks === undefined
          ? null
          : JSON.stringify({
              modified: input.modifiedMs,
              blocks: input.blocks.map(({ id, size }) => ({ id, size })),
            }),
        actor.nowMs,
        fileId,
      );
    const entry = await this.rows.byId(fileId);
    const seq = await this.log.append(entry, { nowMs: actor.nowMs });
    return { kind: 'committed', entry, created: live === undefined, seq };
  }

  /** The live pending file at `path` with the block list its announce brought, if any. */
  async announcedBlocks(
    namespace: NamespaceId,
    path: RemotePath,
  ): Promise<AnnouncedBlocks | undefined> {
    const row = (await this.ctx
      .stmt(
        `SELECT id, pending_blocks FROM file WHERE namespace_id = ? AND path = ? AND deleted = 0
           AND is_dir = 0 AND status = 'pending' AND pending_blocks IS NOT NULL`,
      )
      .get(namespace, path)) as { id: string; pending_blocks: string } | undefined;
    if (row === undefined) return undefined;
    const announced = JSON.parse(row.pending_blocks) as { modified: number; blocks: FileBlock[] };
    return { entry: await this.rows.byId(row.id), ...announced };
  }

  /** Creates a folder and its missing ancestors. The caller holds the transaction. */
  async createFolder(
    namespace: NamespaceId,
    path: RemotePath,
    actor: Actor,
  ): Promise<MkdirOutcome> {
    const live = await this.rows.live(namespace, path);
    if (live?.isDir) return { kind: 'exists', entry: live, seq: await this.log.lastSeq(namespace) };
    if (live) return { kind: 'path_conflict', message: `a file exists at ${path}` };
    const tooLong = await pathLengthProblem(this.ctx, namespace, [{ path }]);
    if (tooLong !== undefined) return { kind: 'invalid_path', message: tooLong };
    const blockedBy = await this.folders.ensureAncestors(namespace, path, actor.nowMs);
    if (blockedBy !== undefined) {
      return { kind: 'path_conflict', message: `${blockedBy} is a file, not a folder` };
    }
    const entry: EntryRecord = await this.folders.create(namespace, path, actor.nowMs);
    await this.log.event(namespace, 'folder_created', { path }, actor);
    return { kind: 'created', entry, seq: await this.log.lastSeq(namespace) };
  }
}
