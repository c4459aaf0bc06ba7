/**
 * SQLite implementation of ShareStore: share rows and mounts here; the folder conversions (share
 * and unshare) in folder-conversions.ts, share-conversion.ts and unshare-conversion.ts.
 */
import type { NamespaceId, RemotePath, ShareId, ShareRole, UserId } from 'sync-engine/protocol';
import { createId } from '../../new-ids.js';
import type { Actor, ShareRecord } from '../records.js';
import { mountNameCandidate } from '../mount-name.js';
import type { MountOutcome, ShareStore } from '../share-store.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import { FolderConversions } from './folder-conversions.js';
import type { Row } from './row-mappers.js';
import { blocksUnderSync, convertFolderSync } from './share-conversion.js';
import type { SqliteContext } from './sqlite-context.js';
import { blocksOfSync, unshareFolderSync } from './unshare-conversion.js';

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

export function createShareTables(
  ctx: SqliteContext,
  parts: { rows: FileRows; log: ChangeLog },
): ShareStore {
  const { rows, log } = parts;
  const rootOf = (userId: UserId) =>
    (
      ctx.stmt('SELECT root_namespace FROM user WHERE id = ?').get(userId) as {
        root_namespace: NamespaceId;
      }
    ).root_namespace;
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
  const countSharesSync = (namespace: NamespaceId) =>
    (
      ctx.stmt('SELECT COUNT(*) AS n FROM share WHERE namespace_id = ?').get(namespace) as {
        n: number;
      }
    ).n;
  const conversions = new FolderConversions(ctx);

  function mount(
    input: Parameters<ShareStore['createShare']>[0],
  ): MountOutcome | 'already_shared' | 'not_shared_folder' {
    // Checked here, in the transaction that writes the share: the namespace may have gone back
    // into the owner's root (its last share revoked) since the caller resolved the path.
    const ownerMount = ctx
      .stmt(
        `SELECT 1 FROM namespace n JOIN file f ON f.namespace_id = ? AND f.mount_namespace = n.id
         AND f.deleted = 0 WHERE n.id = ? AND n.owner_id = ?`,
      )
      .get(rootOf(input.ownerId), input.namespace, input.ownerId);
    if (!ownerMount) return 'not_shared_folder';
    const exists = ctx
      .stmt('SELECT 1 FROM share WHERE namespace_id = ? AND recipient_id = ?')
      .get(input.namespace, input.recipientId);
    if (exists) return 'already_shared';
    const recipientRoot = rootOf(input.recipientId);
    let mountPath = `/${input.name}` as RemotePath;
    for (let n = 2; rows.live(recipientRoot, mountPath); n++)
      mountPath = `/${mountNameCandidate(input.name, n)}` as RemotePath;
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
    const seq = log.append(rows.byId(fileId), { nowMs: input.actor.nowMs });
    log.event(recipientRoot, 'folder_shared', { path: mountPath }, input.actor);
    const remainingShares = countSharesSync(input.namespace);
    return { share: getShareSync(input.id)!, mountPath, recipientRoot, seq, remainingShares };
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
      const entry = rows.byId(fileId);
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
        seq = log.append(rows.byId(fileId), { nowMs: actor.nowMs });
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
      remainingShares: countSharesSync(share.namespace),
    };
  }

  return {
    async listBlocksUnder(namespace, folder) {
      return blocksUnderSync(ctx, namespace, folder);
    },
    async listBlocksOf(namespace) {
      return blocksOfSync(ctx, namespace);
    },
    async beginFolderConversion(input) {
      conversions.begin(input);
    },
    async pinConvertedBlock(input) {
      return conversions.pin(input);
    },
    async convertFolderToNamespace(input) {
      return ctx.write(() => convertFolderSync(ctx, { rows, log, conversions }, input));
    },
    async convertNamespaceToFolder(input) {
      return ctx.write(() => unshareFolderSync(ctx, { rows, log, conversions }, input));
    },
    async abandonFolderConversion(id) {
      conversions.abandon(id);
    },
    async abandonIdleFolderConversions(touchedBeforeMs) {
      return conversions.abandonIdle(touchedBeforeMs);
    },
    async countShares(namespace) {
      return countSharesSync(namespace);
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
