/**
 * A shared store (PostgreSQL, the object store, Redis) cannot be reached right now. The error
 * handler answers it `503 unavailable` with `Retry-After`, so that a client (or the load
 * balancer) tries again later, and never with a wrong answer such as "not found". Imports
 * nothing: the store layers throw it without knowing HTTP.
 */
export type StoreName = 'metadata' | 'blocks' | 'bus';

export class StoreUnavailableError extends Error {
  readonly store: StoreName;

  constructor(store: StoreName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
    this.store = store;
  }
}

/** What /healthz asks of each component. */
export interface HealthProbe {
  readonly name: string;
  /** Down means the instance cannot answer correctly (503); else it is only degraded. */
  readonly required: boolean;
  isHealthy(): Promise<boolean>;
}
