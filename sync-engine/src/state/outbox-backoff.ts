/** Bounds of the outbox retry delay. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly initialDelayMs: number;
  /** The delay doubles per failure up to this. */
  readonly maxDelayMs: number;
}

/**
 * 1 s after the first failure, doubling to at most 5 minutes: quick recovery from a blip,
 * while a change that keeps failing (file locked for hours, server down) costs one try per
 * 5 minutes. Periodic rescans and long-poll wake-ups are independent of this.
 */
export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = { initialDelayMs: 1_000, maxDelayMs: 300_000 };

/**
 * The wait before retrying a change that has now failed `attemptCount` times (1 after the first
 * failure). Deterministic on purpose, so seeded simulations replay exactly; jitter against
 * thundering herds belongs to the network layer (long-poll reconnect), not the local queue.
 */
export function computeBackoffMs(
  attemptCount: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF_POLICY,
): number {
  if (!Number.isInteger(attemptCount) || attemptCount < 1) {
    throw new RangeError(`attemptCount must be a positive integer, got ${attemptCount}`);
  }
  // Cap the exponent first: 2 ** 1100 is Infinity, and Infinity * 0 would be NaN.
  const doublings = Math.min(attemptCount - 1, 52);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** doublings);
}
