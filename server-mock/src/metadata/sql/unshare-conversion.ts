/**
 * The final transaction of an unshare conversion (the last share of a folder is gone): every
 * file of the shared namespace moves back into its owner's root below the mount point, which
 * becomes a plain folder again. File ids, revisions and history stay; the owner's paths do not
 * change. Every block a version names must be pinned in the root by the conversion already.
 */
import type { BlockId, NamespaceId, RemotePath } from 'sync-engine/protocol';
import type { UnshareFolderInput, UnshareFolderOutcome } from '../share-store.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import type { FolderConversions } from './folder-conversions.js';
import { moveVersionsSync } from './share-conversion.js';
import type { SqlContext } from './sql-context.js';

/** Distinct blocks named by any version of any file of `namespace`. */
export async function blocksOfSync(ctx: SqlContext, namespace: NamespaceId): Promise<BlockId[]> {
  return (
    (await ctx
      .stmt(
        `SELECT DISTINCT j.value AS id FROM file_version v, json_each(v.blocks) j
         WHERE v.namespace_id = ?`,
      )
      .all(namespace)) as Array<{ id: BlockId }>
  ).map((r) => r.id);
}

export async function unshareFolderSync(
  ctx: SqlContext,
  deps: { rows: FileRows; log: ChangeLog; conversions: FolderConversions },
  input: UnshareFolderInput,
): Promise<UnshareFolderOutcome> {
  const { rows, log, conversions } = deps;
  const { namespace, root, actor } = input;
  if (!(await conversions.getSync(input.conversionId))) return { kind: 'abandoned' };
  if (await ctx.stmt('SELECT 1 FROM share WHERE namespace_id = ? LIMIT 1').get(namespace)) {
    return { kind: 'still_shared' };
  }
  const mount = (await ctx
    .stmt(
      'SELECT id, path FROM file WHERE namespace_id = ? AND mount_namespace = ? AND deleted = 0',
    )
    .get(root, namespace)) as { id: string; path: RemotePath } | undefined;
  if (!mount) return { kind: 'not_mounted' };
  const below = await ctx
    .stmt('SELECT 1 FROM file WHERE namespace_id = ? AND deleted = 0 AND path >= ? AND path < ?')
    .get(root, `${mount.path}/`, `${mount.path}0`);
  if (below) return { kind: 'path_conflict', message: `${mount.path} has entries of its own` };
  const pinned = await conversions.pinnedSync(input.conversionId);
  const missing = (await blocksOfSync(ctx, namespace)).filter((id) => !pinned.has(id));
  if (missing.length > 0) return { kind: 'need_blocks', missing };

  const moved = (await ctx
    .stmt('SELECT id, path, deleted FROM file WHERE namespace_id = ? ORDER BY path')
    .all(namespace)) as Array<{ id: string; path: string; deleted: number }>;
  for (const file of moved) {
    await moveVersionsSync(ctx, { fileId: file.id, from: namespace, to: root });
    await ctx
      .stmt('UPDATE file SET namespace_id = ?, path = ? WHERE id = ?')
      .run(root, `${mount.path}${file.path}`, file.id);
  }
  // Activity inside the folder stays in the owner's feed, at the paths the owner sees.
  await ctx
    .stmt(
      `UPDATE event SET namespace_id = @root,
         path = CASE WHEN path = '/' THEN @prefix ELSE @prefix || path END,
         from_path = CASE WHEN from_path IS NULL THEN NULL WHEN from_path = '/' THEN @prefix
                          ELSE @prefix || from_path END
       WHERE namespace_id = @namespace`,
    )
    .run({ root, prefix: mount.path, namespace });
  // The owner's resumable uploads into the folder finish in the root, at the same paths; other
  // members' are refused piece by piece already (they no longer see the namespace) and expire.
  await ctx
    .stmt(
      `UPDATE upload_session SET namespace_id = @root, path = @prefix || path
       WHERE namespace_id = @namespace
         AND user_id = (SELECT owner_id FROM namespace WHERE id = @namespace)`,
    )
    .run({ root, prefix: mount.path, namespace });
  await ctx
    .stmt('UPDATE file SET mount_namespace = NULL, mount_role = NULL, updated_ms = ? WHERE id = ?')
    .run(actor.nowMs, mount.id);
  // The namespace is now empty and seen by nobody: its journal goes; the owner's devices get
  // the folder (no longer a mount) and its files, unchanged, from the root's journal.
  await ctx.stmt('DELETE FROM journal WHERE namespace_id = ?').run(namespace);
  let rootSeq = await log.append(await rows.byId(mount.id), { nowMs: actor.nowMs });
  for (const file of moved) {
    if (file.deleted === 0)
      rootSeq = await log.append(await rows.byId(file.id), { nowMs: actor.nowMs });
  }
  await conversions.endSync(input.conversionId);
  return { kind: 'converted', rootSeq, mountPath: mount.path };
}
