import type { ChunkBounds } from './chunk-bounds.js';
import { GearHash } from './gear-hash.js';

/**
 * Finds content-defined block boundaries with a FastCDC-style gear hash and normalized chunking.
 *
 * Definition (what makes boundaries deterministic, whatever the read sizes): within a block, the
 * bytes at block index k < min are not hashed (FastCDC's cut-point skipping: no boundary can fall
 * there, so hashing them would be wasted work). The hash starts at 0 and takes each byte from index
 * min on: h = (h << 1) + GEAR[byte] (32-bit). After the byte at index k the block ends (length
 * k + 1) when h & maskSmall = 0 for k < avg, or h & maskLarge = 0 for avg ≤ k; a block that
 * reaches max bytes ends there. The scanner carries (length, hash) across calls, so feeding the
 * same bytes in any split gives the same boundaries.
 */
export class BoundaryScanner {
  private readonly bounds: ChunkBounds;
  /** Bytes of the current block consumed so far. */
  private length = 0;
  /** Gear hash of the current block's bytes from index min on. */
  private readonly gear = new GearHash();

  constructor(bounds: ChunkBounds) {
    this.bounds = bounds;
  }

  /**
   * Consumes data[from, to) as the continuation of the current block. Returns the index in `data`
   * just past the end of the block when a boundary falls in the range (the scanner then starts a
   * new block at that index, and the caller scans on from there), or -1 when the whole range
   * belongs to the current block.
   */
  scan(data: Uint8Array, from: number, to: number): number {
    const { minBytes, avgBytes, maxBytes, maskSmall, maskLarge } = this.bounds;
    // Block index of data[i] is i + base.
    const base = this.length - from;
    let i = Math.max(from, minBytes - base);
    if (i >= to) {
      this.length += to - from;
      return -1;
    }
    const smallEnd = Math.min(to, avgBytes - base);
    if (i < smallEnd) {
      const end = this.gear.scan(data, i, smallEnd, maskSmall);
      if (end >= 0) return this.cut(end);
      i = smallEnd;
    }
    const largeEnd = Math.min(to, maxBytes - base);
    if (i < largeEnd) {
      const end = this.gear.scan(data, i, largeEnd, maskLarge);
      if (end >= 0) return this.cut(end);
      i = largeEnd;
    }
    if (i + base === maxBytes) return this.cut(i);
    this.length += to - from;
    return -1;
  }

  private cut(end: number): number {
    this.length = 0;
    this.gear.hash = 0;
    return end;
  }
}
