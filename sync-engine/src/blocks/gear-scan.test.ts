import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveChunkBounds, type ChunkBounds } from './chunk-bounds.js';
import { BoundaryScanner } from './boundary-scanner.js';
import { GEAR } from './gear-table.js';
import { gearScan, type GearScanResult } from './gear-scan.js';
import { seededBytes } from './seeded-data.js';

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

/** The gear hash of data[from, to) started from `hash`, with no cut. */
function referenceHash(data: Uint8Array, from: number, to: number, hash: number): number {
  let h = hash;
  for (let i = from; i < to; i++) h = ((h << 1) + GEAR[data[i]!]!) | 0;
  return h;
}

describe('gearScan (WebAssembly)', () => {
  const result: GearScanResult = { end: -1, hash: 0 };

  it('finds the first byte after which hash & mask is 0, at every offset of the unrolled loop', () => {
    const data = seededBytes('random', 3, 4096);
    const mask = 0xff000000 | 0;
    for (let from = 0; from < 8; from++) {
      let expected = -1;
      let h = 0;
      for (let i = from; i < data.length; i++) {
        h = ((h << 1) + GEAR[data[i]!]!) | 0;
        if ((h & mask) === 0) {
          expected = i + 1;
          break;
        }
      }
      expect(expected).toBeGreaterThan(0);
      // Every range end around the cut: found when the range holds the cut byte, not before.
      for (let to = expected - 5; to <= expected + 5; to++) {
        gearScan(data, from, to, 0, mask, result);
        expect(result.end).toBe(to >= expected ? expected : -1);
        expect(result.hash).toBe(referenceHash(data, from, Math.min(to, expected), 0));
      }
    }
  });

  it('carries the hash across its internal copies of large ranges', () => {
    const data = seededBytes('text', 5, 3 * 1024 * 1024 + 13);
    // A mask no 32-bit hash of this text satisfies in practice: the whole range is hashed.
    gearScan(data, 17, data.length, 0x1234, -1, result);
    expect(result.end).toBe(-1);
    expect(result.hash).toBe(referenceHash(data, 17, data.length, 0x1234));
  });

  it('reports a cut on the last byte of a range and on the first', () => {
    const data = seededBytes('random', 9, 600_000);
    const mask = 0xfffc0000 | 0;
    gearScan(data, 0, data.length, 0, mask, result);
    const cut = result.end;
    expect(cut).toBeGreaterThan(1);
    gearScan(data, 0, cut, 0, mask, result);
    expect(result.end).toBe(cut);
    const before = referenceHash(data, 0, cut - 1, 0);
    gearScan(data, cut - 1, cut, before, mask, result);
    expect(result.end).toBe(cut);
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
