import { createCipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { deflateSync } from 'fflate';
import type { SeededDataKind } from '../src/testkit/index.js';
import { compressBlock } from '../src/blocks/block-compress.js';
import { decodeBlock, encodeBlock, hashBlock, chunkStream } from '../src/blocks/index.js';
import { MB, createSample, cycleSample, cycleSampleAsync, timeMs } from './bench-data.js';

/** One measured figure: throughput in MB/s (10^6 bytes) of input, optionally peak RSS. */
export interface BenchResult {
  name: string;
  MBps: number;
  peakRssMB?: number;
}

const BLOCK_BYTES = 4 * 1024 * 1024;
const READ_BYTES = 4 * 1024 * 1024;
const KEY = randomBytes(32);

type Stage = (sample: Uint8Array, sizeBytes: number) => Promise<void> | void;

/**
 * Each stage of the pipeline alone, on one thread, over `sizeBytes` of input cut into 4 MiB
 * blocks (the average block size), so the stages can be compared and the pipeline's bottleneck
 * found.
 */
const STAGES: Record<string, Stage> = {
  async chunk(sample, sizeBytes) {
    for await (const block of chunkStream(cycleSampleAsync(sample, sizeBytes, READ_BYTES))) {
      if (block.bytes.length === 0) throw new Error('empty block');
    }
  },
  sha256(sample, sizeBytes) {
    for (const block of cycleSample(sample, sizeBytes, BLOCK_BYTES)) hashBlock(block);
  },
  // The codec's compression step: incompressibility probe, then Brotli quality 0 (node:zlib).
  compress(sample, sizeBytes) {
    for (const block of cycleSample(sample, sizeBytes, BLOCK_BYTES)) compressBlock(block);
  },
  // AES-256-GCM as the codec runs it: 16 KiB updates copied into the output block.
  encrypt(sample, sizeBytes) {
    const out = new Uint8Array(BLOCK_BYTES);
    for (const block of cycleSample(sample, sizeBytes, BLOCK_BYTES)) {
      const cipher = createCipheriv('aes-256-gcm', KEY, randomBytes(12));
      for (let at = 0; at < block.length; at += 16 * 1024) {
        out.set(cipher.update(block.subarray(at, at + 16 * 1024)), at);
      }
      cipher.final();
      cipher.getAuthTag();
    }
  },
};

/** Decoding is measured on blocks encoded beforehand (not timed); MB/s of plaintext. */
async function measureDecode(sample: Uint8Array, sizeBytes: number): Promise<number> {
  const encoded: { id: ReturnType<typeof hashBlock>; bytes: Uint8Array }[] = [];
  for (const block of cycleSample(sample, Math.min(sizeBytes, sample.length), BLOCK_BYTES)) {
    const id = hashBlock(block);
    encoded.push({ id, bytes: encodeBlock(block, KEY, id) });
  }
  let decodedBytes = 0;
  const ms = await timeMs(() => {
    for (let i = 0; decodedBytes < sizeBytes; i++) {
      const block = encoded[i % encoded.length]!;
      decodedBytes += decodeBlock(block.bytes, KEY, block.id).length;
    }
  });
  return decodedBytes / MB / (ms / 1000);
}

/**
 * Measures every stage on random and text-like data. Each stage first runs on a small amount to
 * warm the JIT up, then on `sizeBytes`.
 */
export async function measureStages(sizeBytes: number): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const kind of ['random', 'text'] as SeededDataKind[]) {
    const sample = createSample(kind);
    for (const [stage, run] of Object.entries(STAGES)) {
      await run(sample, 8 * BLOCK_BYTES);
      const ms = await timeMs(() => run(sample, sizeBytes));
      results.push({ name: `${stage}.${kind}`, MBps: sizeBytes / MB / (ms / 1000) });
    }
    await measureDecode(sample, 8 * BLOCK_BYTES);
    results.push({ name: `decode.${kind}`, MBps: await measureDecode(sample, sizeBytes) });
    results.push(...(await measureDeflateEncoders(kind, sample)));
  }
  return results;
}

/** DEFLATE encoders the codec could use instead of Brotli, at level 1. */
const DEFLATE_ENCODERS: Record<string, (block: Uint8Array) => Uint8Array> = {
  deflate: (block) => deflateRawSync(block, { level: 1 }),
  fflate: (block) => deflateSync(block, { level: 1 }),
};

/**
 * The DEFLATE encoders on whole blocks (no probe), as `compress.<kind>.deflate` (node:zlib) and
 * `compress.<kind>.fflate`: recorded because the codec compresses with Brotli quality 0 instead,
 * and SPEC names fflate; these figures are the reason (block-compress.ts).
 */
async function measureDeflateEncoders(
  kind: SeededDataKind,
  sample: Uint8Array,
): Promise<BenchResult[]> {
  const sizeBytes = 64 * 1024 * 1024;
  const results: BenchResult[] = [];
  for (const [name, deflate] of Object.entries(DEFLATE_ENCODERS)) {
    const run = (total: number) => {
      for (const block of cycleSample(sample, total, BLOCK_BYTES)) deflate(block);
    };
    run(4 * BLOCK_BYTES);
    const ms = await timeMs(() => run(sizeBytes));
    results.push({ name: `compress.${kind}.${name}`, MBps: sizeBytes / MB / (ms / 1000) });
  }
  return results;
}
