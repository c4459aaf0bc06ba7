import { createCipheriv, randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { deflateSync as fflateDeflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { BlockId, BlockDecodeErrorCode } from '../protocol/index.js';
import { decodeBlock, encodeBlock } from './block-codec.js';
import { BlockDecodeError } from './block-decode-error.js';
import {
  BLOCK_FORMAT_VERSION,
  FLAGS_OFFSET,
  HEADER_BYTES,
  MAX_ENCODED_BLOCK_BYTES,
  TAG_BYTES,
  buildAssociatedData,
  writeHeaderFields,
  type BlockCompression,
} from './block-format.js';
import { CHUNK_MAX_BYTES } from './chunk-bounds.js';
import { hashBlock } from './hash-block.js';
import { seededBytes } from '../testkit/index.js';

const KEY = randomBytes(32);
const VERSION_OFFSET = 4;

/** Runs a decode that must fail and returns the error; fails the test if bytes come back. */
function decodeError(encoded: Uint8Array, key: Uint8Array, id: BlockId): BlockDecodeError {
  let result: Uint8Array | undefined;
  try {
    result = decodeBlock(encoded, key, id);
  } catch (error) {
    expect(error).toBeInstanceOf(BlockDecodeError);
    return error as BlockDecodeError;
  }
  throw new Error(`decode returned ${result.length} bytes for a block that must fail`);
}

/** The code of a decode that must fail. */
function decodeFailure(encoded: Uint8Array, key: Uint8Array, id: BlockId): BlockDecodeErrorCode {
  return decodeError(encoded, key, id).code;
}

/**
 * Builds a correctly authenticated block around an arbitrary payload: what an adversary holding
 * the namespace key (a compromised device) could upload, or another encoder (format-1 blocks
 * written with DEFLATE, a pure-JS encoder). `flags` and `version` override what
 * writeHeaderFields writes for `compression`.
 */
function sealBlock(options: {
  payload: Uint8Array;
  compression: BlockCompression;
  plainLength: number;
  id: BlockId;
  flags?: number;
  version?: number;
}): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + options.payload.length + TAG_BYTES);
  writeHeaderFields(out, options.compression, options.plainLength);
  if (options.flags !== undefined) out[FLAGS_OFFSET] = options.flags;
  if (options.version !== undefined) out[VERSION_OFFSET] = options.version;
  out.set(randomBytes(12), 10);
  const cipher = createCipheriv('aes-256-gcm', KEY, out.subarray(10, 22));
  cipher.setAAD(buildAssociatedData(out, options.id));
  out.set(cipher.update(options.payload), HEADER_BYTES);
  cipher.final();
  out.set(cipher.getAuthTag(), HEADER_BYTES + options.payload.length);
  return out;
}

/**
 * The code a decoder must give when header byte `position` is XORed with `mask`: structural
 * checks come first (magic, version, flags, length), anything else fails authentication.
 */
function expectedHeaderCode(
  block: Uint8Array,
  position: number,
  mask: number,
): BlockDecodeErrorCode {
  const tampered = Uint8Array.from(block);
  tampered[position]! ^= mask;
  if (position < 4) return 'block_format_invalid';
  if (position === 4) return 'block_version_unsupported';
  // Valid flags: 0x00 raw, 0x01 DEFLATE, 0x03 Brotli.
  if (![0x00, 0x01, 0x03].includes(tampered[5]!)) return 'block_format_invalid';
  const plainLength = Buffer.from(tampered).readUInt32BE(6);
  if (plainLength > CHUNK_MAX_BYTES) return 'block_too_large';
  const isRaw = tampered[5] === 0x00;
  const payloadLength = block.length - HEADER_BYTES - TAG_BYTES;
  if (isRaw && plainLength !== payloadLength) return 'block_format_invalid';
  return 'block_auth_failed';
}

