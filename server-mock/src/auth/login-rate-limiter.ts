/**
 * Limits failed logins per (email, IP): after `maxAttempts` failures within `windowMs` further
 * attempts are refused (429 + Retry-After) until the oldest failure leaves the window. A
 * successful login clears the key. In memory, per instance; bounded by pruning stale keys.
 */

export interface LoginRateLimiterOptions {
  readonly maxAttempts: number;
  readonly windowMs: number;
  /** Keys tracked at most; the stalest are dropped beyond this. */
  readonly maxKeys?: number;
}

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: LoginRateLimiterOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfterMs(key: string, nowMs: number): number {
    const times = this.recent(key, nowMs);
    if (times.length < this.options.maxAttempts) return 0;
    const oldest = times[times.length - this.options.maxAttempts] ?? nowMs;
    return Math.max(1, oldest + this.options.windowMs - nowMs);
  }

  recordFailure(key: string, nowMs: number): void {
    const times = this.recent(key, nowMs);
    times.push(nowMs);
    // Re-insert so Map order is least-recently-failed first, for pruning.
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > this.maxKeys) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
  }

  recordSuccess(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.options.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }
}
