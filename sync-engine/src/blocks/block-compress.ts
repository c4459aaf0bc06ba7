import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';
import { BlockDecodeError } from './block-decode-error.js';
import type { BlockCodec, BlockCompression } from './block-format.js';

/**
 * Block compression. New blocks are compressed with Brotli (RFC 7932) at quality 0 through
 * Node's built-in zlib; raw DEFLATE (RFC 1951) payloads, which every format-1 block holds and a
 * pure-JS encoder such as fflate can write, still decode. The flags byte names the codec
 * (block-format.ts). Why Brotli quality 0 rather than DEFLATE or SPEC's fflate (2.5× the speed of
 * DEFLATE level 1 at about its ratio), with the figures: docs/block-format.md, section 3.
 * zlib's `maxOutputLength` stops a decompression bomb early for both codecs.
 */
const BROTLI_QUALITY = 0;
/** Brotli window: 4 MiB, the average block; 2^24 compressed no better (docs/block-format.md). */
const BROTLI_LGWIN = 22;
/** zlib's smallest output chunk. */
const MIN_CHUNK_BYTES = 64;

/** Probe: this many evenly spaced windows of PROBE_WINDOW_BYTES are compressed first. */
const PROBE_WINDOWS = 4;
const PROBE_WINDOW_BYTES = 4096;
/**
 * The probe must shrink to at most this fraction of its size, or the block is stored raw. Random
 * or already-compressed data (JPEG, zip, video) never gets there, so it costs one 16 KiB
 * compression per block instead of a full one.
 */
const PROBE_MAX_RATIO = 15 / 16;

/** The payload of an encoded block and how it holds the plaintext. */
export interface BlockPayload {
  payload: Uint8Array;
  compression: BlockCompression;
}

/**
 * Compresses `plain` with Brotli unless a probe says it will not shrink, and keeps the plaintext
 * whenever the compressed form is not strictly smaller (so a payload is never larger than its
 * plaintext).
 */
export function compressBlock(plain: Uint8Array): BlockPayload {
  if (plain.length === 0) return { payload: plain, compression: 'none' };
  const probeBytes = PROBE_WINDOWS * PROBE_WINDOW_BYTES;
  if (plain.length > 2 * probeBytes && !isProbeCompressible(plain)) {
    return { payload: plain, compression: 'none' };
  }
  const compressed = brotliCompress(plain);
  if (compressed.length >= plain.length) return { payload: plain, compression: 'none' };
  return { payload: compressed, compression: 'brotli' };
}

function brotliCompress(input: Uint8Array): Buffer {
  return brotliCompressSync(input, {
    // One output buffer as large as the input (only the pages written become resident) instead
    // of 16 KiB pieces joined by a copy at the end: less garbage per block, and no copy.
    chunkSize: Math.max(MIN_CHUNK_BYTES, input.length),
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: BROTLI_LGWIN,
      [constants.BROTLI_PARAM_SIZE_HINT]: input.length,
    },
  });
}

/** Compresses PROBE_WINDOWS windows spread over the block and checks the ratio. */
function isProbeCompressible(plain: Uint8Array): boolean {
  const probe = new Uint8Array(PROBE_WINDOWS * PROBE_WINDOW_BYTES);
  const stride = Math.floor((plain.length - PROBE_WINDOW_BYTES) / (PROBE_WINDOWS - 1));
  for (let w = 0; w < PROBE_WINDOWS; w++) {
    const start = w * stride;
    probe.set(plain.subarray(start, start + PROBE_WINDOW_BYTES), w * PROBE_WINDOW_BYTES);
  }
  return brotliCompress(probe).length <= probe.length * PROBE_MAX_RATIO;
}

const DECOMPRESSORS: Readonly<
  Record<BlockCodec, (payload: Uint8Array, options: { maxOutputLength: number }) => Buffer>
> = { deflate: inflateRawSync, brotli: brotliDecompressSync };

const CODEC_NAMES: Readonly<Record<BlockCodec, string>> = { deflate: 'DEFLATE', brotli: 'Brotli' };

/**
 * Decompresses a payload written with `codec` that must produce exactly `plainLength` bytes.
 * Work stops as soon as the output would exceed `plainLength` (which the caller has already
 * bounded by the maximum block size), so a small payload cannot expand into gigabytes.
 * @throws BlockDecodeError `block_decompress_failed`
 */
export function decompressBlock(
  payload: Uint8Array,
  codec: BlockCodec,
  plainLength: number,
): Uint8Array {
  let plain: Uint8Array;
  try {
    plain = DECOMPRESSORS[codec](payload, { maxOutputLength: Math.max(1, plainLength) });
  } catch (error) {
    throw new BlockDecodeError(
      'block_decompress_failed',
      `block payload is not valid ${CODEC_NAMES[codec]} of the stated length ${plainLength}`,
      { cause: error },
    );
  }
  if (plain.length !== plainLength) {
    throw new BlockDecodeError(
      'block_decompress_failed',
      `block payload decompresses (${CODEC_NAMES[codec]}) to ${plain.length} bytes, not the stated ${plainLength}`,
    );
  }
  return plain;
}
