/**
 * A whole file from a byte stream (simple uploads, finished resumable uploads): chunk, encode,
 * store each new block (quota reserved first), then commit with the caller's access re-checked
 * inside the commit's transaction. When the path resolves to another namespace by then (its
 * folder was shared meanwhile), the blocks are re-encoded for that namespace and the commit is
 * retried there, so an acknowledged upload is always reachable at the path the user named. If
 * anything fails — quota, a broken stream, a conflicting commit, lost access — the blocks this
 * upload newly stored are discarded again, so a refused upload leaves nothing stored or charged.
 */
import { encodeFileBlocks, type BlockCodecPool } from 'sync-engine/blocks';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { ResolvedPath } from '../access/user-view.js';
import { accessOutcomeError } from '../access/write-access.js';
import { commitOnce, type CommitBlocksInput, type CommitDeps } from '../commit/commit-blocks.js';
import type { EntryRecord } from '../metadata/records.js';
import { FreshBlocks } from './fresh-blocks.js';
import type { QuotaReservation } from './quota-reservation.js';
import { reencodeBlocks, type ReencodeBlocksDeps } from './reencode-blocks.js';
import { storeBlock, type DiscardBlocksDeps } from './store-block.js';

/** What storing and committing a file uses of the server (a ServerContext is one). */
export type StoreFileDeps = CommitDeps &
  ReencodeBlocksDeps &
  DiscardBlocksDeps & {
    /** The whole pool: the chunker encodes in its workers. */
    readonly codec: BlockCodecPool;
  };

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
  deps: StoreFileDeps,
  input: {
    source: AsyncIterable<Uint8Array>;
    namespace: NamespaceId;
    reservation: QuotaReservation;
    fresh: FreshBlocks;
  },
): Promise<BlockId[]> {
  const { namespace, reservation } = input;
  const key = await deps.keyring.keyOf(namespace);
  const blocks: BlockId[] = [];
  for await (const block of encodeFileBlocks(input.source, key, { pool: deps.codec })) {
    const args = { namespace, id: block.id, encoded: block.encoded, plainSize: block.size };
    if (await storeBlock(deps, { ...args, reservation })) input.fresh.add(namespace, block.id);
    blocks.push(block.id);
  }
  return blocks;
}

export async function storeAndCommitFile(
  deps: StoreFileDeps,
  input: StoreFileInput,
): Promise<StoredFile> {
  const { reservation } = input;
  const fresh = new FreshBlocks(deps);
  let target = input.commit.target;
  let committedIn: NamespaceId | undefined;
  try {
    let blocks = await encodeAndStore(deps, {
      source: input.source,
      namespace: target.namespace,
      reservation,
      fresh,
    });
    for (let moves = 0; ; moves++) {
      const result = await commitOnce(deps, { ...input.commit, target, blocks });
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
        blocks = await encodeAndStore(deps, { ...into, source: input.reread() });
      } else {
        await reencodeBlocks(deps, { ...into, blocks, from, to: target.namespace });
      }
      // Referenced by nothing: the old namespace's copies go now (and their quota with them).
      await fresh.discardIn(from);
    }
  } finally {
    await fresh.discardAllBut(committedIn);
  }
}
