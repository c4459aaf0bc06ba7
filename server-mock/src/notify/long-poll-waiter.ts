/**
 * The wait inside a long-poll request (GET /notifications/longpoll): resolve as soon as any of
 * the caller's topics moves on, or when the time is up, or when the server shuts down. The
 * subscription is made BEFORE the journal is checked: a commit that lands between "check" and
 * "wait" then still wakes the waiter (the lost-wake-up race).
 */
import type { NotificationBus } from './notification-bus.js';

/** What waitForChange needs. */
export interface WaitForChangeOptions {
  readonly bus: NotificationBus;
  /** Namespace ids the caller can see (see notification-bus.ts). */
  readonly topics: readonly string[];
  /** Re-reads the journal: true when it already holds changes past the caller's cursor. */
  readonly isNewer: () => Promise<boolean>;
  /** Longest wait, in milliseconds, counted from the call. */
  readonly timeoutMs: number;
  /** Aborted when the request is cancelled or the server shuts down: the wait ends at once. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves true when there is something to fetch (isNewer() said so, or a message arrived on
 * one of `topics`), false on timeout or abort. Rejects when subscribe or isNewer fails. On every
 * outcome it unsubscribes and clears its timer, so thousands of finished polls leave nothing.
 * A message carries no state: the caller re-reads the journal after a true.
 */
export function waitForChange(options: WaitForChangeOptions): Promise<boolean> {
  const { bus, topics, isNewer, timeoutMs, signal } = options;
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise<boolean>((resolve, reject) => {
    let isSettled = false;
    let unsubscribe: (() => void) | undefined;
    const settle = (outcome: { value: boolean } | { error: unknown }): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe?.();
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.value);
    };
    const onAbort = (): void => settle({ value: false });
    const timer = setTimeout(() => settle({ value: false }), clampDelayMs(timeoutMs));
    signal?.addEventListener('abort', onAbort, { once: true });

    bus
      .subscribe(topics, () => settle({ value: true }))
      .then(async (unsubscribeFromBus) => {
        // Settled while subscribing (timeout, abort): drop the subscription we just got.
        if (isSettled) return unsubscribeFromBus();
        unsubscribe = unsubscribeFromBus;
        if (await isNewer()) settle({ value: true });
      })
      .catch((error: unknown) => settle({ error }));
  });
}

/** setTimeout fires at once for delays past 2^31-1 ms; clamp (about 24.8 days) and floor at 0. */
function clampDelayMs(delayMs: number): number {
  return Math.min(Math.max(0, delayMs), 2 ** 31 - 1);
}
