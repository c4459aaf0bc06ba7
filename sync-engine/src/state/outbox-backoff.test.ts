import { describe, expect, it } from 'vitest';
import { computeBackoffMs } from './outbox-backoff.js';

describe('computeBackoffMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [9, 256_000],
    [10, 300_000],
    [5_000, 300_000],
  ])('after %i failures waits %i ms', (attemptCount, expectedMs) => {
    expect(computeBackoffMs(attemptCount)).toBe(expectedMs);
  });

  it('follows a custom policy', () => {
    const policy = { initialDelayMs: 10, maxDelayMs: 50 };
    expect([1, 2, 3, 4].map((n) => computeBackoffMs(n, policy))).toEqual([10, 20, 40, 50]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attempt count %s', (attemptCount) => {
    expect(() => computeBackoffMs(attemptCount)).toThrow(RangeError);
  });
});
