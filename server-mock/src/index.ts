/**
 * Ferry's reference server: real HTTP(S), SQLite metadata, blocks on local disk, in-process
 * notifications. `startServer` is the composition root: it builds every component, wires them
 * and owns their shutdown. Imports from sync-engine only its protocol/ and blocks/ entries.
 */
import { mkdir } from 'node:fs/promises';
import { createBlockCodecPool } from 'sync-engine/blocks';
import { LoginRateLimiter } from './auth/login-rate-limiter.js';
import type { BlockStore } from './blocks/index.js';
import { resolveServerConfig, type ServerConfig, type ServerOptions } from './config.js';
import { ServerError } from './errors.js';
import { buildApp } from './http/build-app.js';
import { ROUTE_MODULES } from './http/route-modules.js';
import { loadMasterKey } from './keys/master-key.js';
import { NamespaceKeyring } from './keys/namespace-keyring.js';
import type { MetadataStore } from './metadata/metadata-store.js';
import { withMetadataCache } from './metadata/cached-metadata-store.js';
import { withJournalPublishing } from './metadata/journaled-writes.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import type { NotificationBus } from './notify/index.js';
import { openBlockLock, openBlockStores, openBus, openMetadataStore } from './open-components.js';
import { startPolicyTimer, StoragePolicy } from './policy/index.js';
import type { ServerContext } from './server-context.js';

export type { ServerConfig, ServerOptions, LogLevel } from './config.js';
export { resolveServerConfig, defaultDataDir, LOG_LEVELS } from './config.js';
export { ServerError } from './errors.js';

/** How long shutdown waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Components to use instead of the embedded defaults (e.g. a shared bus across instances). */
export interface ServerComponents {
  readonly store?: MetadataStore;
  readonly blocks?: BlockStore;
  readonly bus?: NotificationBus;
  /** Clock in epoch ms; tests of time-based policy move it. */
  readonly now?: () => number;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8787` (no trailing slash). */
  readonly url: string;
  readonly config: ServerConfig;
  /** Runs the storage policy once now (thinning, GC, cold tier, expiry). */
  runPolicy(): Promise<void>;
  /** Sets one user's storage quota (operators; the default comes from defaultQuotaBytes). */
  setUserQuota(email: string, quotaBytes: number): Promise<void>;
  /**
   * Graceful shutdown: stops accepting, releases long-polls, lets in-flight requests finish,
   * then closes the codec workers, bus, block store and database. Idempotent.
   */
  close(): Promise<void>;
}

/** Listen addresses that are no address a client could use in a URL. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function formatUrl(protocol: string, host: string, port: number): string {
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts a server from `options` (over FERRY_* environment variables, over defaults). */
export async function startServer(
  options: ServerOptions = {},
  components: ServerComponents = {},
): Promise<RunningServer> {
  const config = resolveServerConfig(options);
  await mkdir(config.dataDir, { recursive: true });
  const master = await loadMasterKey({ dataDir: config.dataDir, configured: config.masterKey });
  const openedBus =
    components.bus === undefined ? openBus(config) : { component: components.bus, probes: [] };
  const bus = openedBus.component;
  // Every journaled write publishes its wake-up on the bus (journaled-writes.ts), after the
  // cache has forgotten what the write changed.
  let opened: MetadataStore;
  try {
    opened = components.store ?? (await openMetadataStore(config));
  } catch (error) {
    await bus.close();
    throw error;
  }
  const store = withJournalPublishing(
    // Several instances share PostgreSQL, and one instance's cache would not see the others'
    // writes: the cache is for the embedded store only.
    withMetadataCache(opened, config.metadata.kind === 'sqlite' ? config.metadataCacheEntries : 0),
    bus,
  );
  let openedBlocks;
  try {
    openedBlocks =
      components.blocks === undefined
        ? await openBlockStores(config)
        : { component: components.blocks, probes: [] };
  } catch (error) {
    // The object store refused or is away at start: release what is open, then report it.
    await bus.close();
    await store.close();
    throw error;
  }
  const blocks = openedBlocks.component;
  const blockLock = openBlockLock(config);
  const shutdown = new AbortController();
  // Set once listening (the port may be 0 until then); see ServerContext.publicBaseUrl.
  let listeningUrl: string | undefined;
  const ctx: ServerContext = {
    config,
    store,
    blocks,
    bus,
    keyring: new NamespaceKeyring(master, (ns) => store.getWrappedKey(ns)),
    codec: createBlockCodecPool({ workers: config.codecWorkers }),
    metrics: new ServerMetrics(),
    loginLimiter: new LoginRateLimiter({
      maxAttempts: config.loginMaxAttempts,
      windowMs: config.loginWindowMs,
    }),
    blockLock,
    shutdownSignal: shutdown.signal,
    publicBaseUrl: () => config.publicUrl ?? listeningUrl,
    health: [
      { name: 'metadata', required: true, isHealthy: () => store.isHealthy() },
      ...openedBlocks.probes,
      ...openedBus.probes,
    ],
    now: components.now ?? Date.now,
  };
  const releaseComponents = async () => {
    await ctx.codec.close();
    await bus.close();
    await blocks.close();
    await store.close();
    await blockLock.close?.();
  };
  const app = await buildApp(ctx, ROUTE_MODULES);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // E.g. the port is taken: release the workers and the database before reporting it.
    await app.close();
    await releaseComponents();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = formatUrl(config.tls ? 'https' : 'http', config.host, port);
  if (!WILDCARD_HOSTS.has(config.host)) listeningUrl = url;
  const storagePolicy = new StoragePolicy(ctx);
  const policy = startPolicyTimer({
    intervalMs: config.policyIntervalMs,
    run: () => storagePolicy.runOnce(),
    onError: (error) => app.log.error({ err: error }, 'storage policy run failed'),
    signal: shutdown.signal,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    config,
    runPolicy: () => policy.runNow(),
    async setUserQuota(email, quotaBytes) {
      const user = await store.getUserByEmail(email);
      if (!user) throw new ServerError('not_found', `no user with email ${email}`);
      await store.setUserQuota(user.id, quotaBytes);
    },
    close() {
      closing ??= (async () => {
        shutdown.abort();
        await policy.stop();
        // A request still running after the grace period (a slow client, a stuck upload) is cut
        // off, so shutdown is bounded for supervisors that SIGKILL after their own timeout.
        const deadline = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        await app.close();
        clearTimeout(deadline);
        await releaseComponents();
      })();
      return closing;
    },
  };
}
