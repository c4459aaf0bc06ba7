import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  FILE_READ_BYTES,
  createBlockCodecPool,
  encodeFileBlocks,
  readFileChunks,
  type BlockCodecPool,
} from '../src/blocks/index.js';
import { MB, cycleSampleAsync, timeMs } from './bench-data.js';
import type { BenchResult } from './block-stages.js';

const KEY = randomBytes(32);
const WARM_UP_BYTES = 32 * 1024 * 1024;

/** The first WARM_UP_BYTES of `source`. */
async function* firstBytes(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let done = 0;
  for await (const chunk of source) {
    const wanted = Math.min(chunk.length, WARM_UP_BYTES - done);
    done += wanted;
    yield chunk.subarray(0, wanted);
    if (done >= WARM_UP_BYTES) return;
  }
}

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
 * The whole pipeline as the engine runs it for an upload: encodeFileBlocks with a pool (chunking
 * on this thread; SHA-256, compression, encryption in the workers), each block released after use.
 * The source is either the file at `path` read from disk with readFileChunks, or, with
 * `memoryBytes`, that many bytes cycled from the file loaded into memory (so only
 * chunk + hash + compress + encrypt are measured; the peak RSS then includes the file).
 * Runs alone in a fresh process so the peak RSS is the pipeline's. A file just written is
 * probably in the page cache: the disk mode measures the pipeline plus reads, not the disk.
 */
export async function runPipeline(options: {
  name: string;
  path: string;
  memoryBytes?: number;
  workers?: number;
}): Promise<BenchResult> {
  const pool = createBlockCodecPool({ workers: options.workers });
  const sample = options.memoryBytes === undefined ? undefined : await readFile(options.path);
  const source = (sizeBytes?: number) =>
    sample
      ? cycleSampleAsync(sample, sizeBytes ?? options.memoryBytes!, FILE_READ_BYTES)
      : readFileChunks(options.path);
  try {
    // Warm-up: start every worker and let the JIT compile the hot loops, as in a running engine.
    await encodeAll(
      sample ? source(WARM_UP_BYTES) : firstBytes(readFileChunks(options.path)),
      pool,
    );
    let bytes = 0;
    const ms = await timeMs(async () => {
      bytes = await encodeAll(source(), pool);
    });
    return { name: options.name, MBps: bytes / MB / (ms / 1000), peakRssMB: peakRssMB() };
  } finally {
    await pool.close();
  }
}
