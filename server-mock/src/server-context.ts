/**
 * Everything the route modules need, built once by startServer (the composition root) and
 * passed down. No module-level singletons: two servers in one process share nothing.
 */
import type { BlockCodecPool } from 'sync-engine/blocks';
import type { LoginRateLimiter } from './auth/login-rate-limiter.js';
import type { BlockStore } from './blocks/index.js';
import type { BlockLock } from './blocks/keyed-lock.js';
import type { ServerConfig } from './config.js';
import type { NamespaceKeyring } from './keys/namespace-keyring.js';
import type { MetadataStore } from './metadata/metadata-store.js';
import type { ServerMetrics } from './metrics/server-metrics.js';
import type { NotificationBus } from './notify/index.js';
import type { HealthProbe } from './store-unavailable.js';

export interface ServerContext {
  readonly config: ServerConfig;
  readonly store: MetadataStore;
  readonly blocks: BlockStore;
  readonly bus: NotificationBus;
  readonly keyring: NamespaceKeyring;
  readonly codec: BlockCodecPool;
  readonly metrics: ServerMetrics;
  readonly loginLimiter: LoginRateLimiter;
  /**
   * Held per block around "put bytes, then record the row", and by GC around deletion: in
   * process with SQLite, across instances (advisory locks) with PostgreSQL.
   */
  readonly blockLock: BlockLock;
  /** Aborted when the server starts shutting down: long-polls return at once. */
  readonly shutdownSignal: AbortSignal;
  /**
   * The base URL (no trailing slash) for URLs handed to clients: `config.publicUrl`, else the
   * listening address once listening; undefined when listening on a wildcard address without a
   * public URL (callers then use the request's Host).
   */
  readonly publicBaseUrl: () => string | undefined;
  /** What /healthz asks: the metadata store, the block store(s) and the bus. */
  readonly health: readonly HealthProbe[];
  /** Epoch milliseconds; a seam for tests of time-based policy. */
  readonly now: () => number;
}
