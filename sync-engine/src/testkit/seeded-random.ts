/**
 * The one seeded pseudo-random generator of Ferry's tests, simulations and benchmarks
 * (xorshift32): tiny and fast, so a failing run can be replayed exactly from its seed.
 * Not for anything secret.
 */

/** A generator of uint32 values from `seed` (0 is replaced by a fixed non-zero state). */
export function createSeededUint32(seed: number): () => number {
  let state = seed >>> 0 || 0x6d2b79f5;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0);
  };
}

/** A generator of floats in [0, 1) from `seed`, like Math.random but reproducible. */
export function createSeededRandom(seed: number): () => number {
  const next = createSeededUint32(seed);
  return () => next() / 2 ** 32;
}
