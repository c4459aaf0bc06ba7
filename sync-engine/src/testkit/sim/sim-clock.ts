/**
 * The simulation's time: it moves only when the simulation says so, so backoffs, conflicted-copy
 * names and file mtimes are the same on every replay of a seed. `sleep` does not wait: it moves
 * time forward by the delay (nothing in the simulation runs on timers).
 */
import type { Clock } from '../../ports.js';

export class SimClock implements Clock {
  constructor(private currentMs: number) {}

  nowMs(): number {
    return this.currentMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.advance(ms);
  }

  advance(ms: number): void {
    this.currentMs += Math.max(0, Math.round(ms));
  }
}
