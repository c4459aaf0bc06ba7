/**
 * The real Clock: wall time and timers. Everything that waits takes a Clock instead (ports.ts),
 * so a simulation can substitute its own time; this is the one the composition root passes.
 */
import type { Clock } from './ports.js';

/** `setTimeout` fires at once for delays past 2^31-1 ms; clamp (about 24.8 days) and floor at 0. */
function clampDelayMs(delayMs: number): number {
  return Math.min(Math.max(0, delayMs), 2 ** 31 - 1);
}

/** Wall time (`Date.now()`) and `setTimeout`; `sleep` rejects with the signal's reason on abort. */
export const systemClock: Clock = Object.freeze({
  nowMs: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, clampDelayMs(ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
});