describe('decodeBlock on tampered input', () => {
  const text = seededBytes('text', 21, 200_000);
  const random = seededBytes('random', 21, 200_000);
  const cases = [
    { name: 'compressed', plain: text },
    { name: 'raw', plain: random },
  ];

  for (const { name, plain } of cases) {
    const id = hashBlock(plain);
    const block = encodeBlock(plain, KEY, id);

    it(`rejects every modified header byte of a ${name} block with the right code`, () => {
      for (let position = 0; position < HEADER_BYTES; position++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const tampered = Uint8Array.from(block);
          tampered[position]! ^= mask;
          expect({ position, mask, code: decodeFailure(tampered, KEY, id) }).toEqual({
            position,
            mask,
            code: expectedHeaderCode(block, position, mask),
          });
        }
      }
    });

    it(`rejects any modified ciphertext or tag byte of a ${name} block (property)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: HEADER_BYTES, max: block.length - 1 }),
          fc.integer({ min: 1, max: 255 }),
          (position, mask) => {
            const tampered = Uint8Array.from(block);
            tampered[position]! ^= mask;
            expect(decodeFailure(tampered, KEY, id)).toBe('block_auth_failed');
          },
        ),
        { numRuns: 300 },
      );
      for (let position = block.length - TAG_BYTES; position < block.length; position++) {
        const tampered = Uint8Array.from(block);
        tampered[position]! ^= 0x01;
        expect(decodeFailure(tampered, KEY, id)).toBe('block_auth_failed');
      }
    });

    it(`rejects a ${name} block under the wrong key or the wrong id`, () => {
      expect(decodeFailure(block, randomBytes(32), id)).toBe('block_auth_failed');
      expect(decodeFailure(block, KEY, hashBlock(Uint8Array.of(0)))).toBe('block_auth_failed');
    });

    it(`rejects a truncated or extended ${name} block`, () => {
      expect(decodeFailure(block.subarray(0, HEADER_BYTES + TAG_BYTES - 1), KEY, id)).toBe(
        'block_format_invalid',
      );
      const shorter = decodeFailure(block.subarray(0, block.length - 1), KEY, id);
      const longer = decodeFailure(Buffer.concat([block, Uint8Array.of(0)]), KEY, id);
      const expected = name === 'raw' ? 'block_format_invalid' : 'block_auth_failed';
      expect([shorter, longer]).toEqual([expected, expected]);
    });
  }

  it('rejects an encoded block larger than the maximum before any work', () => {
    const huge = new Uint8Array(MAX_ENCODED_BLOCK_BYTES + 1);
    expect(decodeFailure(huge, KEY, hashBlock(huge))).toBe('block_too_large');
  });

  it('rejects an authenticated payload that is not DEFLATE', () => {
    const plain = seededBytes('text', 22, 10_000);
    const id = hashBlock(plain);
    const block = sealBlock({
      payload: Uint8Array.of(0xff, 0xff, 0xff, 0xff),
      compression: 'deflate',
      plainLength: plain.length,
      id,
    });
    expect(decodeFailure(block, KEY, id)).toBe('block_decompress_failed');
  });

  it('stops a DEFLATE decompression bomb at the stated length', () => {
    // 64 MiB of zeros deflate to well under 1 MiB; the header claims 1 MiB.
    const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 1 });
    const id = hashBlock(new Uint8Array(1 << 20));
    const block = sealBlock({ payload: bomb, compression: 'deflate', plainLength: 1 << 20, id });
    const error = decodeError(block, KEY, id);
    expect(error.code).toBe('block_decompress_failed');
    // The output limit tripped: decoding stopped at 1 MiB instead of producing 64 MiB.
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_BUFFER_TOO_LARGE');
  });

  it('stops a Brotli decompression bomb at the stated length', () => {
    // 64 MiB of zeros are ~40 KB of Brotli (quality 0); the header claims 1 MiB.
    const bomb = brotliCompressSync(new Uint8Array(64 * 1024 * 1024), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 0 },
    });
    const id = hashBlock(new Uint8Array(1 << 20));
    const block = sealBlock({ payload: bomb, compression: 'brotli', plainLength: 1 << 20, id });
    const error = decodeError(block, KEY, id);
    expect(error.code).toBe('block_decompress_failed');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_BUFFER_TOO_LARGE');
  });

  it('rejects a payload that inflates to fewer bytes than stated', () => {
    const plain = seededBytes('text', 23, 10_000);
    const id = hashBlock(plain);
    const block = sealBlock({
      payload: deflateRawSync(plain),
      compression: 'deflate',
      plainLength: plain.length + 1,
      id,
    });
    expect(decodeFailure(block, KEY, id)).toBe('block_decompress_failed');
  });

  it('rejects a corrupt or truncated Brotli payload, or one shorter than stated', () => {
    const plain = seededBytes('text', 24, 100_000);
    const id = hashBlock(plain);
    const brotli = brotliCompressSync(plain);
    const payloads = [
      { payload: Uint8Array.of(0xff, 0xff, 0xff, 0xff), plainLength: plain.length },
      { payload: brotli.subarray(0, brotli.length >> 1), plainLength: plain.length },
      { payload: brotli, plainLength: plain.length + 1 },
    ];
    for (const { payload, plainLength } of payloads) {
      const block = sealBlock({ payload, compression: 'brotli', plainLength, id });
      expect(decodeFailure(block, KEY, id)).toBe('block_decompress_failed');
    }
  });

  it('rejects unknown codecs and codec bits on an uncompressed block', () => {
    const plain = seededBytes('text', 25, 10_000);
    const id = hashBlock(plain);
    const deflate = deflateRawSync(plain);
    const brotli = brotliCompressSync(plain);
    // Each payload would decode if the flags were read loosely (codec bits ignored or masked).
    const cases = [
      { flags: 0x05, payload: deflate, compression: 'deflate' }, // codec 2
      { flags: 0x07, payload: brotli, compression: 'brotli' }, // codec 3
      { flags: 0x02, payload: plain, compression: 'none' }, // raw with codec 1
      { flags: 0x04, payload: plain, compression: 'none' }, // raw with codec 2
      { flags: 0x06, payload: plain, compression: 'none' }, // raw with codec 3
    ] as const;
    for (const { flags, payload, compression } of cases) {
      const block = sealBlock({ payload, compression, plainLength: plain.length, id });
      expect(Buffer.from(decodeBlock(block, KEY, id)).equals(plain)).toBe(true);
      const tampered = sealBlock({ payload, compression, plainLength: plain.length, id, flags });
      expect({ flags, code: decodeFailure(tampered, KEY, id) }).toEqual({
        flags,
        code: 'block_format_invalid',
      });
    }
  });
});

describe('decodeBlock on raw DEFLATE payloads and format-1 blocks (written before Brotli)', () => {
  it('decodes a block encoded by the DEFLATE encoder, byte for byte', () => {
    // encodeBlock of the previous release (DEFLATE level 1), key 00 01 02 .. 1f.
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const plain = Buffer.from(
      'Ferry block format 1: a DEFLATE payload written before Brotli. '.repeat(6),
    );
    const encoded = Buffer.from(
      'RlJZQgEBAAABeqjUob4ndDpYUcFoTrzCGKpH5oxa8TXYcUBjOUCVbiXfnUjumkDtZwrBcPDtDls6y4cWhRx3sVnT' +
        'dT+T386wnQ9RHChsvoULxFNm78QOzuYgnCF8g7GzKklyc3Ig42+kKkx5uA==',
      'base64',
    );
    expect([encoded[VERSION_OFFSET], encoded[FLAGS_OFFSET]]).toEqual([1, 0x01]);
    const id = hashBlock(plain);
    expect(id).toBe('a3980810e386a7d3c2988f3a945378e889b2b9c3c27a73c8fafb868a8be1e0e7');
    expect(Buffer.from(decodeBlock(encoded, key, id)).equals(plain)).toBe(true);
  });

  it('reads no codec bits in format version 1, and writes version 2', () => {
    const text = seededBytes('text', 27, 50_000);
    const textId = hashBlock(text);
    expect(encodeBlock(text, KEY, textId)[VERSION_OFFSET]).toBe(BLOCK_FORMAT_VERSION);
    expect(BLOCK_FORMAT_VERSION).toBe(2);
    const deflate = sealBlock({
      payload: deflateRawSync(text),
      compression: 'deflate',
      plainLength: text.length,
      id: textId,
      version: 1,
    });
    expect(Buffer.from(decodeBlock(deflate, KEY, textId)).equals(text)).toBe(true);
    // The same Brotli block reads as version 2 and is invalid as version 1.
    const brotli = { payload: brotliCompressSync(text), plainLength: text.length, id: textId };
    const asVersion2 = sealBlock({ ...brotli, compression: 'brotli' });
    expect(Buffer.from(decodeBlock(asVersion2, KEY, textId)).equals(text)).toBe(true);
    const asVersion1 = sealBlock({ ...brotli, compression: 'brotli', version: 1 });
    expect(decodeFailure(asVersion1, KEY, textId)).toBe('block_format_invalid');
    const asVersion3 = sealBlock({ ...brotli, compression: 'brotli', version: 3 });
    expect(decodeFailure(asVersion3, KEY, textId)).toBe('block_version_unsupported');
  });

  const plain = seededBytes('text', 26, 300_000);
  const id = hashBlock(plain);
  const encoders = [
    {
      name: 'node:zlib deflateRawSync',
      deflate: (b: Uint8Array) => deflateRawSync(b, { level: 1 }),
    },
    { name: "fflate's deflateSync (pure JS)", deflate: (b: Uint8Array) => fflateDeflateSync(b) },
  ];
  for (const { name, deflate } of encoders) {
    it(`decodes a payload from ${name}`, () => {
      const payload = deflate(plain);
      expect(payload.length).toBeLessThan(plain.length);
      const block = sealBlock({ payload, compression: 'deflate', plainLength: plain.length, id });
      expect(block[FLAGS_OFFSET]).toBe(0x01);
      expect(Buffer.from(decodeBlock(block, KEY, id)).equals(plain)).toBe(true);
    });
  }
});
