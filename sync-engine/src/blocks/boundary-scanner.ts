import type { ChunkBounds } from './chunk-bounds.js';
import { gearScan, type GearScanResult } from './gear-scan.js';

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
  private hash = 0;
  /** Reused result of gearScan. */
  private readonly run: GearScanResult = { end: -1, hash: 0 };

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
    const run = this.run;
    const smallEnd = Math.min(to, avgBytes - base);
    let h = this.hash;
    if (i < smallEnd) {
      gearScan(data, i, smallEnd, h, maskSmall, run);
      if (run.end >= 0) return this.cut(run.end);
      h = run.hash;
      i = smallEnd;
    }
    const largeEnd = Math.min(to, maxBytes - base);
    if (i < largeEnd) {
      gearScan(data, i, largeEnd, h, maskLarge, run);
      if (run.end >= 0) return this.cut(run.end);
      h = run.hash;
      i = largeEnd;
    }
    if (i + base === maxBytes) return this.cut(i);
    this.length += to - from;
    this.hash = h;
    return -1;
  }

  private cut(end: number): number {
    this.length = 0;
    this.hash = 0;
    return end;
  }
}
