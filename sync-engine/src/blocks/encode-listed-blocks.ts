import { BlockBufferPool } from './block-buffer-pool.js';
import { BLOCK_KEY_BYTES } from './block-codec.js';
import { CHUNK_AVG_BYTES, CHUNK_MAX_BYTES } from './chunk-bounds.js';
import type { ReadRange } from './chunk-against.js';
import type { BlockCodecPool, EncodedBlock } from './codec-pool.js';
import { isStoredRaw, type EncodedFileBlock } from './encode-file-blocks.js';
import { IN_PLACE_HEADROOM_BYTES, encodeBlockInPlace, inPlaceCapacity } from './encode-in-place.js';
import { loadBlockFingerprint } from './fingerprint.js';
import type { ListedBlock } from './list-file-blocks.js';

/** A listed block's bytes are no longer in the file: it changed since it was listed. */
export class ListedBlockChangedError extends Error {
  constructor(readonly offset: number) {
    super(`the block at ${offset} changed since the file was listed`);
    this.name = 'ListedBlockChangedError';
  }
}

interface PendingBlock {
  readonly block: ListedBlock;
  readonly result: Promise<EncodedBlock>;
}

/**
 * Encodes blocks listed before (listFileBlocks, or a list chunked against a previous version),
 * reading each by range: its bytes must still have the listed size and xxHash64, else
 * ListedBlockChangedError (the file changed since it was listed; nothing read after that is
 * yielded). Each block is encoded under its listed id, so neither the chunker nor SHA-256 runs
 * again. Yields in list order; bounded like encodeFileBlocks (pool workers + 1 blocks in flight,
 * 2 for incompressible data), each block encoded over its own buffer, buffers the consumer
 * releases reused. Stopping early is fine; running tasks finish unobserved.
 * @throws RangeError for a key that is not 32 bytes; the reader's errors; pool errors.
 */
export async function* encodeListedBlocks(
  read: ReadRange,
  blocks: readonly ListedBlock[],
  key: Uint8Array,
  options: { pool?: BlockCodecPool } = {},
): AsyncGenerator<EncodedFileBlock> {
  if (!(key instanceof Uint8Array) || key.length !== BLOCK_KEY_BYTES) {
    throw new RangeError(`a block key must be ${BLOCK_KEY_BYTES} bytes`);
  }
  const { pool } = options;
  const maxInFlightBlocks = pool ? pool.workerCount + 1 : 1;
  const buffers = new BlockBufferPool({
    maxBytes: inPlaceCapacity(CHUNK_MAX_BYTES),
    retainBytes: 2 * CHUNK_AVG_BYTES,
    maxFree: maxInFlightBlocks + 2,
  });
  const fingerprint = await loadBlockFingerprint();
  const fileBlock = (block: ListedBlock, encoded: Uint8Array): EncodedFileBlock => {
    let isReleased = false;
    const release = () => {
      if (!isReleased) buffers.release(encoded.buffer);
      isReleased = true;
    };
    const { offset, size, id, xxhash } = block;
    return { offset, size, id, xxhash, encoded, release };
  };
  /** The block's bytes at the headroom offset of a pooled buffer, checked against the list. */
  const readBlock = async (block: ListedBlock): Promise<Uint8Array> => {
    const buffer = buffers.acquire();
    buffers.ensureLength(buffer, IN_PLACE_HEADROOM_BYTES + block.size);
    try {
      const into = new Uint8Array(buffer, IN_PLACE_HEADROOM_BYTES, block.size);
      const bytes = await read(block.offset, block.size, into);
      if (bytes.length !== block.size || fingerprint(bytes) !== block.xxhash) {
        throw new ListedBlockChangedError(block.offset);
      }
      return bytes;
    } catch (error) {
      buffers.release(buffer);
      throw error;
    }
  };

  if (!pool) {
    for (const block of blocks) {
      const bytes = await readBlock(block);
      yield fileBlock(block, encodeBlockInPlace(bytes, key, block.id));
    }
    return;
  }

  const pending: PendingBlock[] = [];
  // As in encodeFileBlocks: incompressible blocks keep one worker busy with one block queued.
  let isRecentBlockRaw = true;
  const inFlightLimit = () => (isRecentBlockRaw ? 2 : maxInFlightBlocks);
  async function takeHead(): Promise<EncodedFileBlock> {
    const head = pending.shift()!;
    const { encoded } = await head.result;
    isRecentBlockRaw = isStoredRaw(encoded);
    return fileBlock(head.block, encoded);
  }
  for (const block of blocks) {
    const bytes = await readBlock(block);
    // The buffer moves to a worker and comes back holding the encoded block.
    const result = pool.encode(bytes, key, {
      inPlace: true,
      id: block.id,
      maxWorkers: isRecentBlockRaw ? 1 : undefined,
    });
    // Observed when its turn comes (or dropped if the consumer stops first).
    result.catch(() => undefined);
    pending.push({ block, result });
    while (pending.length >= inFlightLimit()) yield await takeHead();
  }
  while (pending.length > 0) yield await takeHead();
}
