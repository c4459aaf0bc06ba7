import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../testkit/index.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from './retry-delay.js';

const fixed = (value: number) => () => value;
const policy = { baseMs: 1000, maxMs: 30_000 };

describe('retryDelayMs', () => {
  it.each([
    // attempt, retryAfterMs, random, expected
    [1, undefined, 0, 500],
    [1, undefined, 0.999_999, 1000],
    [2, undefined, 0, 1000],
    [3, undefined, 0.5, 3000],
    [5, undefined, 1, 16_000],
    [6, undefined, 0, 15_000],
    [6, undefined, 1, 30_000],
    [40, undefined, 1, 30_000],
    [10_000, undefined, 1, 30_000],
    // Retry-After is a floor: never earlier than the server asked...
    [1, 7000, 0, 7000],
    [1, 120_000, 1, 120_000],
    // ...but never later than the backoff when the backoff is already longer.
    [6, 2000, 1, 30_000],
    // Junk in: treated as the first attempt, no floor, random clamped.
    [0, undefined, 0, 500],
    [-3, undefined, 0, 500],
    [Number.NaN, undefined, 0, 500],
    [1, -5, 0, 500],
    [1, Number.NaN, 0, 500],
    [1, undefined, 7, 1000],
    [1, undefined, -1, 500],
    [1, undefined, Number.NaN, 500],
  ])('attempt %s, Retry-After %s ms, random %s → %s ms', (attempt, retryAfterMs, random, ms) => {
    expect(retryDelayMs(attempt, retryAfterMs, { random: fixed(random), policy })).toBe(ms);
  });

  it('stays within half and all of the exponential ceiling, whatever the random draws', () => {
    const seed = 20_240_601;
    const random = createSeededRandom(seed);
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(
        DEFAULT_RETRY_POLICY.maxMs,
        DEFAULT_RETRY_POLICY.baseMs * 2 ** (attempt - 1),
      );
      for (let i = 0; i < 200; i++) {
        const ms = retryDelayMs(attempt, undefined, { random });
        expect(ms, `seed ${seed}, attempt ${attempt}`).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms, `seed ${seed}, attempt ${attempt}`).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('spreads devices that failed together (jitter)', () => {
    const seed = 77;
    const random = createSeededRandom(seed);
    const delays = new Set(
      Array.from({ length: 50 }, () => retryDelayMs(4, undefined, { random })),
    );
    expect(delays.size, `seed ${seed}`).toBeGreaterThan(40);
  });
});
