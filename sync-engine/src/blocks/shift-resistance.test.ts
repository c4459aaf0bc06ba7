import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_MAX_BYTES, CHUNK_MIN_BYTES } from './chunk-bounds.js';
import { inspectFile, type InspectedFile } from './inspect-file.js';
import { writeSeededFile, createTestTempDir } from '../testkit/index.js';

const MiB = 1024 * 1024;
const SIZE_BYTES = 64 * MiB;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FERRY = join(REPO_ROOT, 'app/bin/ferry.mjs');

/** Fraction of the original file's blocks that are still present, by id, after the edit. */
function unchangedFraction(before: InspectedFile, after: InspectedFile): number {
  const afterIds = new Set(after.blocks.map((block) => block.id));
  return before.blocks.filter((block) => afterIds.has(block.id)).length / before.blocks.length;
}

/**
 * SPEC "The block pipeline": an insertion near the start of a large file changes only the blocks
 * around it. With fixed-size blocks, one inserted byte would change every block.
 */
describe('content-defined chunking resists shifts', () => {
  let dir: Awaited<ReturnType<typeof createTestTempDir>>;
  let original: string;
  let shifted: string;
  beforeAll(async () => {
    dir = await createTestTempDir('shift');
    original = join(dir.path, 'original.bin');
    shifted = join(dir.path, 'shifted.bin');
    await writeSeededFile({ path: original, kind: 'random', seed: 64, sizeBytes: SIZE_BYTES });
    await writeSeededFile({
      path: shifted,
      kind: 'random',
      seed: 64,
      sizeBytes: SIZE_BYTES,
      prefix: Uint8Array.of(0x5a),
    });
  });
  afterAll(() => dir.remove());

  it('keeps ≥ 90% of the blocks when one byte is inserted at the start', async () => {
    const before = await inspectFile(original);
    const after = await inspectFile(shifted);
    expect(after.size).toBe(SIZE_BYTES + 1);
    expect(unchangedFraction(before, after)).toBeGreaterThanOrEqual(0.9);
    // Only the first block may differ; every later block keeps its id and moves by one byte.
    expect(after.blocks.slice(1).map((b) => [b.offset - 1, b.size, b.id])).toEqual(
      before.blocks.slice(1).map((b) => [b.offset, b.size, b.id]),
    );
  });

  it('averages 3 to 6 MiB per block on random data, within bounds', async () => {
    const { blocks } = await inspectFile(original);
    const averageMiB = SIZE_BYTES / blocks.length / MiB;
    expect(averageMiB).toBeGreaterThanOrEqual(3);
    expect(averageMiB).toBeLessThanOrEqual(6);
    for (const block of blocks.slice(0, -1)) {
      expect(block.size).toBeGreaterThanOrEqual(CHUNK_MIN_BYTES);
      expect(block.size).toBeLessThanOrEqual(CHUNK_MAX_BYTES);
    }
  });

  it('shows the same through `ferry inspect --json`', async () => {
    const run = promisify(execFile);
    const inspect = async (path: string) => {
      const { stdout } = await run(process.execPath, [FERRY, 'inspect', path, '--json'], {
        cwd: REPO_ROOT,
        maxBuffer: 16 * MiB,
      });
      expect(stdout.endsWith('\n')).toBe(true);
      expect(stdout.trimEnd().includes('\n')).toBe(false);
      return JSON.parse(stdout) as InspectedFile;
    };
    const before = await inspect(original);
    const after = await inspect(shifted);
    expect(Object.keys(before)).toEqual(['path', 'size', 'blocks']);
    expect(Object.keys(before.blocks[0]!)).toEqual(['offset', 'size', 'id']);
    expect(before).toEqual(await inspectFile(original));
    expect(after.size).toBe(SIZE_BYTES + 1);
    expect(unchangedFraction(before, after)).toBeGreaterThanOrEqual(0.9);
  });

  it('`ferry inspect` on a missing file exits 1 with a clear message', async () => {
    const missing = join(dir.path, 'missing.bin');
    const outcome = await promisify(execFile)(process.execPath, [FERRY, 'inspect', missing], {
      cwd: REPO_ROOT,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`cannot inspect ${missing}: no such file`);
  });
});
