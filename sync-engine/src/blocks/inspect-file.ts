import type { BlockId } from '../protocol/index.js';
import type { ChunkerOptions } from './chunk-bounds.js';
import { chunkStream } from './chunk-stream.js';
import { readFileChunks } from './file-chunks.js';
import { hashBlock } from './hash-block.js';

/** The block list of a local file, as `ferry inspect --json` prints it. */
export interface InspectedFile {
  /** The path as given. */
  path: string;
  /** File size, bytes. */
  size: number;
  blocks: { offset: number; size: number; id: BlockId }[];
}

/**
 * Chunks and hashes a local file (no compression, no encryption) and returns its block list:
 * what would be committed for it. Streams the file; memory stays bounded by one block.
 * @throws the file system error (ENOENT, EISDIR, EACCES, …) or an AbortError when `signal` fires.
 */
export async function inspectFile(
  path: string,
  options: { chunker?: ChunkerOptions; signal?: AbortSignal } = {},
): Promise<InspectedFile> {
  const source = readFileChunks(path, { signal: options.signal });
  const blocks: InspectedFile['blocks'] = [];
  let size = 0;
  for await (const { offset, bytes } of chunkStream(source, options.chunker)) {
    blocks.push({ offset, size: bytes.length, id: hashBlock(bytes) });
    size = offset + bytes.length;
  }
  return { path, size, blocks };
}
