/**
 * Making a file version out of blocks the namespace holds: the one path shared by
 * POST /files/commit, simple and resumable uploads and restore. Checks the blocks and the
 * declared size, commits (first writer wins) with the caller's access re-checked inside the
 * commit's transaction, publishes the journal move on the bus, and turns the store's outcome
 * into a result or a wire error.
 */
import { contentHashOf } from 'sync-engine/blocks';
import type { BlockId, FileId, RemotePath, Rev } from 'sync-engine/protocol';
import type { ResolvedPath } from '../access/user-view.js';
import { accessOutcomeError, accessTo } from '../access/write-access.js';
import type { ServerConfig } from '../config.js';
import { assertNever, ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { Actor, EntryRecord } from '../metadata/records.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { NotificationBus } from '../notify/index.js';

/** What a commit uses of the server (a ServerContext is one). */
export interface CommitDeps {
  readonly store: Pick<MetadataStore, 'getBlock' | 'commitFile'>;
  readonly bus: Pick<NotificationBus, 'publish'>;
  readonly metrics: Pick<ServerMetrics, 'commits'>;
  readonly config: Pick<ServerConfig, 'versionLimit'>;
}

export interface CommitBlocksInput {
  readonly target: ResolvedPath;
  /** The path as the user named it (for messages). */
  readonly userPath: RemotePath;
  readonly blocks: readonly BlockId[];
  /** Declared plaintext size; checked against the blocks when given. */
  readonly size?: number;
  readonly modifiedMs: number;
  readonly parentRev: Rev | null;
  /** Skip the parent revision check (restore, overwriting uploads). */
  readonly force?: boolean;
  readonly restoredFrom?: Rev;
  /** Restore: the deleted file to bring back when no file lives at the path. */
  readonly reviveFileId?: FileId;
  readonly actor: Actor;
}

/** Plaintext size of a block list, or the blocks the namespace lacks. */
async function measureBlocks(
  store: Pick<MetadataStore, 'getBlock'>,
  input: CommitBlocksInput,
): Promise<{ size: number } | { missing: BlockId[] }> {
  const sizes = new Map<BlockId, number>();
  const missing: BlockId[] = [];
  for (const id of new Set(input.blocks)) {
    const block = await store.getBlock(input.target.namespace, id);
    if (block) sizes.set(id, block.plainSize);
    else missing.push(id);
  }
  if (missing.length > 0) return { missing };
  return { size: input.blocks.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0) };
}

/**
 * What a commit led to: the file, or (nothing written) where the path resolves now, when that
 * changed since the request began and the user may write there.
 */
export type CommitResult =
  | { readonly kind: 'committed'; readonly entry: EntryRecord }
  | { readonly kind: 'target_changed'; readonly target: ResolvedPath };

/**
 * Commits and publishes, unless the target moved (then `target_changed`, for the caller to
 * redo the upload there). Throws missing_blocks, rev_conflict, path_conflict, invalid_request,
 * and forbidden when the caller lost write access meanwhile.
 */
export async function commitOnce(
  deps: CommitDeps,
  input: CommitBlocksInput,
): Promise<CommitResult> {
  const measured = await measureBlocks(deps.store, input);
  if ('missing' in measured) {
    throw new ServerError(
      'missing_blocks',
      `upload ${measured.missing.length} missing blocks first`,
      {
        details: { missing: measured.missing },
      },
    );
  }
  if (input.size !== undefined && input.size !== measured.size) {
    throw new ServerError(
      'invalid_request',
      `size ${input.size} does not match the blocks' ${measured.size} bytes`,
    );
  }
  const outcome = await deps.store.commitFile({
    namespace: input.target.namespace,
    path: input.target.path,
    blocks: input.blocks,
    size: measured.size,
    contentHash: contentHashOf(input.blocks),
    modifiedMs: input.modifiedMs,
    parentRev: input.parentRev,
    force: input.force,
    restoredFrom: input.restoredFrom,
    reviveFileId: input.reviveFileId,
    actor: input.actor,
    versionLimit: deps.config.versionLimit,
    // Checked again inside the commit's transaction: the folder may have been shared, the
    // share revoked or the role lowered since the route resolved the path.
    access: accessTo(input.actor.userId, input.userPath, input.target),
  });
  switch (outcome.kind) {
    case 'committed':
      deps.metrics.commits.inc();
      await deps.bus.publish({ topic: input.target.namespace, seq: outcome.seq });
      return { kind: 'committed', entry: outcome.entry };
    case 'target_changed':
      return { kind: 'target_changed', target: outcome.target };
    case 'access_lost':
      throw accessOutcomeError(outcome);
    case 'missing_blocks':
      // Lost a race with garbage collection between the check above and the commit.
      throw new ServerError('missing_blocks', 'blocks went missing; upload them again', {
        details: { missing: outcome.missing },
      });
    case 'rev_conflict':
      throw new ServerError(
        'rev_conflict',
        `${input.userPath} changed since ${input.parentRev ?? 'your copy'}`,
        {
          details: { currentRev: outcome.currentRev },
        },
      );
    case 'path_conflict':
      throw new ServerError('path_conflict', outcome.message);
    case 'invalid_path':
      throw new ServerError('invalid_path', `${input.userPath}: ${outcome.message}`);
    default:
      return assertNever(outcome);
  }
}

/**
 * Commits blocks the client uploaded (POST /files/commit, restore): a moved target is the
 * client's to handle, as 409 namespace_changed naming where the path is now.
 */
export async function commitBlocks(
  deps: CommitDeps,
  input: CommitBlocksInput,
): Promise<EntryRecord> {
  const result = await commitOnce(deps, input);
  if (result.kind === 'committed') return result.entry;
  const { namespace } = result.target;
  throw accessOutcomeError(
    { kind: 'target_changed', userPath: input.userPath, target: result.target },
    input.restoredFrom
      ? 'restore again'
      : `upload the blocks to namespace ${namespace} (encrypted with its key, GET /keys/${namespace}) and commit again`,
  );
}
