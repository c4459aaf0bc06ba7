import { createCipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockId } from '../protocol/index.js';
import { decodeBlock, encodeBlock } from './block-codec.js';
import { BlockDecodeError, type BlockDecodeErrorCode } from './block-decode-error.js';
import {
  HEADER_BYTES,
  MAX_ENCODED_BLOCK_BYTES,
  TAG_BYTES,
  buildAssociatedData,
  writeHeaderFields,
} from './block-format.js';
import { CHUNK_MAX_BYTES } from './chunk-bounds.js';
import { hashBlock } from './hash-block.js';
import { seededBytes } from './seeded-data.js';

const KEY = randomBytes(32);

/** Runs a decode that must fail and returns its code; fails the test if bytes come back. */
function decodeFailure(encoded: Uint8Array, key: Uint8Array, id: BlockId): BlockDecodeErrorCode {
  let result: Uint8Array | undefined;
  try {
    result = decodeBlock(encoded, key, id);
  } catch (error) {
    expect(error).toBeInstanceOf(BlockDecodeError);
    return (error as BlockDecodeError).code;
  }
  throw new Error(`decode returned ${result.length} bytes for a tampered block`);
}

/**
 * Builds a correctly authenticated block around an arbitrary payload: what an adversary holding
 * the namespace key (a compromised device) could upload. The server must still refuse it.
 */
function sealBlock(options: {
  payload: Uint8Array;
  isCompressed: boolean;
  plainLength: number;
  id: BlockId;
}): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + options.payload.length + TAG_BYTES);
  writeHeaderFields(out, options.isCompressed, options.plainLength);
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
  if ((tampered[5]! & ~1) !== 0) return 'block_format_invalid';
  const plainLength = Buffer.from(tampered).readUInt32BE(6);
  if (plainLength > CHUNK_MAX_BYTES) return 'block_too_large';
  const isRaw = (tampered[5]! & 1) === 0;
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
      isCompressed: true,
      plainLength: plain.length,
      id,
    });
    expect(decodeFailure(block, KEY, id)).toBe('block_decompress_failed');
  });

  it('stops a decompression bomb at the stated length', () => {
    // 64 MiB of zeros deflate to well under 1 MiB; the header claims 1 MiB.
    const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 1 });
    const id = hashBlock(new Uint8Array(1 << 20));
    const block = sealBlock({ payload: bomb, isCompressed: true, plainLength: 1 << 20, id });
    expect(decodeFailure(block, KEY, id)).toBe('block_decompress_failed');
  });

  it('rejects a payload that inflates to fewer bytes than stated', () => {
    const plain = seededBytes('text', 23, 10_000);
    const id = hashBlock(plain);
    const block = sealBlock({
      payload: deflateRawSync(plain),
      isCompressed: true,
      plainLength: plain.length + 1,
      id,
    });
    expect(decodeFailure(block, KEY, id)).toBe('block_decompress_failed');
  });
});
