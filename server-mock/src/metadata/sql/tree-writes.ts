/**
 * Deletes and moves of files and whole folders, and the expiry of stale announces. A folder
 * operation touches every live row below it in the same transaction.
 */
import type { NamespaceId, RemotePath } from 'sync-engine/protocol';
import { isSameOrDescendant } from 'sync-engine/protocol';
import { expiredPositionProblem, type JournalPosition } from '../../journal/journal-position.js';
import type { DeleteCondition, DeleteOutcome, MoveOutcome } from '../file-store.js';
import type { Actor } from '../records.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import type { FolderRows } from './folder-rows.js';
import { pathLengthProblem } from './path-limits.js';
import type { SqlContext } from './sql-context.js';

export class TreeWrites {
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

  async delete(
    namespace: NamespaceId,
    path: RemotePath,
    actor: Actor,
    condition: DeleteCondition = {},
  ): Promise<DeleteOutcome> {
    return this.ctx.write(async (): Promise<DeleteOutcome> => {
      // Before the path is looked up: gone since the cursor (moved away, deleted) is a change
      // too, which the caller must read before it decides, not a delete already done.
      if (condition.unchangedSince !== undefined) {
        const refusal = await this.changedSince(namespace, path, condition.unchangedSince);
        if (refusal !== undefined) return refusal;
      }
      const live = await this.rows.live(namespace, path);
      if (!live) return { kind: 'not_found' };
      if (condition.rev !== undefined && (live.isDir || live.rev !== condition.rev)) {
        return { kind: 'rev_conflict', currentRev: live.isDir ? null : live.rev };
      }
      // Children first, so a journal reader never sees a child outlive its folder.
      const doomed = [...(await this.rows.liveDescendants(namespace, path)).reverse(), live];
      // Checked here, not only in the route: a share made meanwhile must not lose its mount.
      const mount = doomed.find((entry) => entry.mount);
      if (mount) {
        return {
          kind: 'path_conflict',
          message: `${mount.path} is a shared folder: unshare it first`,
        };
      }
      let seq = 0;
      for (const entry of doomed) {
        await this.ctx
          .stmt(
            `UPDATE file SET deleted = 1, status = 'uploaded', pending_blocks = NULL, updated_ms = ? WHERE id = ?`,
          )
          .run(actor.nowMs, entry.fileId);
        seq = await this.log.append(entry, { tombstone: true, nowMs: actor.nowMs });
      }
      await this.log.event(namespace, 'file_deleted', { path }, actor);
      return { kind: 'deleted', count: doomed.length, seq };
    });
  }

  /**
   * Whether anything at or under `path` was journaled after `since`. One namespace is enough:
   * a delete never covers a mounted share (that is refused below). Compaction keeps the newest
   * entry of each path, so a change after `since` still has an entry after it, unless pruning
   * took a tombstone: that position cannot tell, as for GET /changes. A move in or out leaves
   * an entry under the path (the new path, or the old one's tombstone), so paths are enough.
   */
  private async changedSince(
    namespace: NamespaceId,
    path: RemotePath,
    since: JournalPosition,
  ): Promise<DeleteOutcome | undefined> {
    const record = (await this.ctx
      .stmt('SELECT last_seq AS lastSeq, pruned_seq AS prunedSeq FROM namespace WHERE id = ?')
      .get(namespace)) as { lastSeq: number; prunedSeq: number };
    const expired = expiredPositionProblem(since, record);
    if (expired !== undefined) return { kind: 'cursor_expired', message: expired };
    // '/' + 1 is '0': [path, path0) holds the path, the paths below it and a few siblings
    // (`path.txt`), which the second condition drops. One index range, however long the journal.
    const changed = (await this.ctx
      .stmt(
        `SELECT path FROM journal INDEXED BY journal_by_path
         WHERE namespace_id = ? AND path >= ? AND path < ? AND (path = ? OR path >= ?)
         AND seq > ? ORDER BY seq LIMIT 1`,
      )
      .get(namespace, path, `${path}0`, path, `${path}/`, since.after)) as
      { path: RemotePath } | undefined;
    return changed === undefined ? undefined : { kind: 'path_changed', path: changed.path };
  }

