import { describe, expect, it } from 'vitest';
import type { Clock } from '../ports.js';
import { parseRate, RateLimiter } from './rate-limiter.js';

/** A clock whose sleeps advance its time at once, recording each wait. */
function steppingClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    nowMs: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('holds the average rate: 10 MB at 2 MB/s takes 4 s after the first second of burst', async () => {
    const clock = steppingClock();
    const limiter = new RateLimiter(clock, 2_000_000);
    for (let i = 0; i < 10; i += 1) await limiter.take(1_000_000);
    expect(clock.nowMs()).toBe(4000);
  });

  it('serves callers in order', async () => {
    const clock = steppingClock();
    const limiter = new RateLimiter(clock, 1000);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.take(1000).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.nowMs()).toBe(2000);
  });
});

describe('parseRate', () => {
  it.each([
    ['5MB/s', 5_000_000],
    ['500KiB/s', 512_000],
    ['1.5M', 1_500_000],
    ['200000', 200_000],
    ['2 gb / s', 2_000_000_000],
  ])('%s → %d', (text, rate) => expect(parseRate(text)).toBe(rate));

  it.each(['', 'fast', '-5MB/s', '5XB/s', '0', '0.1', '5MB/h'])('refuses %j', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});
