/**
 * The gear table of the content-defined chunker: 256 pseudo-random 32-bit values, one per byte
 * value. It is part of the block format in effect (changing it moves every boundary, which defeats
 * dedup against blocks already uploaded), so it is generated from a fixed seed by xorshift32 and
 * never changes (docs/block-format.md, section 1).
 */
export const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  let state = 0x9e3779b9;
  for (let i = 0; i < 256; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    table[i] = state | 0;
  }
  return table;
})();
