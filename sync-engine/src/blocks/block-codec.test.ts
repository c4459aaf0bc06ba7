import { createDecipheriv, randomBytes } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockId } from '../protocol/index.js';
import { decodeBlock, encodeBlock } from './block-codec.js';
import { BlockDecodeError } from './block-decode-error.js';
import {
  FLAGS_OFFSET,
  HEADER_BYTES,
  MAX_ENCODED_BLOCK_BYTES,
  NONCE_BYTES,
  NONCE_OFFSET,
  TAG_BYTES,
  buildAssociatedData,
} from './block-format.js';
import { CHUNK_MAX_BYTES } from './chunk-bounds.js';
import { hashBlock } from './hash-block.js';
import { seededBytes } from '../testkit/index.js';

const KEY = randomBytes(32);

/** Decrypts an encoded block's payload without decompressing it. */
function openPayload(encoded: Uint8Array, id: BlockId): Buffer {
  const payloadEnd = encoded.length - TAG_BYTES;
  const nonce = encoded.subarray(NONCE_OFFSET, NONCE_OFFSET + NONCE_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', KEY, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(buildAssociatedData(encoded, id));
  decipher.setAuthTag(encoded.subarray(payloadEnd));
  const payload = decipher.update(encoded.subarray(HEADER_BYTES, payloadEnd));
  decipher.final();
  return payload;
}

describe('encodeBlock / decodeBlock', () => {
  it('round-trips any byte string (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70_000 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (plain, key) => {
          const id = hashBlock(plain);
          const encoded = encodeBlock(plain, key);
          expect(encoded.length).toBeLessThanOrEqual(HEADER_BYTES + plain.length + TAG_BYTES);
          expect(Buffer.from(decodeBlock(encoded, key, id)).equals(plain)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips compressible, repetitive and short inputs', () => {
    const inputs = [
      new Uint8Array(0),
      Uint8Array.of(7),
      new Uint8Array(100_000),
      seededBytes('text', 1, 300_000),
      Buffer.from('abc'.repeat(50_000)),
    ];
    for (const plain of inputs) {
      const id = hashBlock(plain);
      expect(Buffer.from(decodeBlock(encodeBlock(plain, KEY, id), KEY, id)).equals(plain)).toBe(
        true,
      );
    }
  });

  it('compresses text with Brotli and stores random data raw', () => {
    const text = seededBytes('text', 2, 1 << 20);
    const textId = hashBlock(text);
    const encodedText = encodeBlock(text, KEY, textId);
    expect(encodedText[FLAGS_OFFSET]).toBe(0x03); // compressed, codec 1 (Brotli)
    expect(encodedText.length).toBeLessThan(text.length * 0.6);
    expect(brotliDecompressSync(openPayload(encodedText, textId)).equals(text)).toBe(true);

    const random = seededBytes('random', 2, 1 << 20);
    const randomId = hashBlock(random);
    const encodedRandom = encodeBlock(random, KEY, randomId);
    expect(encodedRandom[FLAGS_OFFSET]).toBe(0x00);
    expect(encodedRandom.length).toBe(HEADER_BYTES + random.length + TAG_BYTES);
    expect(openPayload(encodedRandom, randomId).equals(random)).toBe(true);
  });

  it('stores a block raw when Brotli would not shrink it or the probe says it will not', () => {
    // Too short for the probe: Brotli's framing makes them longer.
    for (const plain of [Uint8Array.of(7), Buffer.from('abc')]) {
      expect(encodeBlock(plain, KEY)[FLAGS_OFFSET]).toBe(0x00);
    }
    // Text whose four probe windows (4 KiB at the start, the end and evenly between) are random:
    // the probe fails, so the block is stored raw although the rest would compress well.
    const plain = seededBytes('text', 6, 1 << 20);
    const stride = Math.floor((plain.length - 4096) / 3);
    for (let w = 0; w < 4; w++) plain.set(seededBytes('random', w, 4096), w * stride);
    const encoded = encodeBlock(plain, KEY);
    expect(encoded[FLAGS_OFFSET]).toBe(0x00);
    expect(encoded.length).toBe(HEADER_BYTES + plain.length + TAG_BYTES);
  });

  it('uses a fresh nonce for every encryption', () => {
    const plain = seededBytes('text', 3, 10_000);
    const a = encodeBlock(plain, KEY);
    const b = encodeBlock(plain, KEY);
    expect(Buffer.from(a.subarray(10, 22)).equals(b.subarray(10, 22))).toBe(false);
    expect(Buffer.from(a).equals(b)).toBe(false);
  });

  it('round-trips a maximum-size block within MAX_ENCODED_BLOCK_BYTES', () => {
    const plain = seededBytes('random', 4, CHUNK_MAX_BYTES);
    const id = hashBlock(plain);
    const encoded = encodeBlock(plain, KEY, id);
    expect(encoded.length).toBe(MAX_ENCODED_BLOCK_BYTES);
    expect(Buffer.from(decodeBlock(encoded, KEY, id)).equals(plain)).toBe(true);
  });

  it('refuses oversized blocks, bad keys and malformed ids', () => {
    expect(() => encodeBlock(new Uint8Array(CHUNK_MAX_BYTES + 1), KEY)).toThrow(RangeError);
    expect(() => encodeBlock(Uint8Array.of(1), randomBytes(16))).toThrow(RangeError);
    expect(() => encodeBlock(Uint8Array.of(1), KEY, 'ABC' as BlockId)).toThrow(TypeError);
    const encoded = encodeBlock(Uint8Array.of(1), KEY);
    expect(() => decodeBlock(encoded, randomBytes(31), hashBlock(Uint8Array.of(1)))).toThrow(
      RangeError,
    );
    expect(() => decodeBlock(encoded, KEY, 'x'.repeat(64) as BlockId)).toThrow(TypeError);
  });

  it('rejects a block encoded under a false id with block_hash_mismatch', () => {
    const plain = seededBytes('text', 5, 5000);
    const falseId = hashBlock(Uint8Array.of(1, 2, 3));
    const encoded = encodeBlock(plain, KEY, falseId);
    let thrown: unknown;
    try {
      decodeBlock(encoded, KEY, falseId);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BlockDecodeError);
    expect((thrown as BlockDecodeError).code).toBe('block_hash_mismatch');
  });
});
