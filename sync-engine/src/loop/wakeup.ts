/**
 * The scheduler's one wait: until something wakes it (a watcher batch, a long-poll answer, a
 * control request) or `ms` pass, whichever comes first. A wake-up that arrives while nobody
 * waits is kept, so none is lost between two waits.
 */
import type { Clock } from '../ports.js';

export class Wakeup {
  private pending = false;
  private resolveWait: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  wake(): void {
    this.pending = true;
    this.resolveWait?.();
  }

  /** Resolves on the next wake-up (or one that came since the last wait), or after `ms`. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return;
    }
    const timer = new AbortController();
    let resolveThis!: () => void;
    const onAbort = () => timer.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          resolveThis = resolve;
          this.resolveWait = resolve;
        }),
        this.clock.sleep(ms, timer.signal).catch(() => undefined),
      ]);
    } finally {
      // One waiter at a time is the design (the scheduler); never clear another's resolver.
      if (this.resolveWait === resolveThis) this.resolveWait = undefined;
      this.pending = false;
      timer.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }
}
