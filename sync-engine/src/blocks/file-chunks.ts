import { open } from 'node:fs/promises';

/** Read size for files: large reads keep per-read overhead small. */
export const FILE_READ_BYTES = 1024 * 1024;
/** The smallest read buffer, for a file that grows while it is read. */
const MIN_READ_BYTES = 16 * 1024;

/**
 * Reads a file in chunks of `readBytes`, reusing two buffers: the next read runs while the caller
 * processes the current chunk. A yielded chunk is valid only until the next one is requested:
 * chunkStream, encodeFileBlocks and hashing copy or consume it at once. Unlike a read stream,
 * this allocates nothing per read, which keeps memory flat on large files. The buffers are no
 * larger than the file (plus one byte, so that its end is seen by the next read): two 1 MiB
 * buffers for each 10 KiB file made a batch of small files spend most of its time allocating
 * and collecting them (docs/performance.md "Sync").
 * @throws the file system error (ENOENT, EISDIR, …) or an AbortError when `signal` fires.
 */
export async function* readFileChunks(
  path: string,
  options: { signal?: AbortSignal; readBytes?: number } = {},
): AsyncGenerator<Uint8Array> {
  const maxReadBytes = options.readBytes ?? FILE_READ_BYTES;
  options.signal?.throwIfAborted();
  const file = await open(path, 'r');
  let pending: ReturnType<typeof file.read> | undefined;
  try {
    const { size } = await file.stat();
    const readBytes = Math.min(maxReadBytes, Math.max(MIN_READ_BYTES, size + 1));
    const buffers = [new Uint8Array(readBytes), new Uint8Array(readBytes)];
    let current = 0;
    pending = file.read(buffers[current]!, 0, readBytes, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      options.signal?.throwIfAborted();
      const chunk = buffers[current]!.subarray(0, bytesRead);
      current = 1 - current;
      // Read ahead into the other buffer; the chunk below stays valid until the next request.
      pending = file.read(buffers[current]!, 0, readBytes, null);
      yield chunk;
    }
  } finally {
    // A consumer that stops early leaves one read in flight: let it settle before closing. Its
    // result, or error, is no longer wanted by anyone.
    await pending?.then(
      () => undefined,
      () => undefined,
    );
    await file.close();
  }
}
