/**
 * Making a file version out of blocks the namespace holds: the one path shared by
 * POST /files/commit, /files/commit_batch, simple and resumable uploads and restore. Checks the
 * blocks and the declared size, commits (first writer wins) with the caller's access re-checked
 * inside the commit's transaction (the store publishes the journal move on the bus,
 * journaled-writes.ts), and turns the store's outcome into a result or a wire error. A batch runs
 * each of these steps per commit, with all its commits in one store transaction.
 */
import { contentHashOf } from 'sync-engine/blocks';
import type { BlockId, FileId, RemotePath, Rev } from 'sync-engine/protocol';
import type { ResolvedPath } from '../access/user-view.js';
import { accessOutcomeError, accessTo } from '../access/write-access.js';
import type { ServerConfig } from '../config.js';
import { assertNever, ServerError } from '../errors.js';
import type { CommitInput, CommitOutcome } from '../metadata/file-store.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { Actor, EntryRecord } from '../metadata/records.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

/** What a commit uses of the server (a ServerContext is one). */
export interface CommitDeps {
  readonly store: Pick<MetadataStore, 'getBlocks' | 'commitFile'>;
  readonly metrics: Pick<ServerMetrics, 'commits'>;
  readonly config: Pick<ServerConfig, 'versionLimit'>;
}

/** What a commit batch uses of the server (a ServerContext is one). */
export type CommitBatchDeps = Omit<CommitDeps, 'store'> & {
  readonly store: Pick<MetadataStore, 'getBlocks' | 'commitFiles'>;
};

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
  store: Pick<MetadataStore, 'getBlocks'>,
  input: CommitBlocksInput,
): Promise<{ size: number } | { missing: BlockId[] }> {
  const held = await store.getBlocks(input.target.namespace, input.blocks);
  const missing = [...new Set(input.blocks)].filter((id) => !held.has(id));
  if (missing.length > 0) return { missing };
  return { size: input.blocks.reduce((sum, id) => sum + (held.get(id)?.plainSize ?? 0), 0) };
}

/**
 * What a commit led to: the file, or (nothing written) where the path resolves now, when that
 * changed since the request began and the user may write there.
 */
export type CommitResult =
  | { readonly kind: 'committed'; readonly entry: EntryRecord }
  | { readonly kind: 'target_changed'; readonly target: ResolvedPath };

/**
 * The store's input for a commit: its blocks held by the namespace and its size checked.
 * Throws missing_blocks and invalid_request.
 */
async function prepareCommit(
  deps: {
    readonly store: Pick<MetadataStore, 'getBlocks'>;
    readonly config: Pick<ServerConfig, 'versionLimit'>;
  },
  input: CommitBlocksInput,
): Promise<CommitInput> {
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
  return {
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
  };
}

/** The store's outcome as a result, or the wire error it means. Publishes nothing. */
function settleCommit(input: CommitBlocksInput, outcome: CommitOutcome): CommitResult {
  switch (outcome.kind) {
    case 'committed':
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
 * Commits and publishes, unless the target moved (then `target_changed`, for the caller to
 * redo the upload there). Throws missing_blocks, rev_conflict, path_conflict, invalid_request,
 * and forbidden when the caller lost write access meanwhile.
 */
export async function commitOnce(
  deps: CommitDeps,
  input: CommitBlocksInput,
): Promise<CommitResult> {
  const outcome = await deps.store.commitFile(await prepareCommit(deps, input));
  const result = settleCommit(input, outcome);
  if (outcome.kind === 'committed') deps.metrics.commits.inc();
  return result;
}

/**
 * The committed file; a moved target is the client's to handle, as 409 namespace_changed
 * naming where the path is now.
 */
function requireCommitted(input: CommitBlocksInput, result: CommitResult): EntryRecord {
  if (result.kind === 'committed') return result.entry;
  const { namespace } = result.target;
  throw accessOutcomeError(
    { kind: 'target_changed', userPath: input.userPath, target: result.target },
    input.restoredFrom
      ? 'restore again'
      : `upload the blocks to namespace ${namespace} (encrypted with its key, GET /keys/${namespace}) and commit again`,
  );
}

/** Commits blocks the client uploaded (POST /files/commit, restore). */
export async function commitBlocks(
  deps: CommitDeps,
  input: CommitBlocksInput,
): Promise<EntryRecord> {
  return requireCommitted(input, await commitOnce(deps, input));
}

/** One commit of a batch: the file, or the error POST /files/commit would have answered. */
export type BatchCommitResult =
  | { readonly kind: 'committed'; readonly entry: EntryRecord }
  | { readonly kind: 'failed'; readonly error: ServerError };

/** A ServerError as a failed result; anything else is unexpected and fails the whole batch. */
function failedOf(error: unknown): BatchCommitResult {
  if (error instanceof ServerError) return { kind: 'failed', error };
  throw error;
}

/**
 * Commits each input as commitBlocks would (same checks, same errors), in order, in one store
 * transaction (a later commit sees the earlier ones), then publishes once per namespace, at the
 * last position written. Results in input order.
 */
export async function commitBatch(
  deps: CommitBatchDeps,
  inputs: readonly CommitBlocksInput[],
): Promise<BatchCommitResult[]> {
  const results: BatchCommitResult[] = new Array<BatchCommitResult>(inputs.length);
  const prepared: Array<{ readonly index: number; readonly commit: CommitInput }> = [];
  for (const [index, input] of inputs.entries()) {
    try {
      prepared.push({ index, commit: await prepareCommit(deps, input) });
    } catch (error) {
      results[index] = failedOf(error);
    }
  }
  const outcomes =
    prepared.length === 0 ? [] : await deps.store.commitFiles(prepared.map((p) => p.commit));
  for (const [k, outcome] of outcomes.entries()) {
    const { index } = prepared[k]!;
    const input = inputs[index]!;
    try {
      results[index] = {
        kind: 'committed',
        entry: requireCommitted(input, settleCommit(input, outcome)),
      };
    } catch (error) {
      results[index] = failedOf(error);
    }
    if (outcome.kind === 'committed') deps.metrics.commits.inc();
  }
  return results;
}
