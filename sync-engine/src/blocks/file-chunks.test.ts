import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileChunks } from './file-chunks.js';
import { seededBytes, createTestTempDir } from '../testkit/index.js';

/** Open file descriptors of this process (Linux), to prove files are closed. */
async function openFileCount(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe('readFileChunks', () => {
  let dir: Awaited<ReturnType<typeof createTestTempDir>>;
  let path: string;
  const data = seededBytes('random', 8, 1_000_003);
  beforeAll(async () => {
    dir = await createTestTempDir('file-chunks');
    path = join(dir.path, 'data.bin');
    await writeFile(path, data);
  });
  afterAll(() => dir.remove());

  it('yields the whole file in reads of the requested size', async () => {
    const copies: Uint8Array[] = [];
    for await (const chunk of readFileChunks(path, { readBytes: 65_536 })) {
      expect(chunk.length).toBeLessThanOrEqual(65_536);
      copies.push(chunk.slice()); // a chunk is valid only until the next one is requested
    }
    expect(copies.length).toBe(Math.ceil(data.length / 65_536));
    expect(Buffer.concat(copies).equals(data)).toBe(true);
  });

  it('reuses its two buffers', async () => {
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of readFileChunks(path, { readBytes: 100_000 }))
      buffers.add(chunk.buffer);
    expect(buffers.size).toBe(2);
  });

  it('yields nothing for an empty file', async () => {
    const empty = join(dir.path, 'empty');
    await writeFile(empty, new Uint8Array(0));
    const chunks = [];
    for await (const chunk of readFileChunks(empty)) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('closes the file when the consumer stops early', async () => {
    const before = await openFileCount();
    for await (const chunk of readFileChunks(path, { readBytes: 4096 })) {
      expect(chunk.length).toBe(4096);
      break;
    }
    expect(await openFileCount()).toBe(before);
  });

  it('fails with the file system error, or AbortError when aborted', async () => {
    const drain = async (source: AsyncIterable<Uint8Array>) => {
      for await (const chunk of source) expect(chunk).toBeDefined();
    };
    await expect(drain(readFileChunks(join(dir.path, 'missing')))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(drain(readFileChunks(dir.path))).rejects.toMatchObject({ code: 'EISDIR' });
    const controller = new AbortController();
    const aborted = (async () => {
      for await (const chunk of readFileChunks(path, {
        readBytes: 4096,
        signal: controller.signal,
      })) {
        expect(chunk).toBeDefined();
        controller.abort();
      }
    })();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });
});
