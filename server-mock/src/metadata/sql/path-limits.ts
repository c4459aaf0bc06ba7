/**
 * The path length rule (protocol/paths.ts: at most MAX_PATH_BYTES UTF-8 bytes) for paths the
 * server builds itself. A user's path is checked when it arrives, but a move lengthens every
 * path below the moved folder, and a path inside a shared namespace is seen by each member under
 * their own mount point: `/Deep/Mount` + `/a/b` in one view, `/Mount` + `/a/b` in another. An
 * entry over the limit in some view would be listed there but could not be downloaded, moved,
 * restored or deleted, so writes are refused instead. Called inside the write's transaction, so
 * the rows checked are the rows written.
 */
import { MAX_PATH_BYTES, type NamespaceId } from 'sync-engine/protocol';
import type { SqlContext } from './sql-context.js';

/** A path about to be written, and the namespace mounted at it (a share's mount point). */
export interface PathToWrite {
  readonly path: string;
  readonly mount?: NamespaceId | null;
}

/** UTF-8 bytes of `path` (the unit of the path rules; JavaScript lengths count UTF-16 units). */
export function pathBytes(path: string): number {
  return Buffer.byteLength(path, 'utf8');
}

/** Bytes of the longest live mount point of `namespace` in any root; 0 for a root namespace. */
async function longestMountBytes(ctx: SqlContext, namespace: NamespaceId): Promise<number> {
  const row = (await ctx
    .stmt(
      `SELECT MAX(octet_length(path)) AS bytes FROM file
       WHERE mount_namespace = ? AND deleted = 0`,
    )
    .get(namespace)) as { bytes: number | null };
  return row.bytes ?? 0;
}

/**
 * Bytes of the longest path in `namespace`, deleted rows included: a deleted file's history is
 * reached at the path where it was deleted, so it must stay a valid path too.
 */
export async function deepestPathBytes(ctx: SqlContext, namespace: NamespaceId): Promise<number> {
  const row = (await ctx
    .stmt('SELECT MAX(octet_length(path)) AS bytes FROM file WHERE namespace_id = ?')
    .get(namespace)) as { bytes: number | null };
  return row.bytes ?? 0;
}

/**
 * Why writing `paths` into `namespace` would put a path over MAX_PATH_BYTES in some member's
 * view (a message), or undefined when every one fits. A mount point among them carries its
 * namespace's deepest path below it. `mountPrefixBytes`: the namespace's longest mount point,
 * when the caller has just read it (FileRows.commitTarget).
 */
export async function pathLengthProblem(
  ctx: SqlContext,
  namespace: NamespaceId,
  paths: readonly PathToWrite[],
  mountPrefixBytes?: number,
): Promise<string | undefined> {
  const prefix = mountPrefixBytes ?? (await longestMountBytes(ctx, namespace));
  for (const { path, mount } of paths) {
    const below = mount ? await deepestPathBytes(ctx, mount) : 0;
    const bytes = prefix + pathBytes(path) + below;
    if (bytes <= MAX_PATH_BYTES) continue;
    const where =
      below > 0
        ? ' inside the shared folder mounted there'
        : prefix > 0
          ? ' in the view of a member of this shared folder'
          : '';
    return `a path would be ${bytes} bytes long${where}; paths are limited to ${MAX_PATH_BYTES} UTF-8 bytes`;
  }
  return undefined;
}
