import { CHUNK_MAX_BYTES } from './chunk-bounds.js';
import { BlockDecodeError } from './block-decode-error.js';

/**
 * Byte layout of an encoded block, version 2 (docs/block-format.md is the normative description):
 *
 *   0  4  magic "FRYB"
 *   4  1  format version (2; 1 is still read)
 *   5  1  flags: bit 0 = payload is compressed; bits 1-2 = its codec (0 DEFLATE, 1 Brotli) when
 *         bit 0 is set, 0 otherwise; bits 3-7 must be 0. Version 1 has no codec bits (DEFLATE).
 *   6  4  plaintext length, unsigned 32-bit big-endian, ≤ CHUNK_MAX_BYTES
 *  10 12  AES-GCM nonce
 *  22  n  ciphertext of the payload
 *  22+n 16 GCM tag
 */
export const BLOCK_MAGIC = Uint8Array.of(0x46, 0x52, 0x59, 0x42);
/**
 * The version encoders write. Version 2 added the codec bits (Brotli); a decoder that knows only
 * version 1 then says `block_version_unsupported` (upgrade) rather than "corrupt".
 */
export const BLOCK_FORMAT_VERSION = 2;
/** Version 1: flags 0x00 (raw) or 0x01 (raw DEFLATE) only. Still decoded. */
const FORMAT_VERSION_1 = 1;
/** Offset of the flags byte. */
export const FLAGS_OFFSET = 5;
/** Flags bit 0: the payload is the compressed plaintext; clear = the payload is the plaintext. */
export const FLAG_COMPRESSED = 0x01;
/** Flags bits 1-2: the codec of a compressed payload (CODEC_IDS); must be 0 when bit 0 is clear. */
export const CODEC_SHIFT = 1;
export const CODEC_MASK = 0b11 << CODEC_SHIFT;

/** A compression codec: raw DEFLATE (RFC 1951) or Brotli (RFC 7932), no wrapper either way. */
export type BlockCodec = 'deflate' | 'brotli';
/** How a payload holds the plaintext: as is ('none') or compressed with a codec. */
export type BlockCompression = 'none' | BlockCodec;
/** Codecs by codec field value (the index). Values 2 and 3 are unassigned and rejected. */
const CODECS: readonly BlockCodec[] = ['deflate', 'brotli'];

export const NONCE_OFFSET = 10;
export const NONCE_BYTES = 12;
export const HEADER_BYTES = NONCE_OFFSET + NONCE_BYTES;
export const TAG_BYTES = 16;

/**
 * Largest valid encoded block: header + tag + a payload of at most CHUNK_MAX_BYTES (a compressed
 * payload is stored only when smaller than the plaintext). Servers use it as the body limit of a
 * block upload.
 */
export const MAX_ENCODED_BLOCK_BYTES = HEADER_BYTES + CHUNK_MAX_BYTES + TAG_BYTES;

/** The fields of a header that passed the structural checks. */
export interface BlockHeader {
  compression: BlockCompression;
  plainLength: number;
  /** Length of the ciphertext between header and tag. */
  payloadLength: number;
}

/**
 * Writes magic, version, flags and plaintext length into out[0, NONCE_OFFSET). The caller fills
 * the nonce.
 */
export function writeHeaderFields(
  out: Uint8Array,
  compression: BlockCompression,
  plainLength: number,
): void {
  out.set(BLOCK_MAGIC, 0);
  out[4] = BLOCK_FORMAT_VERSION;
  out[FLAGS_OFFSET] = compressionFlags(compression);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(6, plainLength, false);
}

/**
 * Checks everything about an encoded block that can be checked before decryption, in this order:
 * total size, magic, version, flags, stated plaintext length, and (for a raw payload) that the
 * payload length equals the plaintext length. Nothing here is trusted yet: the header is also
 * authenticated, so a modified field that passes these checks fails authentication.
 * @throws BlockDecodeError
 */
