/**
 * A whole file from a byte stream (simple uploads, finished resumable uploads): chunk, encode,
 * store each new block (quota-checked), then commit. If anything fails — quota, a broken
 * stream, a conflicting commit — the blocks this upload newly stored are discarded again, so a
 * refused upload leaves nothing stored and nothing charged.
 */
import { encodeFileBlocks } from '../../../sync-engine/src/blocks/index.js';
import type { BlockId } from '../../../sync-engine/src/protocol/index.js';
import type { EntryRecord } from '../metadata/records.js';
import type { ServerContext } from '../server-context.js';
import { commitBlocks, type CommitBlocksInput } from './commit-blocks.js';
import { discardStoredBlocks, storeBlock } from './store-block.js';

export async function storeAndCommitFile(
  ctx: ServerContext,
  input: { source: AsyncIterable<Uint8Array>; commit: Omit<CommitBlocksInput, 'blocks'> },
): Promise<EntryRecord> {
  const { namespace } = input.commit.target;
  const key = await ctx.keyring.keyOf(namespace);
  const blocks: BlockId[] = [];
  const fresh: BlockId[] = [];
  try {
    for await (const block of encodeFileBlocks(input.source, key, { pool: ctx.codec })) {
      const args = { namespace, id: block.id, encoded: block.encoded, plainSize: block.size };
      if (await storeBlock(ctx, args)) fresh.push(block.id);
      blocks.push(block.id);
    }
    return await commitBlocks(ctx, { ...input.commit, blocks });
  } catch (error) {
    await discardStoredBlocks(ctx, namespace, fresh);
    throw error;
  }
}
