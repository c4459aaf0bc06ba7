import { randomBytes } from 'node:crypto';
import {
  createBlockCodecPool,
  encodeFileBlocks,
  readFileChunks,
  type BlockCodecPool,
} from '../src/blocks/index.js';
import { MB, timeMs } from './bench-data.js';
import type { BenchResult } from './block-stages.js';

const KEY = randomBytes(32);

/** Peak resident set size of this process so far (all threads), MB. */
function peakRssMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** `totalBytes` read from the file at `path`, start to end and over again as often as needed. */
async function* cycleFile(path: string, totalBytes: number): AsyncGenerator<Uint8Array> {
  let done = 0;
  while (done < totalBytes) {
    const before = done;
    for await (const chunk of readFileChunks(path)) {
      const wanted = Math.min(chunk.length, totalBytes - done);
      done += wanted;
      yield chunk.subarray(0, wanted);
      if (done >= totalBytes) return;
    }
    if (done === before) throw new Error(`${path} is empty`);
  }
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
 * The whole pipeline as the engine runs it for an upload: readFileChunks, encodeFileBlocks with
 * a pool (chunking on this thread; SHA-256, compression, encryption in the workers), each block
 * released after use. Reads `path` once, or `cycleBytes` bytes of it read over and over (a small
 * seeded sample standing for a large file). Runs alone in a fresh process so the peak RSS is the
 * pipeline's; the file is probably in the page cache, so this measures the pipeline, not the disk.
 */
export async function runPipeline(options: {
  name: string;
  path: string;
  cycleBytes?: number;
  workers?: number;
}): Promise<BenchResult> {
  const pool = createBlockCodecPool({ workers: options.workers });
  const source = () =>
    options.cycleBytes === undefined
      ? readFileChunks(options.path)
      : cycleFile(options.path, options.cycleBytes);
  try {
    // Warm-up: start every worker and let the JIT compile the hot loops, as in a running engine.
    await encodeAll(cycleFile(options.path, 32 * 1024 * 1024), pool);
    let bytes = 0;
    const ms = await timeMs(async () => {
      bytes = await encodeAll(source(), pool);
    });
    return { name: options.name, MBps: bytes / MB / (ms / 1000), peakRssMB: peakRssMB() };
  } finally {
    await pool.close();
  }
}
