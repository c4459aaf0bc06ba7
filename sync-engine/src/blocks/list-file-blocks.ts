import type { BlockId } from '../protocol/index.js';
import { assembleBlocks } from './block-assembler.js';
import { BlockBufferPool } from './block-buffer-pool.js';
import { resolveChunkBounds, type ChunkerOptions } from './chunk-bounds.js';
import { loadBlockFingerprint } from './fingerprint.js';
import { hashBlock } from './hash-block.js';

/** A block of a file as listed: where it lies, its id, and the xxHash64 its bytes had then. */
export interface ListedBlock {
  readonly offset: number;
  readonly size: number;
  readonly id: BlockId;
  /** xxHash64 of the plaintext, 16 lowercase hex characters (fingerprint.ts). */
  readonly xxhash: string;
}

/**
 * A file's block list without encoding anything: chunked as chunkStream cuts it, each block
 * hashed (SHA-256 for its id, xxHash64 to recognise its bytes later). What an announce says is
 * coming; encodeListedBlocks then encodes from the list without chunking or hashing again. Reads
 * go through one reused buffer.
 * @throws RangeError for invalid chunker options; the source's errors.
 */
export async function* listFileBlocks(
  source: AsyncIterable<Uint8Array>,
  options?: ChunkerOptions,
): AsyncGenerator<ListedBlock> {
  const bounds = resolveChunkBounds(options);
  const buffers = new BlockBufferPool({
    maxBytes: bounds.maxBytes,
    retainBytes: bounds.maxBytes,
    maxFree: 1,
  });
  const fingerprint = await loadBlockFingerprint();
  for await (const { offset, bytes } of assembleBlocks(source, {
    bounds,
    buffers,
    headroomBytes: 0,
  })) {
    const block = { offset, size: bytes.length, id: hashBlock(bytes), xxhash: fingerprint(bytes) };
    buffers.release(bytes.buffer);
    yield block;
  }
}
