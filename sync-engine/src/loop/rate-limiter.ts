/**
 * A bandwidth limit (`--limit-up`, `--limit-down`): a token bucket refilled at `bytesPerSecond`
 * with one second of burst. `take(n)` waits (through the Clock) until n bytes may go; a block
 * larger than the burst waits for its whole size, so the average rate holds over time.
 */
import type { Clock } from '../ports.js';

export class RateLimiter {
  private available: number;
  private lastMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly bytesPerSecond: number,
  ) {
    this.available = bytesPerSecond;
    this.lastMs = clock.nowMs();
  }

  /** Resolves when `bytes` may be sent (callers are served in order). */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(bytes, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = this.clock.nowMs();
    this.available = Math.min(
      this.bytesPerSecond,
      this.available + ((now - this.lastMs) / 1000) * this.bytesPerSecond,
    );
    this.lastMs = now;
    this.available -= bytes;
    if (this.available < 0) {
      await this.clock.sleep((-this.available / this.bytesPerSecond) * 1000, signal);
    }
  }
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `5MB/s`, `500KiB/s`, `1.5M`, `200000` → bytes per second; undefined when not a rate. */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:\/\s*s)?\s*$/i.exec(text);
  if (match === null) return undefined;
  const unit = UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const rate = Number(match[1]) * unit;
  return rate >= 1 && Number.isFinite(rate) ? Math.round(rate) : undefined;
}