export function parseHeader(encoded: Uint8Array): BlockHeader {
  if (encoded.length > MAX_ENCODED_BLOCK_BYTES) {
    throw new BlockDecodeError(
      'block_too_large',
      `encoded block is ${encoded.length} bytes, more than the maximum ${MAX_ENCODED_BLOCK_BYTES}`,
    );
  }
  if (encoded.length < HEADER_BYTES + TAG_BYTES) {
    throw new BlockDecodeError(
      'block_format_invalid',
      `encoded block is too short (${encoded.length} bytes)`,
    );
  }
  for (let i = 0; i < BLOCK_MAGIC.length; i++) {
    if (encoded[i] !== BLOCK_MAGIC[i]) {
      throw new BlockDecodeError('block_format_invalid', 'not an encoded block (bad magic)');
    }
  }
  const version = encoded[4]!;
  if (version !== BLOCK_FORMAT_VERSION && version !== FORMAT_VERSION_1) {
    throw new BlockDecodeError(
      'block_version_unsupported',
      `block format version ${version} is not supported`,
    );
  }
  const compression = parseFlags(encoded[FLAGS_OFFSET]!, version);
  const plainLength = new DataView(
    encoded.buffer,
    encoded.byteOffset,
    encoded.byteLength,
  ).getUint32(6, false);
  if (plainLength > CHUNK_MAX_BYTES) {
    throw new BlockDecodeError(
      'block_too_large',
      `stated plaintext length ${plainLength} exceeds the maximum block size ${CHUNK_MAX_BYTES}`,
    );
  }
  const payloadLength = encoded.length - HEADER_BYTES - TAG_BYTES;
  if (compression === 'none' && payloadLength !== plainLength) {
    throw new BlockDecodeError(
      'block_format_invalid',
      `raw payload of ${payloadLength} bytes does not match the stated length ${plainLength}`,
    );
  }
  return { compression, plainLength, payloadLength };
}

/** The flags byte that states `compression`. */
export function compressionFlags(compression: BlockCompression): number {
  if (compression === 'none') return 0;
  return FLAG_COMPRESSED | (CODECS.indexOf(compression) << CODEC_SHIFT);
}

/**
 * Reads the flags byte: no unknown bit (version 1 knows bit 0 only), a codec only on a compressed
 * payload, and a known codec.
 * @throws BlockDecodeError `block_format_invalid`
 */
function parseFlags(flags: number, version: number): BlockCompression {
  const hex = `0x${flags.toString(16).padStart(2, '0')}`;
  const knownFlags = version === FORMAT_VERSION_1 ? FLAG_COMPRESSED : FLAG_COMPRESSED | CODEC_MASK;
  if ((flags & ~knownFlags) !== 0) {
    throw new BlockDecodeError(
      'block_format_invalid',
      `unknown block flags ${hex} for format version ${version}`,
    );
  }
  const codecId = (flags & CODEC_MASK) >> CODEC_SHIFT;
  if ((flags & FLAG_COMPRESSED) === 0) {
    if (codecId === 0) return 'none';
    throw new BlockDecodeError(
      'block_format_invalid',
      `block flags ${hex} name a codec for an uncompressed payload`,
    );
  }
  const codec = CODECS[codecId];
  if (codec === undefined) {
    throw new BlockDecodeError('block_format_invalid', `unknown compression codec ${codecId}`);
  }
  return codec;
}

/**
 * Associated data authenticated by AES-GCM: the whole header (so no flag, length or nonce can be
 * changed) followed by the 32-byte binary block id (so a block cannot be served under another id).
 */
export function buildAssociatedData(header: Uint8Array, idHex: string): Buffer {
  const aad = Buffer.alloc(HEADER_BYTES + 32);
  aad.set(header.subarray(0, HEADER_BYTES), 0);
  aad.write(idHex, HEADER_BYTES, 32, 'hex');
  return aad;
}
