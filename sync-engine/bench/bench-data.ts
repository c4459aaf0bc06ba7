import { createSeededFiller, type SeededDataKind } from '../src/testkit/index.js';

/** Size of the seeded sample a benchmark cycles through: big enough to hold many blocks. */
export const SAMPLE_BYTES = 32 * 1024 * 1024;
export const MB = 1_000_000;

/** Seed of all benchmark data, so figures are reproducible. */
export const SEED = 2024;

/** A seeded sample of `kind` data (random or text-like), generated once per run. */
export function createSample(kind: SeededDataKind): Uint8Array {
  const sample = new Uint8Array(SAMPLE_BYTES);
  createSeededFiller(kind, SEED)(sample);
  return sample;
}

/**
 * `totalBytes` of data as consecutive slices of `pieceBytes`, cycling through `sample`. Slices are
 * views (no copy): the sample is never modified, so a consumer may hold them.
 */
export function* cycleSample(
  sample: Uint8Array,
  totalBytes: number,
  pieceBytes: number,
): Generator<Uint8Array> {
  let at = 0;
  for (let done = 0; done < totalBytes;) {
    if (at >= sample.length) at = 0;
    const size = Math.min(pieceBytes, totalBytes - done, sample.length - at);
    yield sample.subarray(at, at + size);
    at += size;
    done += size;
  }
}

/** The same slices as an async stream, as files and network bodies arrive. */
export async function* cycleSampleAsync(
  sample: Uint8Array,
  totalBytes: number,
  pieceBytes: number,
): AsyncGenerator<Uint8Array> {
  yield* cycleSample(sample, totalBytes, pieceBytes);
}

/** Parses "256MiB", "1GiB", "64MB", "4096" into bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i.exec(text.trim());
  if (!match) throw new Error(`cannot read size "${text}" (try 256MiB or 1GiB)`);
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
  };
  return Math.round(Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!);
}

/** Milliseconds spent in `run`. */
export async function timeMs(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}
