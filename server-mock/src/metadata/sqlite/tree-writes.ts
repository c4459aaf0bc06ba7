/**
 * Deletes and moves of files and whole folders, and the expiry of stale announces. A folder
 * operation touches every live row below it in the same transaction.
 */
import type { NamespaceId, RemotePath } from 'sync-engine/protocol';
import { isSameOrDescendant } from 'sync-engine/protocol';
import type { DeleteOutcome, MoveOutcome } from '../file-store.js';
import type { Actor } from '../records.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import type { FolderRows } from './folder-rows.js';
import { pathLengthProblem } from './path-limits.js';
import type { SqliteContext } from './sqlite-context.js';

export class TreeWrites {
  private readonly rows: FileRows;
  private readonly log: ChangeLog;
  private readonly folders: FolderRows;

  constructor(
    private readonly ctx: SqliteContext,
    parts: { rows: FileRows; log: ChangeLog; folders: FolderRows },
  ) {
    this.rows = parts.rows;
    this.log = parts.log;
    this.folders = parts.folders;
  }

  delete(namespace: NamespaceId, path: RemotePath, actor: Actor): DeleteOutcome {
    return this.ctx.write(() => {
      const live = this.rows.live(namespace, path);
      if (!live) return { kind: 'not_found' };
      // Children first, so a journal reader never sees a child outlive its folder.
      const doomed = [...this.rows.liveDescendants(namespace, path).reverse(), live];
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
        this.ctx
          .stmt(
            `UPDATE file SET deleted = 1, status = 'uploaded', pending_blocks = NULL, updated_ms = ? WHERE id = ?`,
          )
          .run(actor.nowMs, entry.fileId);
        seq = this.log.append(entry, { tombstone: true, nowMs: actor.nowMs });
      }
      this.log.event(namespace, 'file_deleted', { path }, actor);
      return { kind: 'deleted', count: doomed.length, seq };
    });
  }

  move(input: {
    namespace: NamespaceId;
    from: RemotePath;
    to: RemotePath;
    actor: Actor;
  }): MoveOutcome {
    const { namespace, from, to, actor } = input;
    return this.ctx.write((): MoveOutcome => {
      const live = this.rows.live(namespace, from);
      if (!live) return { kind: 'not_found' };
      if (from === to) return { kind: 'path_conflict', message: 'source and target are the same' };
      if (isSameOrDescendant(to, from)) {
        return { kind: 'path_conflict', message: 'cannot move a folder into itself' };
      }
      if (this.rows.live(namespace, to)) {
        return { kind: 'path_conflict', message: `${to} already exists` };
      }
      const moving = [live, ...this.rows.liveDescendants(namespace, from)];
      // Every new path, checked against the rows this transaction moves: a file committed
      // below `from` a moment ago counts (docs/protocol.md "Paths").
      const tooLong = pathLengthProblem(
        this.ctx,
        namespace,
        moving.map((e) => ({ path: to + e.path.slice(from.length), mount: e.mount?.namespace })),
      );
      if (tooLong !== undefined) return { kind: 'invalid_path', message: tooLong };
      const blockedBy = this.folders.ensureAncestors(namespace, to, actor.nowMs);
      if (blockedBy !== undefined) {
        return { kind: 'path_conflict', message: `${blockedBy} is a file, not a folder` };
      }
      // Rename rows first (parents first), then journal: every new path (parents first, each
      // naming where it came from), then tombstones for the old paths (children first). A
      // client that applies entries in order renames the folder once and finds the rest done.
      for (const entry of moving) {
        const newPath = to + entry.path.slice(from.length);
        this.ctx
          .stmt('UPDATE file SET path = ?, updated_ms = ? WHERE id = ?')
          .run(newPath, actor.nowMs, entry.fileId);
      }
      let seq = 0;
      for (const entry of moving) {
        seq = this.log.append(this.rows.byId(entry.fileId), {
          movedFrom: entry.path,
          nowMs: actor.nowMs,
        });
      }
      for (const entry of [...moving].reverse()) {
        seq = this.log.append(entry, { tombstone: true, path: entry.path, nowMs: actor.nowMs });
      }
      this.log.event(namespace, 'file_moved', { path: to, fromPath: from }, actor);
      return { kind: 'moved', count: moving.length, entry: this.rows.byId(live.fileId), seq };
    });
  }

  /**
   * Ends announces older than `beforeMs` that never got their commit: a new file disappears
   * (tombstone), an existing one goes back to `uploaded` at its last revision.
   */
  expirePending(beforeMs: number, nowMs: number): Array<{ namespace: NamespaceId; seq: number }> {
    return this.ctx.write(() => {
      const rows = this.ctx
        .stmt(`SELECT id FROM file WHERE status = 'pending' AND deleted = 0 AND updated_ms < ?`)
        .all(beforeMs) as Array<{ id: string }>;
      const touched: Array<{ namespace: NamespaceId; seq: number }> = [];
      for (const { id } of rows) {
        const entry = this.rows.byId(id);
        if (entry.rev === null) {
          this.ctx
            .stmt(
              `UPDATE file SET deleted = 1, status = 'uploaded', pending_blocks = NULL,
                 updated_ms = ? WHERE id = ?`,
            )
            .run(nowMs, id);
          touched.push({
            namespace: entry.namespace,
            seq: this.log.append(entry, { tombstone: true, nowMs }),
          });
        } else {
          this.ctx
            .stmt(
              `UPDATE file SET status = 'uploaded', pending_blocks = NULL, updated_ms = ?
                 WHERE id = ?`,
            )
            .run(nowMs, id);
          touched.push({
            namespace: entry.namespace,
            seq: this.log.append(this.rows.byId(id), { nowMs }),
          });
        }
      }
      return touched;
    });
  }
}
