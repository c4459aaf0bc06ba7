/**
 * A whole file from a byte stream (simple uploads, finished resumable uploads): chunk, encode,
 * store each new block (quota reserved first), then commit with the caller's access re-checked
 * inside the commit's transaction. When the path resolves to another namespace by then (its
 * folder was shared meanwhile), the blocks are re-encoded for that namespace and the commit is
 * retried there, so an acknowledged upload is always reachable at the path the user named. If
 * anything fails — quota, a broken stream, a conflicting commit, lost access — the blocks this
 * upload newly stored are discarded again, so a refused upload leaves nothing stored or charged.
 */
import { encodeFileBlocks } from 'sync-engine/blocks';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { ResolvedPath } from '../access/user-view.js';
import { accessOutcomeError } from '../access/write-access.js';
import type { EntryRecord } from '../metadata/records.js';
import type { ServerContext } from '../server-context.js';
import { commitOnce, type CommitBlocksInput } from './commit-blocks.js';
import { FreshBlocks } from './fresh-blocks.js';
import type { QuotaReservation } from './quota-reservation.js';
import { reencodeBlocks } from './reencode-blocks.js';
import { storeBlock } from './store-block.js';

/** How often an upload follows its path to another namespace before it gives up (409). */
const MAX_RETARGETS = 3;

export interface StoreFileInput {
  readonly source: AsyncIterable<Uint8Array>;
  /**
   * Reads the file again from its start (a resumable upload's staging file): when the target
   * moves, the file is re-encoded from it. Without it, the stored blocks are re-encoded.
   */
  readonly reread?: () => AsyncIterable<Uint8Array>;
  readonly commit: Omit<CommitBlocksInput, 'blocks'>;
  readonly reservation: QuotaReservation;
}

/** The committed file, and where it was committed (the target may have moved). */
export interface StoredFile {
  readonly entry: EntryRecord;
  readonly target: ResolvedPath;
}

async function encodeAndStore(
  ctx: ServerContext,
  input: {
    source: AsyncIterable<Uint8Array>;
    namespace: NamespaceId;
    reservation: QuotaReservation;
    fresh: FreshBlocks;
  },
): Promise<BlockId[]> {
  const { namespace, reservation } = input;
  const key = await ctx.keyring.keyOf(namespace);
  const blocks: BlockId[] = [];
  for await (const block of encodeFileBlocks(input.source, key, { pool: ctx.codec })) {
    const args = { namespace, id: block.id, encoded: block.encoded, plainSize: block.size };
    if (await storeBlock(ctx, { ...args, reservation })) input.fresh.add(namespace, block.id);
    blocks.push(block.id);
  }
  return blocks;
}

export async function storeAndCommitFile(
  ctx: ServerContext,
  input: StoreFileInput,
): Promise<StoredFile> {
  const { reservation } = input;
  const fresh = new FreshBlocks(ctx);
  let target = input.commit.target;
  let committedIn: NamespaceId | undefined;
  try {
    let blocks = await encodeAndStore(ctx, {
      source: input.source,
      namespace: target.namespace,
      reservation,
      fresh,
    });
    for (let moves = 0; ; moves++) {
      const result = await commitOnce(ctx, { ...input.commit, target, blocks });
      if (result.kind === 'committed') {
        committedIn = target.namespace;
        return { entry: result.entry, target };
      }
      if (moves === MAX_RETARGETS) {
        throw accessOutcomeError({
          kind: 'target_changed',
          userPath: input.commit.userPath,
          target: result.target,
        });
      }
      const from = target.namespace;
      target = result.target;
      const into = { namespace: target.namespace, reservation, fresh };
      if (input.reread) {
        blocks = await encodeAndStore(ctx, { ...into, source: input.reread() });
      } else {
        await reencodeBlocks(ctx, { ...into, blocks, from, to: target.namespace });
      }
      // Referenced by nothing: the old namespace's copies go now (and their quota with them).
      await fresh.discardIn(from);
    }
  } finally {
    await fresh.discardAllBut(committedIn);
  }
}
