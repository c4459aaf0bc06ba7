/**
 * Commits, announces and folder creation: each one transaction over file, file_version, block
 * refcounts, journal and event.
 */
import type { BlockId, FileBlock, NamespaceId, RemotePath, Rev } from 'sync-engine/protocol';
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
import type { SqlContext } from './sql-context.js';

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

  async commit(input: CommitInput): Promise<CommitOutcome> {
    return this.ctx.write(async () => await this.commitInTransaction(input));
  }

  private async commitInTransaction(input: CommitInput): Promise<CommitOutcome> {
    const { namespace, path, actor } = input;
    const distinct = [...new Set(input.blocks)];
    const missing: BlockId[] = [];
    for (const id of distinct) {
      const held = await this.ctx
        .stmt('SELECT 1 FROM block WHERE namespace_id = ? AND id = ?')
        .get(namespace, id);
      if (held === undefined) missing.push(id);
    }
    if (missing.length > 0) return { kind: 'missing_blocks', missing };

    const live = await this.rows.live(namespace, path);
    if (live?.isDir) return { kind: 'path_conflict', message: `a folder exists at ${path}` };
    const tooLong = live ? undefined : await pathLengthProblem(this.ctx, namespace, [{ path }]);
    if (tooLong !== undefined) return { kind: 'invalid_path', message: tooLong };
    // First writer wins: an edit must be based on the current revision. With no live file the
    // commit creates it (a concurrent delete loses to an edit, SPEC "Conflicts").
    if (live && !input.force && (input.parentRev ?? null) !== live.rev) {
      return { kind: 'rev_conflict', currentRev: live.rev };
    }
    const blockedBy = await this.folders.ensureAncestors(namespace, path, actor.nowMs);
    if (blockedBy !== undefined) {
      return { kind: 'path_conflict', message: `${blockedBy} is a file, not a folder` };
    }

    const fileId =
      live?.fileId ??
      (await this.reviveOrCreateFile(namespace, path, actor.nowMs, input.reviveFileId));
    const rev = createId<Rev>('rev');
    await this.insertVersion({ ...input, fileId, rev, distinct });
    await this.ctx
      .stmt(
        `UPDATE file SET rev = ?, size = ?, content_hash = ?, modified_ms = ?, status = 'uploaded',
           pending_blocks = NULL, deleted = 0, updated_ms = ? WHERE id = ?`,
      )
      .run(rev, input.size, input.contentHash, input.modifiedMs, actor.nowMs, fileId);
    await this.enforceVersionLimit(fileId, input.versionLimit);
    const entry = await this.rows.byId(fileId);
    const seq = await this.log.append(entry, { nowMs: actor.nowMs });
    const created = live === undefined || live.rev === null;
    const kind = input.restoredFrom ? 'file_restored' : created ? 'file_added' : 'file_edited';
    await this.log.event(namespace, kind, { path }, actor);
    return { kind: 'committed', entry, created, seq };
  }

  /** Revives `preferred` (if it is a file deleted at `path`) or the last file deleted there. */
  private async reviveOrCreateFile(
    namespace: NamespaceId,
    path: RemotePath,
    nowMs: number,
    preferred?: string,
  ): Promise<string> {
    const wanted =
      preferred !== undefined &&
      (await this.ctx
        .stmt(
          `SELECT 1 FROM file WHERE id = ? AND namespace_id = ? AND path = ? AND deleted = 1
           AND is_dir = 0`,
        )
        .get(preferred, namespace, path)) !== undefined;
    const old = wanted ? { fileId: preferred } : await this.rows.tombstone(namespace, path, false);
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

  private async insertVersion(
    input: CommitInput & { fileId: string; rev: Rev; distinct: readonly BlockId[] },
  ): Promise<void> {
    const { ordinal } = (await this.ctx
      .stmt('SELECT COALESCE(MAX(ordinal), 0) + 1 AS ordinal FROM file_version WHERE file_id = ?')
      .get(input.fileId)) as { ordinal: number };
    await this.ctx
      .stmt(
        `INSERT INTO file_version (rev, file_id, namespace_id, size, content_hash, blocks,
           modified_ms, device_id, author_id, committed_ms, ordinal)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
        ordinal,
      );
    // A version holds one reference per distinct block, whatever the repeats inside the file.
    for (const id of input.distinct) {
      await this.ctx
        .stmt(
          `UPDATE block SET refcount = refcount + 1, last_access_ms = ?
           WHERE namespace_id = ? AND id = ?`,
        )
        .run(input.actor.nowMs, input.namespace, id);
    }
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

  async announce(input: AnnounceInput): Promise<CommitOutcome> {
    return this.ctx.write(async () => {
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
    });
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

  async createFolder(
    namespace: NamespaceId,
    path: RemotePath,
    actor: Actor,
  ): Promise<MkdirOutcome> {
    return this.ctx.write(async () => {
      const live = await this.rows.live(namespace, path);
      if (live?.isDir)
        return { kind: 'exists', entry: live, seq: await this.log.lastSeq(namespace) };
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
    });
  }
}
