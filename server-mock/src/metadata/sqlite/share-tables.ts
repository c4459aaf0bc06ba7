/**
 * SQLite implementation of ShareStore: folder → namespace conversion, share rows and mounts.
 */
import type {
  BlockId,
  NamespaceId,
  RemotePath,
  ShareId,
  ShareRole,
  UserId,
} from '../../../../sync-engine/src/protocol/index.js';
import { createId } from '../../new-ids.js';
import type { Actor, ShareRecord } from '../records.js';
import type {
  ConvertFolderInput,
  ConvertFolderOutcome,
  MountOutcome,
  ShareStore,
} from '../share-store.js';
import type { ChangeLog } from './change-log.js';
import type { Row } from './row-mappers.js';
import type { SqliteContext } from './sqlite-context.js';

function shareFromRow(row: Row): ShareRecord {
  return {
    id: row.id as ShareId,
    namespace: row.namespace_id as NamespaceId,
    ownerId: row.owner_id as UserId,
    recipientId: row.recipient_id as UserId,
    role: row.role as ShareRole,
    createdMs: row.created_ms as number,
  };
}

export function createShareTables(ctx: SqliteContext, log: ChangeLog): ShareStore {
  const rootOf = (userId: UserId) =>
    (
      ctx.stmt('SELECT root_namespace FROM user WHERE id = ?').get(userId) as {
        root_namespace: NamespaceId;
      }
    ).root_namespace;
  const blocksUnder = (namespace: NamespaceId, folder: string): BlockId[] =>
    (
      ctx
        .stmt(
          `SELECT DISTINCT j.value AS id FROM file f JOIN file_version v ON v.file_id = f.id,
             json_each(v.blocks) j
           WHERE f.namespace_id = ? AND f.path >= ? AND f.path < ?`,
        )
        .all(namespace, `${folder}/`, `${folder}0`) as Array<{ id: BlockId }>
    ).map((r) => r.id);
  const getShareSync = (id: ShareId) => {
    const row = ctx.stmt('SELECT * FROM share WHERE id = ?').get(id) as Row | undefined;
    return row && shareFromRow(row);
  };
  const mountRow = (share: ShareRecord) => {
    const root = rootOf(share.recipientId);
    const row = ctx
      .stmt('SELECT id FROM file WHERE namespace_id = ? AND mount_namespace = ? AND deleted = 0')
      .get(root, share.namespace) as { id: string } | undefined;
    return { root, fileId: row?.id };
  };

  function convert(input: ConvertFolderInput): ConvertFolderOutcome {
    const { root, folder, newNamespace, actor } = input;
    const folderRow = log.live(root, folder);
    if (!folderRow?.isDir || folderRow.mount) {
      return { kind: 'path_conflict', message: `${folder} is not a plain folder` };
    }
    const nested = ctx
      .stmt(
        `SELECT 1 FROM file WHERE namespace_id = ? AND deleted = 0 AND mount_namespace IS NOT NULL
         AND path >= ? AND path < ?`,
      )
      .get(root, `${folder}/`, `${folder}0`);
    if (nested) return { kind: 'path_conflict', message: `${folder} contains a shared folder` };
    const needed = blocksUnder(root, folder);
    const missing = needed.filter((id) => !input.blocks.has(id));
    if (missing.length > 0) return { kind: 'need_blocks', missing };

    ctx
      .stmt('INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES (?, ?, ?, ?)')
      .run(newNamespace, 'shared', actor.userId, actor.nowMs);
    ctx
      .stmt('INSERT INTO namespace_key (namespace_id, wrapped_key, created_ms) VALUES (?, ?, ?)')
      .run(newNamespace, Buffer.from(input.wrappedKey), actor.nowMs);
    for (const id of needed) {
      const block = input.blocks.get(id)!;
      ctx
        .stmt(
          `INSERT INTO block (namespace_id, id, plain_size, encoded_size, last_access_ms, created_ms)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(newNamespace, id, block.plainSize, block.encodedSize, actor.nowMs, actor.nowMs);
      ctx
        .stmt('UPDATE namespace SET used_bytes = used_bytes + ? WHERE id = ?')
        .run(block.plainSize, newNamespace);
    }
    const moved = ctx
      .stmt(
        'SELECT id, path, deleted FROM file WHERE namespace_id = ? AND path >= ? AND path < ? ORDER BY path',
      )
      .all(root, `${folder}/`, `${folder}0`) as Array<{
      id: string;
      path: string;
      deleted: number;
    }>;
    for (const file of moved) {
      const versions = ctx
        .stmt('SELECT blocks FROM file_version WHERE file_id = ?')
        .all(file.id) as Array<{
        blocks: string;
      }>;
      // References move with the versions: the old namespace's blocks become garbage once
      // nothing else names them (the GC frees their bytes and quota).
      for (const version of versions) {
        for (const id of new Set(JSON.parse(version.blocks) as string[])) {
          ctx
            .stmt('UPDATE block SET refcount = refcount - 1 WHERE namespace_id = ? AND id = ?')
            .run(root, id);
          ctx
            .stmt('UPDATE block SET refcount = refcount + 1 WHERE namespace_id = ? AND id = ?')
            .run(newNamespace, id);
        }
      }
      ctx
        .stmt('UPDATE file_version SET namespace_id = ? WHERE file_id = ?')
        .run(newNamespace, file.id);
      ctx
        .stmt('UPDATE file SET namespace_id = ?, path = ? WHERE id = ?')
        .run(newNamespace, file.path.slice(folder.length), file.id);
    }
    ctx
      .stmt(
        `UPDATE file SET mount_namespace = ?, mount_role = 'editor', updated_ms = ? WHERE id = ?`,
      )
      .run(newNamespace, actor.nowMs, folderRow.fileId);
    // The root's entries below the folder now live in the new namespace's journal.
    ctx
      .stmt('DELETE FROM journal WHERE namespace_id = ? AND path >= ? AND path < ?')
      .run(root, `${folder}/`, `${folder}0`);
    const rootSeq = log.append(log.byId(folderRow.fileId), { nowMs: actor.nowMs });
    let namespaceSeq = 0;
    for (const file of moved) {
      if (file.deleted === 0) namespaceSeq = log.append(log.byId(file.id), { nowMs: actor.nowMs });
    }
    return { kind: 'converted', rootSeq, namespaceSeq };
  }

  function mount(input: Parameters<ShareStore['createShare']>[0]): MountOutcome | 'already_shared' {
    const exists = ctx
      .stmt('SELECT 1 FROM share WHERE namespace_id = ? AND recipient_id = ?')
      .get(input.namespace, input.recipientId);
    if (exists) return 'already_shared';
    const recipientRoot = rootOf(input.recipientId);
    let mountPath = `/${input.name}` as RemotePath;
    for (let n = 2; log.live(recipientRoot, mountPath); n++)
      mountPath = `/${input.name} (${n})` as RemotePath;
    ctx
      .stmt(
        `INSERT INTO share (id, namespace_id, owner_id, recipient_id, role, created_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.id,
        input.namespace,
        input.ownerId,
        input.recipientId,
        input.role,
        input.actor.nowMs,
      );
    const fileId = createId('file');
    ctx
      .stmt(
        `INSERT INTO file (id, namespace_id, path, is_dir, mount_namespace, mount_role, updated_ms)
         VALUES (?, ?, ?, 1, ?, ?, ?)`,
      )
      .run(fileId, recipientRoot, mountPath, input.namespace, input.role, input.actor.nowMs);
    const seq = log.append(log.byId(fileId), { nowMs: input.actor.nowMs });
    log.event(recipientRoot, 'folder_shared', { path: mountPath }, input.actor);
    return { share: getShareSync(input.id)!, mountPath, recipientRoot, seq };
  }

  function changeMount(
    id: ShareId,
    actor: Actor,
    role: ShareRole | 'revoke',
  ): MountOutcome | undefined {
    const share = getShareSync(id);
    if (!share) return undefined;
    const { root, fileId } = mountRow(share);
    let seq = log.lastSeq(root);
    let mountPath = '/' as RemotePath;
    if (role === 'revoke') {
      ctx.stmt('DELETE FROM share WHERE id = ?').run(id);
    } else {
      ctx.stmt('UPDATE share SET role = ? WHERE id = ?').run(role, id);
    }
    if (fileId !== undefined) {
      const entry = log.byId(fileId);
      mountPath = entry.path;
      if (role === 'revoke') {
        ctx
          .stmt('UPDATE file SET deleted = 1, updated_ms = ? WHERE id = ?')
          .run(actor.nowMs, fileId);
        seq = log.append(entry, { tombstone: true, nowMs: actor.nowMs });
      } else {
        ctx
          .stmt('UPDATE file SET mount_role = ?, updated_ms = ? WHERE id = ?')
          .run(role, actor.nowMs, fileId);
        seq = log.append(log.byId(fileId), { nowMs: actor.nowMs });
      }
      log.event(
        root,
        role === 'revoke' ? 'share_revoked' : 'share_changed',
        { path: mountPath },
        actor,
      );
    }
    return {
      share: role === 'revoke' ? share : getShareSync(id)!,
      mountPath,
      recipientRoot: root,
      seq,
    };
  }

  return {
    async listBlocksUnder(namespace, folder) {
      return blocksUnder(namespace, folder);
    },
    async convertFolderToNamespace(input) {
      return ctx.write(() => convert(input));
    },
    async createShare(input) {
      return ctx.write(() => mount(input));
    },
    async getShare(id) {
      return getShareSync(id);
    },
    async listShares(userId) {
      const owned = ctx
        .stmt('SELECT * FROM share WHERE owner_id = ? ORDER BY created_ms')
        .all(userId) as Row[];
      const received = ctx
        .stmt('SELECT * FROM share WHERE recipient_id = ? ORDER BY created_ms')
        .all(userId) as Row[];
      return { owned: owned.map(shareFromRow), received: received.map(shareFromRow) };
    },
    async updateShareRole(id, role, actor) {
      return ctx.write(() => changeMount(id, actor, role));
    },
    async deleteShare(id, actor) {
      return ctx.write(() => changeMount(id, actor, 'revoke'));
    },
    async mountPathOf(userId, namespace) {
      const row = ctx
        .stmt(
          'SELECT path FROM file WHERE namespace_id = ? AND mount_namespace = ? AND deleted = 0',
        )
        .get(rootOf(userId), namespace) as { path: RemotePath } | undefined;
      return row?.path;
    },
  };
}
