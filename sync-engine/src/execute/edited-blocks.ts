/**
 * The blocks of an edited file for its upload: the file is chunked against the block list of
 * its last synced version (blocks/chunk-against.ts), so an unchanged block costs one read and an
 * xxHash64, and keeps its id; only new blocks are hashed (SHA-256), compressed and encrypted, and
 * only those go to `/blocks/check` and the upload.
 */
import {
  chunkAgainst,
  encodeBlock,
  hashBlock,
  type EncodedFileBlock,
  type KnownBlock,
  type ListedBlock,
} from '../blocks/index.js';
import type { NamespaceId } from '../protocol/index.js';
import type { ItemId } from '../state/index.js';
import type { ExecuteContext } from './execute-context.js';

/** One block of the file: its list entry, and the encoded block when it is new. */
export interface UploadBlock {
  readonly listed: ListedBlock;
  readonly encoded?: EncodedFileBlock;
}

/**
 * The synced version's blocks of `itemId`, when every one has its xxHash (a list written before
 * schema version 5 has none: the file is then encoded in full, as a new one is).
 */
/**
 * The synced blocks an upload of `operation` may be chunked against: none for a copy into
 * another namespace (across a share's boundary), whose blocks are stored, under another key, in
 * the namespace it leaves: chunked against them, it would commit blocks it never sent there.
 */
export function blocksToEditFrom(
  context: ExecuteContext,
  operation: { readonly itemId: ItemId; readonly crossShare?: boolean },
  namespace: NamespaceId,
): KnownBlock[] | undefined {
  const stored = context.state.items.remote.get(operation.itemId)?.namespace;
  const sameNamespace =
    operation.crossShare !== true && (stored === undefined || stored === namespace);
  return sameNamespace ? knownBlocksOf(context, operation.itemId) : undefined;
}

export function knownBlocksOf(context: ExecuteContext, itemId: ItemId): KnownBlock[] | undefined {
  const list = context.state.blocks.get(itemId, 'synced');
  if (list.length === 0) return undefined;
  const known: KnownBlock[] = [];
  for (const block of list) {
    if (block.xxhash === undefined) return undefined;
    known.push({
      offset: block.offsetBytes,
      size: block.sizeBytes,
      id: block.blockId,
      xxhash: block.xxhash,
    });
  }
  return known;
}

/**
 * The file's blocks in order, each fed to `fingerprinter` (the blocks tile the file, so it sees
 * every byte once). `sizeBytes` is the file's size as stat gave it; the caller checks after the
 * read that the file did not change meanwhile.
 */
export async function* editedBlocks(
  context: ExecuteContext,
  path: string,
  sizeBytes: number,
  previous: readonly KnownBlock[],
  key: Uint8Array,
  fingerprinter: { update(chunk: Uint8Array): void },
): AsyncGenerator<UploadBlock> {
  const read = (offset: number, length: number, into: Uint8Array) =>
    context.fs.readRange(path, offset, length, context.signal, into);
  for await (const block of chunkAgainst(read, sizeBytes, previous)) {
    fingerprinter.update(block.bytes);
    const base = { offset: block.offset, size: block.size, xxhash: block.xxhash };
    if (block.reused) {
      yield { listed: { ...base, id: block.id } };
      continue;
    }
    const id = hashBlock(block.bytes);
    const encoded = encodeBlock(block.bytes, key, id);
    yield {
      listed: { ...base, id },
      encoded: {
        offset: block.offset,
        size: block.size,
        id,
        xxhash: block.xxhash,
        encoded,
        release: () => undefined,
      },
    };
  }
}
