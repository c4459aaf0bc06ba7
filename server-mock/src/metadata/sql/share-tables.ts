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
import type { SqlContext } from './sql-context.js';
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
  ctx: SqlContext,
  parts: { rows: FileRows; log: ChangeLog },
): ShareStore {
  const { rows, log } = parts;
  const rootOf = async (userId: UserId) =>
    (
      (await ctx.stmt('SELECT root_namespace FROM user WHERE id = ?').get(userId)) as {
        root_namespace: NamespaceId;
      }
    ).root_namespace;
  const getShareSync = async (id: ShareId) => {
    const row = (await ctx.stmt('SELECT * FROM share WHERE id = ?').get(id)) as Row | undefined;
    return row && shareFromRow(row);
  };
  const mountRow = async (share: ShareRecord) => {
    const root = await rootOf(share.recipientId);
    const row = (await ctx
      .stmt('SELECT id FROM file WHERE namespace_id = ? AND mount_namespace = ? AND deleted = 0')
      .get(root, share.namespace)) as { id: string } | undefined;
    return { root, fileId: row?.id };
  };
  const countSharesSync = async (namespace: NamespaceId) =>
    (
      (await ctx.stmt('SELECT COUNT(*) AS n FROM share WHERE namespace_id = ?').get(namespace)) as {
        n: number;
      }
    ).n;
  const conversions = new FolderConversions(ctx);

  async function mount(
    input: Parameters<ShareStore['createShare']>[0],
  ): Promise<MountOutcome | 'already_shared' | 'not_shared_folder'> {
    // Checked here, in the transaction that writes the share: the namespace may have gone back
    // into the owner's root (its last share revoked) since the caller resolved the path.
    const ownerMount = await ctx
      .stmt(
        `SELECT 1 FROM namespace n JOIN file f ON f.namespace_id = ? AND f.mount_namespace = n.id
         AND f.deleted = 0 WHERE n.id = ? AND n.owner_id = ?`,
      )
      .get(await rootOf(input.ownerId), input.namespace, input.ownerId);
    if (!ownerMount) return 'not_shared_folder';
    const exists = await ctx
      .stmt('SELECT 1 FROM share WHERE namespace_id = ? AND recipient_id = ?')
      .get(input.namespace, input.recipientId);
    if (exists) return 'already_shared';
    const recipientRoot = await rootOf(input.recipientId);
    let mountPath = `/${input.name}` as RemotePath;
    for (let n = 2; await rows.live(recipientRoot, mountPath); n++)
      mountPath = `/${mountNameCandidate(input.name, n)}` as RemotePath;
    await ctx
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
    await ctx
      .stmt(
        `INSERT INTO file (id, namespace_id, path, is_dir, mount_namespace, mount_role, updated_ms)
         VALUES (?, ?, ?, 1, ?, ?, ?)`,
      )
      .run(fileId, recipientRoot, mountPath, input.namespace, input.role, input.actor.nowMs);
    const seq = await log.append(await rows.byId(fileId), { nowMs: input.actor.nowMs });
    await log.event(recipientRoot, 'folder_shared', { path: mountPath }, input.actor);
    const remainingShares = await countSharesSync(input.namespace);
    return {
      share: (await getShareSync(input.id))!,
      mountPath,
      recipientRoot,
      seq,
      remainingShares,
    };
  }

  async function changeMount(
    id: ShareId,
    actor: Actor,
    role: ShareRole | 'revoke',
  ): Promise<MountOutcome | undefined> {
    const share = await getShareSync(id);
    if (!share) return undefined;
    const { root, fileId } = await mountRow(share);
    let seq = await log.lastSeq(root);
    let mountPath = '/' as RemotePath;
    if (role === 'revoke') {
      await ctx.stmt('DELETE FROM share WHERE id = ?').run(id);
    } else {
      await ctx.stmt('UPDATE share SET role = ? WHERE id = ?').run(role, id);
    }
    if (fileId !== undefined) {
      const entry = await rows.byId(fileId);
      mountPath = entry.path;
      if (role === 'revoke') {
        await ctx
          .stmt('UPDATE file SET deleted = 1, updated_ms = ? WHERE id = ?')
          .run(actor.nowMs, fileId);
        seq = await log.append(entry, { tombstone: true, nowMs: actor.nowMs });
      } else {
        await ctx
          .stmt('UPDATE file SET mount_role = ?, updated_ms = ? WHERE id = ?')
          .run(role, actor.nowMs, fileId);
        seq = await log.append(await rows.byId(fileId), { nowMs: actor.nowMs });
      }
      await log.event(
        root,
        role === 'revoke' ? 'share_revoked' : 'share_changed',
        { path: mountPath },
        actor,
      );
    }
    return {
      share: role === 'revoke' ? share : (await getShareSync(id))!,
      mountPath,
      recipientRoot: root,
      seq,
      remainingShares: await countSharesSync(share.namespace),
    };
  }

  return {
    async listBlocksUnder(namespace, folder) {
      return await blocksUnderSync(ctx, namespace, folder);
    },
    async listBlocksOf(namespace) {
      return await blocksOfSync(ctx, namespace);
    },
    async beginFolderConversion(input) {
      await conversions.begin(input);
    },
    async pinConvertedBlock(input) {
      return await conversions.pin(input);
    },
    async convertFolderToNamespace(input) {
      return ctx.write(async () => await convertFolderSync(ctx, { rows, log, conversions }, input));
    },
    async convertNamespaceToFolder(input) {
      return ctx.write(async () => await unshareFolderSync(ctx, { rows, log, conversions }, input));
    },
    async abandonFolderConversion(id) {
      await conversions.abandon(id);
    },
    async abandonIdleFolderConversions(touchedBeforeMs) {
      return await conversions.abandonIdle(touchedBeforeMs);
    },
    async countShares(namespace) {
      return await countSharesSync(namespace);
    },
    async createShare(input) {
      return ctx.write(async () => await mount(input));
    },
    async getShare(id) {
      return await getShareSync(id);
    },
    async listShares(userId) {
      const owned = (await ctx
        .stmt('SELECT * FROM share WHERE owner_id = ? ORDER BY created_ms')
        .all(userId)) as Row[];
      const received = (await ctx
        .stmt('SELECT * FROM share WHERE recipient_id = ? ORDER BY created_ms')
        .all(userId)) as Row[];
      return { owned: owned.map(shareFromRow), received: received.map(shareFromRow) };
    },
    async updateShareRole(id, role, actor) {
      return ctx.write(async () => await changeMount(id, actor, role));
    },
    async deleteShare(id, actor) {
      return ctx.write(async () => await changeMount(id, actor, 'revoke'));
    },
    async mountPathOf(userId, namespace) {
      const row = (await ctx
        .stmt(
          'SELECT path FROM file WHERE namespace_id = ? AND mount_namespace = ? AND deleted = 0',
        )
        .get(await rootOf(userId), namespace)) as { path: RemotePath } | undefined;
      return row?.path;
    },
  };
}
