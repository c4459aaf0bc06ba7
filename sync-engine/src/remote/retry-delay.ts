/**
 * How long to wait before sending a failed request again. Pure: the loop (which owns every
 * timer) calls it with the number of failures so far and the server's `Retry-After`, and passes
 * its own seeded or real random source, so simulations replay exactly.
 */

/** The exponential backoff's bounds, in milliseconds. */
export interface RetryPolicy {
  /** The first retry waits about this long. */
  readonly baseMs: number;
  /** No computed delay exceeds this (a longer Retry-After still wins). */
  readonly maxMs: number;
}

/**
 * Half a second doubling to a minute: a server restart (a few seconds) is caught quickly, and a
 * machine offline for hours polls about once a minute.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 500, maxMs: 60_000 };

export interface RetryDelayOptions {
  /** Returns a number in [0, 1), like Math.random (values outside are clamped). */
  readonly random: () => number;
  readonly policy?: RetryPolicy;
}

/**
 * The delay before retry number `attempt` (1 for the first retry after one failure):
 * exponential, `baseMs * 2^(attempt-1)` capped at `maxMs`, with "equal jitter" (a uniform value
 * between half and all of it) so that devices that failed together do not retry together, yet
 * never retry at once. `retryAfterMs` (the server's Retry-After, or a long-poll's `backoff`) is
 * a floor: the result is never earlier than the server asked.
 *
 * @example retryDelayMs(1, undefined, { random }) // 250…500
 * @example retryDelayMs(3, 5_000, { random })    // 5000 (1000…2000 is earlier than asked)
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: RetryDelayOptions,
): number {
  const { baseMs, maxMs } = options.policy ?? DEFAULT_RETRY_POLICY;
  const exponent = Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 1) - 1);
  // 2 ** 1024 is Infinity; Math.min keeps the cap, and the exponent is clamped before that.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 52));
  const drawn = options.random();
  const unit = Number.isFinite(drawn) ? Math.min(1, Math.max(0, drawn)) : 0;
  const jittered = Math.round(ceiling / 2 + (unit * ceiling) / 2);
  const floor = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0; // NaN → 0
  return Math.max(jittered, Math.round(floor));
}
