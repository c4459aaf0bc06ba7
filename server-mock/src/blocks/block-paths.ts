/**
 * Where LocalDirBlockStore keeps a block on disk, and the shape checks that keep every path
 * inside the store's directories. Layout of each tier: `<root>/<namespace>/<ab>/<cd>/<id>`, where
 * `ab` and `cd` are the id's first four hex characters (two levels of 256 shards, so no directory
 * grows past a few thousand entries even with millions of blocks).
 */
import { join } from 'node:path';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { isBlockId } from 'sync-engine/protocol';

/**
 * Namespace ids the store accepts: ASCII letters, digits, `_` and `-`, starting with a letter or
 * digit, at most 128 characters. This excludes `.`, `..`, separators, NUL and anything a file
 * system might treat specially, so a namespace is always exactly one directory level.
 */
const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SHARD_PATTERN = /^[0-9a-f]{2}$/;

/** Prefix of in-flight temporary files; never a valid block id, so listings skip them. */
export const TEMP_FILE_PREFIX = '.tmp-';

/** True when `value` can name a namespace directory (see NAMESPACE_PATTERN). */
export function isStorableNamespace(value: string): value is NamespaceId {
  return NAMESPACE_PATTERN.test(value);
}

/** True when `name` is a shard directory name (two lowercase hex characters). */
export function isShardName(name: string): boolean {
  return SHARD_PATTERN.test(name);
}

/**
 * Throws a RangeError unless `namespace` and `id` have the accepted shapes. Routes validate
 * first and answer 400; this is the store's own guard against path traversal.
 */
export function assertBlockAddressShape(namespace: string, id?: string): void {
  if (typeof namespace !== 'string' || !isStorableNamespace(namespace)) {
    throw new RangeError(`invalid namespace id for the block store: ${JSON.stringify(namespace)}`);
  }
  if (id !== undefined && (typeof id !== 'string' || !isBlockId(id))) {
    throw new RangeError(`invalid block id: ${JSON.stringify(id)}`);
  }
}

/** The shard directory of a block under a tier root. Shapes must be checked first. */
export function shardDirOf(root: string, namespace: NamespaceId, id: BlockId): string {
  return join(root, namespace, id.slice(0, 2), id.slice(2, 4));
}

/** True when `name` is a block file that belongs in shard `ab/cd` (skips temps and strays). */
export function isBlockFileOfShard(name: string, ab: string, cd: string): name is BlockId {
  return isBlockId(name) && name.startsWith(ab + cd);
}
