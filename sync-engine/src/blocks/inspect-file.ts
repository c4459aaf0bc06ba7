import { createReadStream } from 'node:fs';
import type { BlockId } from '../protocol/index.js';
import type { ChunkerOptions } from './chunk-bounds.js';
import { chunkStream } from './chunk-stream.js';
import { hashBlock } from './hash-block.js';

/** The block list of a local file, as `ferry inspect --json` prints it. */
export interface InspectedFile {
  /** The path as given. */
  path: string;
  /** File size, bytes. */
  size: number;
  blocks: { offset: number; size: number; id: BlockId }[];
}

/** Read size for files: large reads keep per-read overhead small; one read is held at a time. */
export const FILE_READ_BYTES = 4 * 1024 * 1024;

/**
 * Chunks and hashes a local file (no compression, no encryption) and returns its block list:
 * what would be committed for it. Streams the file; memory stays bounded by one block.
 * @throws the file system error (ENOENT, EISDIR, EACCES, …) or an AbortError when `signal` fires.
 */
export async function inspectFile(
  path: string,
  options: { chunker?: ChunkerOptions; signal?: AbortSignal } = {},
): Promise<InspectedFile> {
  const stream = createReadStream(path, {
    highWaterMark: FILE_READ_BYTES,
    signal: options.signal,
  });
  const blocks: InspectedFile['blocks'] = [];
  let size = 0;
  for await (const { offset, bytes } of chunkStream(stream, options.chunker)) {
    blocks.push({ offset, size: bytes.length, id: hashBlock(bytes) });
    size = offset + bytes.length;
  }
  return { path, size, blocks };
}
