import { randomBytes } from 'node:crypto';
import {
  FILE_READ_BYTES,
  createBlockCodecPool,
  encodeFileBlocks,
  readFileChunks,
  type BlockCodecPool,
} from '../src/blocks/index.js';
import type { SeededDataKind } from '../src/blocks/seeded-data.js';
import { MB, createSample, cycleSampleAsync, timeMs } from './bench-data.js';
import type { BenchResult } from './block-stages.js';

const KEY = randomBytes(32);

/** Peak resident set size of this process so far (all threads), MB. */
function peakRssMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/**
 * Encodes everything `source` yields through `pool`, as an uploader would (each encoded block is
 * released once "sent"); returns the plaintext bytes encoded.
 */
async function encodeAll(source: AsyncIterable<Uint8Array>, pool: BlockCodecPool): Promise<number> {
  let bytes = 0;
  for await (const block of encodeFileBlocks(source, KEY, { pool })) {
    bytes += block.size;
    block.release();
  }
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
 * Encodes a file from disk as the engine does for an upload: readFileChunks, encodeFileBlocks with
 * a pool, each block released after use. The file was written by the parent process (so this
 * process's peak RSS is the encoding's alone) and is probably still in the page cache: this
 * measures the pipeline, not the disk.
 */
export async function runFilePipeline(options: {
  path: string;
  workers?: number;
}): Promise<BenchResult> {
  const pool = createBlockCodecPool({ workers: options.workers });
  try {
    // Start every worker before timing, as a long-lived engine would have.
    const warmUp = Array.from({ length: pool.workerCount }, () =>
      pool.encode(Uint8Array.of(1), KEY),
    );
    await Promise.all(warmUp);
    let bytes = 0;
    const ms = await timeMs(async () => {
      bytes = await encodeAll(readFileChunks(options.path), pool);
    });
    return { name: 'pipeline.file', MBps: bytes / MB / (ms / 1000), peakRssMB: peakRssMB() };
  } finally {
    await pool.close();
  }
}
