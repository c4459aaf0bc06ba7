/**
 * The AbortSignal of the HTTP request that a piece of store work serves, carried implicitly
 * (AsyncLocalStorage) from the route to the stores, so that no store method needs a parameter
 * for it. It aborts when the client goes away before its answer is out (the connection closed).
 * The metadata contexts then start nothing more for that request: a transaction not begun is
 * not begun, one begun is rolled back at its next statement, so an abandoned request writes
 * nothing more and holds no database connection while it waits for one. Imports nothing of HTTP.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The request this work serves ended before its answer: its client went away. */
export class RequestAbandonedError extends Error {
  constructor() {
    super('the request ended before its answer: the client went away');
    this.name = 'RequestAbandonedError';
  }
}

const current = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` (and everything it starts) on behalf of the request `signal` belongs to. */
export function runForRequest<T>(signal: AbortSignal, work: () => T): T {
  return current.run(signal, work);
}

/** The signal of the request being served here, if any (none for timers and startup). */
export function requestSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** Throws RequestAbandonedError when the request being served here was abandoned. */
export function throwIfAbandoned(): void {
  if (current.getStore()?.aborted) throw new RequestAbandonedError();
}

/** Runs cleanup that must happen even for an abandoned request (releasing what it held). */
export function evenIfAbandoned<T>(work: () => T): T {
  return current.exit(work);
}
