import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveChunkBounds, type ChunkBounds } from './chunk-bounds.js';
import { BoundaryScanner } from './boundary-scanner.js';
import { GEAR } from './gear-table.js';
import { GearHash } from './gear-hash.js';
import { seededBytes } from '../testkit/index.js';

/** The chunking rule of docs/block-format.md, section 1, written as plainly as possible. */
function referenceBlockLengths(data: Uint8Array, bounds: ChunkBounds): number[] {
  const lengths: number[] = [];
  let start = 0;
  while (start < data.length) {
    let length = Math.min(bounds.maxBytes, data.length - start);
    let h = 0;
    for (let k = bounds.minBytes; k < length; k++) {
      h = ((h << 1) + GEAR[data[start + k]!]!) | 0;
      const mask = k < bounds.avgBytes ? bounds.maskSmall : bounds.maskLarge;
      if ((h & mask) === 0) {
        length = k + 1;
        break;
      }
    }
    lengths.push(length);
    start += length;
  }
  return lengths;
}

function scannerBlockLengths(data: Uint8Array, bounds: ChunkBounds, readBytes: number): number[] {
  const scanner = new BoundaryScanner(bounds);
  const lengths: number[] = [];
  let blockStart = 0;
  for (let at = 0; at < data.length; at += readBytes) {
    const read = data.subarray(at, Math.min(data.length, at + readBytes));
    for (let from = 0; from < read.length;) {
      const end = scanner.scan(read, from, read.length);
      if (end < 0) break;
      lengths.push(at + end - blockStart);
      blockStart = at + end;
      from = end;
    }
  }
  if (blockStart < data.length) lengths.push(data.length - blockStart);
  return lengths;
}

/** The plain loop: hashes data[from, to) from `hash`; where it cuts (or -1) and the hash there. */
function referenceScan(data: Uint8Array, from: number, to: number, hash: number, mask: number) {
  let h = hash;
  for (let i = from; i < to; i++) {
    h = ((h << 1) + GEAR[data[i]!]!) | 0;
    if ((h & mask) === 0) return { end: i + 1, hash: h };
  }
  return { end: -1, hash: h };
}

/** GearHash.scan from `hash`, with its result in the same shape. */
function gearScan(data: Uint8Array, from: number, to: number, hash: number, mask: number) {
  const gear = new GearHash();
  gear.hash = hash;
  const end = gear.scan(data, from, to, mask);
  return { end, hash: gear.hash };
}

const SLICE_BYTES = 256 * 1024;

describe('GearHash (WebAssembly)', () => {
  it('cuts after the first byte that leaves hash & mask = 0, at every offset of the unrolled loop', () => {
    const data = seededBytes('random', 3, 4096);
    const mask = 0xff000000 | 0;
    for (let from = 0; from < 8; from++) {
      const cut = referenceScan(data, from, data.length, 0, mask).end;
      expect(cut).toBeGreaterThan(0);
      // Every range end around the cut: found when the range holds the cut byte, not before.
      for (let to = cut - 5; to <= cut + 5; to++) {
        expect(gearScan(data, from, to, 0, mask)).toEqual(referenceScan(data, from, to, 0, mask));
      }
    }
  });

  it('hashes a range of many internal slices like the plain loop', () => {
    const data = seededBytes('text', 5, 3 * 1024 * 1024 + 13);
    // A mask no 32-bit hash of this text satisfies in practice: the whole range is hashed.
    const result = gearScan(data, 17, data.length, 0x1234, -1);
    expect(result.end).toBe(-1);
    expect(result).toEqual(referenceScan(data, 17, data.length, 0x1234, -1));
  });

  it('finds cuts on the last byte of a slice and on the first byte of the next', () => {
    // Find a cut with no other cut in the 2 slices + 1 byte before it, then start the range so
    // that the cut's byte is the last byte of its second slice, or the first of its third.
    const data = seededBytes('random', 9, 16 * 1024 * 1024);
    const mask = 0xfffff000 | 0;
    const gap = 2 * SLICE_BYTES + 1;
    const hashes = new Int32Array(data.length + 1);
    let previousCut = 0;
    let cut = -1;
    for (let i = 0; i < data.length && cut < 0; i++) {
      hashes[i + 1] = ((hashes[i]! << 1) + GEAR[data[i]!]!) | 0;
      if ((hashes[i + 1]! & mask) !== 0) continue;
      if (i + 1 - previousCut > gap) cut = i + 1;
      previousCut = i + 1;
    }
    expect(cut).toBeGreaterThan(gap);
    for (const from of [cut - 2 * SLICE_BYTES, cut - 2 * SLICE_BYTES - 1]) {
      const expected = { end: cut, hash: hashes[cut]! };
      expect(referenceScan(data, from, data.length, hashes[from]!, mask)).toEqual(expected);
      expect(gearScan(data, from, data.length, hashes[from]!, mask)).toEqual(expected);
    }
  });

  it('refuses a range outside the data, and hashes nothing for an empty one', () => {
    const data = seededBytes('random', 4, 1000);
    const gear = new GearHash();
    expect(() => gear.scan(data, 0, 1001, 0)).toThrow(RangeError);
    expect(() => gear.scan(data, -1, 10, 0)).toThrow(RangeError);
    expect(() => gear.scan(data, 10, 9, 0)).toThrow(RangeError);
    expect(() => gear.scan(data, 0.5, 9, 0)).toThrow(RangeError);
    gear.hash = 42;
    expect(gear.scan(data, 500, 500, 0)).toBe(-1);
    expect(gear.hash).toBe(42);
  });
});

describe('BoundaryScanner', () => {
  it('cuts exactly where the documented rule cuts (property, small bounds)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 6000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 256 }),
        fc.integer({ min: 1, max: 700 }),
        (data, minBytes, avgExtra, maxExtra, readBytes) => {
          const avgBytes = Math.max(2, minBytes + avgExtra);
          const bounds = resolveChunkBounds({ minBytes, avgBytes, maxBytes: avgBytes + maxExtra });
          expect(scannerBlockLengths(data, bounds, readBytes)).toEqual(
            referenceBlockLengths(data, bounds),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts exactly where the documented rule cuts on 40 MiB with production bounds', () => {
    const bounds = resolveChunkBounds();
    for (const kind of ['random', 'text'] as const) {
      const data = seededBytes(kind, 21, 40 * 1024 * 1024);
      const expected = referenceBlockLengths(data, bounds);
      expect(expected.length).toBeGreaterThan(3);
      expect(scannerBlockLengths(data, bounds, 1024 * 1024 + 7)).toEqual(expected);
    }
  });
});
