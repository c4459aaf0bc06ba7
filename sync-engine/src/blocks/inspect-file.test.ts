import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkStream } from './chunk-stream.js';
import { hashBlock } from './hash-block.js';
import { inspectFile } from './inspect-file.js';
import { seededBytes, createTestTempDir } from '../testkit/index.js';

describe('inspectFile', () => {
  let dir: Awaited<ReturnType<typeof createTestTempDir>>;
  beforeAll(async () => {
    dir = await createTestTempDir('inspect');
  });
  afterAll(() => dir.remove());

  it('lists the blocks the chunker cuts, with SHA-256 ids', async () => {
    const data = seededBytes('text', 3, 300_000);
    const path = join(dir.path, 'notes.txt');
    await writeFile(path, data);
    const chunker = { minBytes: 4096, avgBytes: 16_384, maxBytes: 65_536 };
    async function* once(): AsyncGenerator<Uint8Array> {
      yield data;
    }
    const expected = [];
    for await (const { offset, bytes } of chunkStream(once(), chunker)) {
      expected.push({ offset, size: bytes.length, id: hashBlock(bytes) });
    }
    expect(expected.length).toBeGreaterThan(5);
    expect(await inspectFile(path, { chunker })).toEqual({
      path,
      size: data.length,
      blocks: expected,
    });
  });

  it('reports an empty file with no blocks', async () => {
    const path = join(dir.path, 'empty');
    await writeFile(path, new Uint8Array(0));
    expect(await inspectFile(path)).toEqual({ path, size: 0, blocks: [] });
  });

  it('fails with the file system error for a missing file or a directory', async () => {
    await expect(inspectFile(join(dir.path, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(inspectFile(dir.path)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('stops when its signal is aborted', async () => {
    const path = join(dir.path, 'big.bin');
    await writeFile(path, seededBytes('random', 4, 20_000_000));
    await expect(inspectFile(path, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