  async move(input: {
    namespace: NamespaceId;
    from: RemotePath;
    to: RemotePath;
    actor: Actor;
  }): Promise<MoveOutcome> {
    const { namespace, from, to, actor } = input;
    return this.ctx.write(async (): Promise<MoveOutcome> => {
      const live = await this.rows.live(namespace, from);
      if (!live) return { kind: 'not_found' };
      if (from === to) return { kind: 'path_conflict', message: 'source and target are the same' };
      if (isSameOrDescendant(to, from)) {
        return { kind: 'path_conflict', message: 'cannot move a folder into itself' };
      }
      if (await this.rows.live(namespace, to)) {
        return { kind: 'path_conflict', message: `${to} already exists` };
      }
      const moving = [live, ...(await this.rows.liveDescendants(namespace, from))];
      // Every new path, checked against the rows this transaction moves: a file committed
      // below `from` a moment ago counts (docs/protocol.md "Paths").
      const tooLong = await pathLengthProblem(
        this.ctx,
        namespace,
        moving.map((e) => ({ path: to + e.path.slice(from.length), mount: e.mount?.namespace })),
      );
      if (tooLong !== undefined) return { kind: 'invalid_path', message: tooLong };
      const blockedBy = await this.folders.ensureAncestors(namespace, to, actor.nowMs);
      if (blockedBy !== undefined) {
        return { kind: 'path_conflict', message: `${blockedBy} is a file, not a folder` };
      }
      // Rename rows first (parents first), then journal: every new path (parents first, each
      // naming where it came from), then tombstones for the old paths (children first). A
      // client that applies entries in order renames the folder once and finds the rest done.
      for (const entry of moving) {
        const newPath = to + entry.path.slice(from.length);
        await this.ctx
          .stmt('UPDATE file SET path = ?, updated_ms = ? WHERE id = ?')
          .run(newPath, actor.nowMs, entry.fileId);
      }
      let seq = 0;
      for (const entry of moving) {
        seq = await this.log.append(await this.rows.byId(entry.fileId), {
          movedFrom: entry.path,
          nowMs: actor.nowMs,
        });
      }
      for (const entry of [...moving].reverse()) {
        seq = await this.log.append(entry, {
          tombstone: true,
          path: entry.path,
          nowMs: actor.nowMs,
        });
      }
      await this.log.event(namespace, 'file_moved', { path: to, fromPath: from }, actor);
      return { kind: 'moved', count: moving.length, entry: await this.rows.byId(live.fileId), seq };
    });
  }

  /**
   * Ends announces older than `beforeMs` that never got their commit: a new file disappears
   * (tombstone), an existing one goes back to `uploaded` at its last revision.
   */
  async expirePending(
    beforeMs: number,
    nowMs: number,
  ): Promise<Array<{ namespace: NamespaceId; seq: number }>> {
    return this.ctx.write(async () => {
      const rows = (await this.ctx
        .stmt(`SELECT id FROM file WHERE status = 'pending' AND deleted = 0 AND updated_ms < ?`)
        .all(beforeMs)) as Array<{ id: string }>;
      const touched: Array<{ namespace: NamespaceId; seq: number }> = [];
      for (const { id } of rows) {
        const entry = await this.rows.byId(id);
        if (entry.rev === null) {
          await this.ctx
            .stmt(
              `UPDATE file SET deleted = 1, status = 'uploaded', pending_blocks = NULL,
                 updated_ms = ? WHERE id = ?`,
            )
            .run(nowMs, id);
          touched.push({
            namespace: entry.namespace,
            seq: await this.log.append(entry, { tombstone: true, nowMs }),
          });
        } else {
          await this.ctx
            .stmt(
              `UPDATE file SET status = 'uploaded', pending_blocks = NULL, updated_ms = ?
                 WHERE id = ?`,
            )
            .run(nowMs, id);
          touched.push({
            namespace: entry.namespace,
            seq: await this.log.append(await this.rows.byId(id), { nowMs }),
          });
        }
      }
      return touched;
    });
  }
}
