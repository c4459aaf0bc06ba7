/**
 * The sync benchmark's data, written outside the synced folders (in a staging folder on the same
 * file system, so that moving it in is one rename) and flushed to disk before a clock starts,
 * so the write-back of the preparation does not compete with the engines.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** One file of a generated tree: its server-style path relative to the tree's root, and size. */
export interface TreeFile {
  readonly relPath: string;
  readonly sizeBytes: number;
}

const CHUNK_BYTES = 8 * 1024 * 1024;

/** Writes `sizeBytes` of random bytes (no two blocks alike: nothing deduplicates) and fsyncs. */
export async function writeRandomFile(file: string, sizeBytes: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let written = 0; written < sizeBytes;) {
      const length = Math.min(CHUNK_BYTES, sizeBytes - written);
      randomFillSync(chunk, 0, length);
      await handle.write(chunk, 0, length, written);
      written += length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `prefix` then the whole of `source` into `file` (an insertion at the start), fsynced. */
export async function writePrefixedCopy(
  source: string,
  file: string,
  prefix: Buffer,
): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.write(prefix, 0, prefix.length, 0);
    let position = prefix.length;
    for await (const chunk of createReadStream(source, { highWaterMark: CHUNK_BYTES })) {
      const bytes = chunk as Buffer;
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `folders` folders (`d000`, `d001`, …) of `filesPerFolder` random files of `fileBytes`
 * each under `root`. Returns the files with paths relative to `root` (`/d000/f000.bin`).
 */
export async function writeSmallFileTree(
  root: string,
  options: { folders: number; filesPerFolder: number; fileBytes: number },
): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  for (let d = 0; d < options.folders; d++) {
    const dir = `d${String(d).padStart(3, '0')}`;
    await mkdir(path.join(root, dir), { recursive: true });
    const writes: Array<Promise<void>> = [];
    for (let f = 0; f < options.filesPerFolder; f++) {
      const name = `f${String(f).padStart(3, '0')}.bin`;
      writes.push(writeFile(path.join(root, dir, name), randomBytes(options.fileBytes)));
      files.push({ relPath: `/${dir}/${name}`, sizeBytes: options.fileBytes });
    }
    await Promise.all(writes);
  }
  return files;
}

/** Flushes every dirty page of the machine to disk (`sync`). */
export async function flushDisk(): Promise<void> {
  await promisify(execFile)('sync');
}
