/**
 * The on-disk format of a cold-tier block: a 5-byte header (magic `FCB1`, then a codec byte)
 * followed by the body. Cold blocks may be recompressed with gzip level 9, but blocks are AES-GCM
 * ciphertext of already-compressed data, so gzip almost never helps (measured in docs/storage.md):
 * a 64 KiB probe decides cheaply, and the whole block is compressed only when the probe shrinks
 * and the result is really smaller. Hot-tier files carry no header: they are the bytes as put.
 */
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';

/** How moveToCold treats a block: try gzip level 9, or store the bytes as they are. */
export type ColdCompression = 'gzip' | 'none';

const MAGIC = Buffer.from('FCB1', 'ascii');
const HEADER_BYTES = MAGIC.length + 1;
const CODEC_RAW = 0;
const CODEC_GZIP = 1;
/** Bytes compressed first to decide whether compressing the whole block is worth the CPU. */
const PROBE_BYTES = 64 * 1024;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const GZIP_OPTIONS = { level: constants.Z_BEST_COMPRESSION };

/** Encodes a block for the cold tier (header + raw or gzip body, whichever is smaller). */
export async function encodeColdBlock(
  block: Uint8Array,
  compression: ColdCompression,
): Promise<Buffer> {
  if (compression === 'gzip' && (await isWorthCompressing(block))) {
    const compressed = await gzipAsync(block, GZIP_OPTIONS);
    if (compressed.length + HEADER_BYTES < block.length) return withHeader(CODEC_GZIP, compressed);
  }
  return withHeader(CODEC_RAW, block);
}

/** Decodes a cold-tier file back to the block's bytes; throws on an unknown header. */
export async function decodeColdBlock(stored: Buffer): Promise<Buffer> {
  if (stored.length < HEADER_BYTES || !stored.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('cold block file has no FCB1 header (corrupt or foreign file)');
  }
  const codec = stored[MAGIC.length];
  const body = stored.subarray(HEADER_BYTES);
  if (codec === CODEC_RAW) return body;
  if (codec === CODEC_GZIP) return gunzipAsync(body);
  throw new Error(`cold block file has unknown codec ${String(codec)}`);
}

async function isWorthCompressing(block: Uint8Array): Promise<boolean> {
  if (block.length <= PROBE_BYTES) return true;
  const probe = block.subarray(0, PROBE_BYTES);
  const compressed = await gzipAsync(probe, GZIP_OPTIONS);
  return compressed.length < probe.length;
}

function withHeader(codec: number, body: Uint8Array): Buffer {
  return Buffer.concat([MAGIC, Buffer.of(codec), body]);
}
