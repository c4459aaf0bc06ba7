import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FILE_READ_BYTES,
  createBlockCodecPool,
  encodeFileBlocks,
  type BlockCodecPool,
} from '../src/blocks/index.js';
import { writeSeededFile, type SeededDataKind } from '../src/blocks/seeded-data.js';
import { MB, createSample, cycleSampleAsync, timeMs } from './bench-data.js';
import type { BenchResult } from './block-stages.js';

const KEY = randomBytes(32);

/** Peak resident set size of this process so far (all threads), MB. */
function peakRssMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** Encodes everything `source` yields through `pool`; returns the plaintext bytes encoded. */
async function encodeAll(source: AsyncIterable<Uint8Array>, pool: BlockCodecPool): Promise<number> {
  let bytes = 0;
  for await (const block of encodeFileBlocks(source, KEY, { pool })) bytes += block.size;
  return bytes;
}

/**
 * The whole pipeline (chunk on this thread; SHA-256, compress, encrypt in the pool) over
 * `sizeBytes` streamed from an in-memory sample. Meant to run alone in a fresh process so the
 * peak RSS is the pipeline's (plus the 32 MiB sample).
 */
export async function runMemoryPipeline(options: {
  kind: SeededDataKind;
  sizeBytes: number;
  workers?: number;
}): Promise<BenchResult> {
  const sample = createSample(options.kind);
  const pool = createBlockCodecPool({ workers: options.workers });
  try {
    // Warm-up: starts the workers and lets the JIT compile the hot loops.
    await encodeAll(cycleSampleAsync(sample, 64 * 1024 * 1024, FILE_READ_BYTES), pool);
    let bytes = 0;
    const ms = await timeMs(async () => {
      bytes = await encodeAll(cycleSampleAsync(sample, options.sizeBytes, FILE_READ_BYTES), pool);
    });
    return {
      name: `pipeline.${options.kind}`,
      MBps: bytes / MB / (ms / 1000),
      peakRssMB: peakRssMB(),
    };
  } finally {
    await pool.close();
  }
}

/**
 * Encodes a file of `sizeBytes` seeded random bytes from disk, as the engine does for an upload:
 * the file is written to a temporary directory first (streamed), then read back through a
 * read stream. It is probably still in the page cache, so this measures the pipeline, not the disk.
 */
export async function runFilePipeline(options: {
  sizeBytes: number;
  workers?: number;
}): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  const pool = createBlockCodecPool({ workers: options.workers });
  try {
    const path = join(dir, 'large.bin');
    await writeSeededFile({ path, kind: 'random', seed: 1, sizeBytes: options.sizeBytes });
    await encodeAll(cycleSampleAsync(new Uint8Array(1024), 1024, 1024), pool);
    let bytes = 0;
    const ms = await timeMs(async () => {
      const stream = createReadStream(path, { highWaterMark: FILE_READ_BYTES });
      bytes = await encodeAll(stream, pool);
    });
    return { name: 'pipeline.file', MBps: bytes / MB / (ms / 1000), peakRssMB: peakRssMB() };
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}
