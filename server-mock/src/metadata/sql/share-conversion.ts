/**
 * The final transaction of a share conversion: a plain folder of a root becomes the namespace
 * the conversion created. Files, versions and block references move; the folder row becomes the
 * owner's mount. Every block a version below the folder names must be pinned by the conversion
 * already (re-encoded and stored), else nothing is written and the caller re-encodes the rest.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { ConvertFolderInput, ConvertFolderOutcome } from '../share-store.js';
import type { ChangeLog } from './change-log.js';
import type { FileRows } from './file-rows.js';
import type { FolderConversions } from './folder-conversions.js';
import type { SqlContext } from './sql-context.js';

/** Distinct blocks named by any version of any file (live or deleted) below `folder`. */
export async function blocksUnderSync(
  ctx: SqlContext,
  namespace: NamespaceId,
  folder: string,
): Promise<BlockId[]> {
  return (
    (await ctx
      .stmt(
        `SELECT DISTINCT j.value AS id FROM file f JOIN file_version v ON v.file_id = f.id,
           json_each(v.blocks) j
         WHERE f.namespace_id = ? AND f.path >= ? AND f.path < ?`,
      )
      .all(namespace, `${folder}/`, `${folder}0`)) as Array<{ id: BlockId }>
  ).map((r) => r.id);
}

/**
 * Moves the references of every version of `fileId` from namespace `from` to `to` (one per
 * distinct block per version, as commits count them), and the versions themselves.
 */
export async function moveVersionsSync(
  ctx: SqlContext,
  input: { fileId: string; from: NamespaceId; to: NamespaceId },
): Promise<void> {
  const versions = (await ctx
    .stmt('SELECT blocks FROM file_version WHERE file_id = ?')
    .all(input.fileId)) as Array<{ blocks: string }>;
  for (const version of versions) {
    for (const id of new Set(JSON.parse(version.blocks) as string[])) {
      await ctx
        .stmt('UPDATE block SET refcount = refcount - 1 WHERE namespace_id = ? AND id = ?')
        .run(input.from, id);
      await ctx
        .stmt('UPDATE block SET refcount = refcount + 1 WHERE namespace_id = ? AND id = ?')
        .run(input.to, id);
    }
  }
  await ctx
    .stmt('UPDATE file_version SET namespace_id = ? WHERE file_id = ?')
    .run(input.to, input.fileId);
}

export async function convertFolderSync(
  ctx: SqlContext,
  deps: { rows: FileRows; log: ChangeLog; conversions: FolderConversions },
  input: ConvertFolderInput,
): Promise<ConvertFolderOutcome> {
  const { rows, log, conversions } = deps;
  const { root, folder, newNamespace, actor } = input;
  if (!(await conversions.getSync(input.conversionId))) return { kind: 'abandoned' };
  const folderRow = await rows.live(root, folder);
  if (folderRow?.isDir && folderRow.mount) {
    // A first share sent at the same time converted it first: share that namespace instead,
    // if the caller owns it (not a share they received, mounted at the same path meanwhile).
    const owner = (await ctx
      .stmt('SELECT owner_id FROM namespace WHERE id = ?')
      .get(folderRow.mount.namespace)) as { owner_id: string } | undefined;
    if (owner?.owner_id === actor.userId) {
      return { kind: 'already_converted', namespace: folderRow.mount.namespace };
    }
  }
  if (!folderRow?.isDir || folderRow.mount) {
    return { kind: 'path_conflict', message: `${folder} is not a plain folder` };
  }
  const nested = await ctx
    .stmt(
      `SELECT 1 FROM file WHERE namespace_id = ? AND deleted = 0 AND mount_namespace IS NOT NULL
       AND path >= ? AND path < ?`,
    )
    .get(root, `${folder}/`, `${folder}0`);
  if (nested) return { kind: 'path_conflict', message: `${folder} contains a shared folder` };
  const pinned = await conversions.pinnedSync(input.conversionId);
  const missing = (await blocksUnderSync(ctx, root, folder)).filter((id) => !pinned.has(id));
  if (missing.length > 0) return { kind: 'need_blocks', missing };

  const moved = (await ctx
    .stmt(
      'SELECT id, path, deleted FROM file WHERE namespace_id = ? AND path >= ? AND path < ? ORDER BY path',
    )
    .all(root, `${folder}/`, `${folder}0`)) as Array<{ id: string; path: string; deleted: number }>;
  for (const file of moved) {
    // References move with the versions: the root's copies become garbage once nothing else
    // names them (the GC frees their bytes and quota).
    await moveVersionsSync(ctx, { fileId: file.id, from: root, to: newNamespace });
    await ctx
      .stmt('UPDATE file SET namespace_id = ?, path = ? WHERE id = ?')
      .run(newNamespace, file.path.slice(folder.length), file.id);
  }
  await ctx
    .stmt(`UPDATE file SET mount_namespace = ?, mount_role = 'editor', updated_ms = ? WHERE id = ?`)
    .run(newNamespace, actor.nowMs, folderRow.fileId);
  // The root's live entries below the folder now live in the new namespace's journal. Its
  // tombstones stay: a device that has not read a deletion yet must still see it (the new
  // namespace's journal has no tombstones), or it would keep the deleted file.
  await ctx
    .stmt(
      `DELETE FROM journal WHERE namespace_id = ? AND path >= ? AND path < ? AND tag != 'deleted'`,
    )
    .run(root, `${folder}/`, `${folder}0`);
  const rootSeq = await log.append(await rows.byId(folderRow.fileId), { nowMs: actor.nowMs });
  let namespaceSeq = 0;
  for (const file of moved) {
    if (file.deleted === 0)
      namespaceSeq = await log.append(await rows.byId(file.id), { nowMs: actor.nowMs });
  }
  // The versions' references now hold the blocks; pinned blocks no version names (a version
  // thinned away meanwhile) become garbage.
  await conversions.endSync(input.conversionId);
  return { kind: 'converted', rootSeq, namespaceSeq };
}
