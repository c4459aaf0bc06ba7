import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BlockDecodeError } from './block-decode-error.js';

/**
 * Block compression: raw DEFLATE (RFC 1951), level 1, through Node's built-in zlib.
 *
 * Why not fflate (named in SPEC): the format is plain raw DEFLATE, so any implementation can read
 * it, and on the 2-core reference machine fflate compresses text at ~21 MB/s against ~77 MB/s for
 * native zlib (docs/performance.md), which alone would cap the text pipeline below its 150 MB/s
 * target. Decoding also needs a hard output limit that stops work early (decompression bombs);
 * zlib's `maxOutputLength` does, fflate's `inflateSync` with a fixed output buffer keeps decoding.
 * Level 1 favours throughput; the cold tier may recompress harder (SPEC "Storage policy").
 */
const LEVEL = 1;

/** Probe: this many evenly spaced windows of PROBE_WINDOW_BYTES are compressed first. */
const PROBE_WINDOWS = 4;
const PROBE_WINDOW_BYTES = 4096;
/**
 * The probe must shrink to at most this fraction of its size, or the block is stored raw. Random
 * or already-compressed data (JPEG, zip, video) never gets there, so it costs one 16 KiB deflate
 * per block instead of a full one (~50 MB/s on random data here).
 */
const PROBE_MAX_RATIO = 15 / 16;

/** The payload of an encoded block and whether it is compressed. */
export interface BlockPayload {
  payload: Uint8Array;
  isCompressed: boolean;
}

/**
 * Compresses `plain` unless a probe says it will not shrink, and keeps the plaintext whenever the
 * compressed form is not strictly smaller (so a payload is never larger than its plaintext).
 */
export function compressBlock(plain: Uint8Array): BlockPayload {
  if (plain.length === 0) return { payload: plain, isCompressed: false };
  const probeBytes = PROBE_WINDOWS * PROBE_WINDOW_BYTES;
  if (plain.length > 2 * probeBytes && !isProbeCompressible(plain)) {
    return { payload: plain, isCompressed: false };
  }
  const compressed = deflateRawSync(plain, { level: LEVEL });
  if (compressed.length >= plain.length) return { payload: plain, isCompressed: false };
  return { payload: compressed, isCompressed: true };
}

/** Compresses PROBE_WINDOWS windows spread over the block and checks the ratio. */
function isProbeCompressible(plain: Uint8Array): boolean {
  const probe = new Uint8Array(PROBE_WINDOWS * PROBE_WINDOW_BYTES);
  const stride = Math.floor((plain.length - PROBE_WINDOW_BYTES) / (PROBE_WINDOWS - 1));
  for (let w = 0; w < PROBE_WINDOWS; w++) {
    const start = w * stride;
    probe.set(plain.subarray(start, start + PROBE_WINDOW_BYTES), w * PROBE_WINDOW_BYTES);
  }
  return deflateRawSync(probe, { level: LEVEL }).length <= probe.length * PROBE_MAX_RATIO;
}

/**
 * Inflates a compressed payload that must produce exactly `plainLength` bytes. Work stops as soon
 * as the output would exceed `plainLength` (which the caller has already bounded by the maximum
 * block size), so a small payload cannot expand into gigabytes.
 * @throws BlockDecodeError `block_decompress_failed`
 */
export function decompressBlock(payload: Uint8Array, plainLength: number): Uint8Array {
  let plain: Uint8Array;
  try {
    plain = inflateRawSync(payload, { maxOutputLength: Math.max(1, plainLength) });
  } catch (error) {
    throw new BlockDecodeError(
      'block_decompress_failed',
      'block payload is not valid DEFLATE of the stated length',
      {
        cause: error,
      },
    );
  }
  if (plain.length !== plainLength) {
    throw new BlockDecodeError(
      'block_decompress_failed',
      `block payload inflates to ${plain.length} bytes, not the stated ${plainLength}`,
    );
  }
  return plain;
}
