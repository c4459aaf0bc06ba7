/**
 * Block size bounds of the content-defined chunker (SPEC "The block pipeline": min 1 MiB, average
 * 4 MiB, max 16 MiB) and the gear-hash masks derived from them.
 */

/** Smallest block the chunker cuts, except the last block of a file (1 MiB). */
export const CHUNK_MIN_BYTES = 1024 * 1024;
/** Target average block size (4 MiB); the mean on random data lands near 4.5 MiB. */
export const CHUNK_AVG_BYTES = 4 * 1024 * 1024;
/** Largest block the chunker cuts (16 MiB); also the largest block the codec accepts. */
export const CHUNK_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Chunker bounds in bytes. Production code uses the defaults; tests pass small bounds so that
 * many boundaries occur in little data. Constraints: 1 ≤ minBytes ≤ avgBytes ≤ maxBytes ≤
 * CHUNK_MAX_BYTES, and avgBytes must be at least 2 (its base-2 logarithm sets the masks).
 */
export interface ChunkerOptions {
  minBytes?: number;
  avgBytes?: number;
  maxBytes?: number;
}

/** Validated bounds plus the two masks of normalized chunking (FastCDC, level 2). */
export interface ChunkBounds {
  readonly minBytes: number;
  readonly avgBytes: number;
  readonly maxBytes: number;
  /** Mask used before the average size: 2 more bits than log2(avg), so cuts are rarer. */
  readonly maskSmall: number;
  /** Mask used after the average size: 2 fewer bits, so cuts become likelier. */
  readonly maskLarge: number;
}

/**
 * A mask of the `bits` highest bits of a 32-bit gear hash. The high bits are used because in a
 * gear hash (h = (h << 1) + gear[byte]) bit k depends on the last k + 1 bytes only, so the high
 * bits cover the widest window of input.
 */
function highBitsMask(bits: number): number {
  const clamped = Math.max(1, Math.min(31, bits));
  return (0xffffffff << (32 - clamped)) | 0;
}

/**
 * Applies defaults to `options`, checks the constraints above and derives the masks.
 * @throws RangeError when a bound is not a positive integer or the ordering is violated.
 */
export function resolveChunkBounds(options: ChunkerOptions = {}): ChunkBounds {
  const minBytes = options.minBytes ?? CHUNK_MIN_BYTES;
  const avgBytes = options.avgBytes ?? Math.max(minBytes, CHUNK_AVG_BYTES);
  const maxBytes = options.maxBytes ?? Math.max(avgBytes, CHUNK_MAX_BYTES);
  for (const [name, value] of [
    ['minBytes', minBytes],
    ['avgBytes', avgBytes],
    ['maxBytes', maxBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`chunker ${name} must be a positive integer, got ${value}`);
    }
  }
  if (!(minBytes <= avgBytes && avgBytes <= maxBytes && maxBytes <= CHUNK_MAX_BYTES)) {
    throw new RangeError(
      `chunker bounds must satisfy min ≤ avg ≤ max ≤ ${CHUNK_MAX_BYTES}, got ${minBytes}/${avgBytes}/${maxBytes}`,
    );
  }
  if (avgBytes < 2) throw new RangeError('chunker avgBytes must be at least 2');
  const bits = Math.round(Math.log2(avgBytes));
  return {
    minBytes,
    avgBytes,
    maxBytes,
    maskSmall: highBitsMask(bits + 2),
    maskLarge: highBitsMask(bits - 2),
  };
}
