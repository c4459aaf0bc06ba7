/**
 * A read-through cache in front of a MetadataStore for the reads every request makes (token →
 * device, user, mounts, namespaces, keys, entries). Strongly consistent within one process:
 * every other method counts as a write and empties the cache before and after it runs, and a
 * read only caches its answer if no write began or ended while it ran (generation check).
 * Signing a device out (`revokeDevice`) is such a write, so a token lookup cached before it is
 * gone when the next request asks: a signed-out token is refused at once on this instance.
 * With several server instances each has its own cache; their writes do not reach the others,
 * so run them with the cache off (metadataCacheEntries: 0) until the bus carries invalidations.
 */
import type { MetadataStore } from './metadata-store.js';

/**
 * What the cache does with each method, a table over every method of the store, so that a
 * method added to MetadataStore does not compile until it is filed here:
 * - `cached`: a small answer asked on (nearly) every request, kept until the next write;
 * - `read`: not cached, and not a write either. `getDevice` is the sign-out check of an open
 *   long-poll: it must see a sign-out at once, so it never reads a cached answer. `durable`
 *   writes nothing: it waits for earlier writes to become durable;
 * - `write`: empties the cache before and after it runs.
 */
const METHOD_KINDS = {
  createUser: 'write',
  getUser: 'cached',
  getUserByEmail: 'cached',
  setUserQuota: 'write',
  createDevice: 'write',
  findDeviceByTokenHash: 'cached',
  getDevice: 'read',
  listDevices: 'read',
  revokeDevice: 'write',
  touchDevice: 'write',
  getNamespace: 'cached',
  getNamespaces: 'cached',
  createNamespace: 'write',
  getWrappedKey: 'cached',
  usedBytesOf: 'cached',
  findMissingBlocks: 'read',
  recordBlock: 'write',
  getBlock: 'read',
  getBlocks: 'read',
  touchBlocks: 'write',
  setBlockTier: 'write',
  listUnreferencedBlocks: 'read',
  listColdCandidates: 'read',
  forgetUnreferencedBlock: 'write',
  hasBlock: 'read',
  createUploadSession: 'write',
  getUploadSession: 'read',
  setUploadReceived: 'write',
  deleteUploadSession: 'write',
  listExpiredUploadSessions: 'read',
  reserveQuota: 'write',
  releaseQuota: 'write',
  reservedBytesOf: 'read',
  expireQuotaReservations: 'write',
  listBlocksUnder: 'read',
  listBlocksOf: 'read',
  beginFolderConversion: 'write',
  pinConvertedBlock: 'write',
  convertFolderToNamespace: 'write',
  convertNamespaceToFolder: 'write',
  abandonFolderConversion: 'write',
  abandonIdleFolderConversions: 'write',
  countShares: 'read',
  createShare: 'write',
  getShare: 'read',
  listShares: 'read',
  updateShareRole: 'write',
  deleteShare: 'write',
  mountPathOf: 'read',
  getEntry: 'cached',
  getEntryOrTombstone: 'read',
  listFilesAt: 'read',
  listEntries: 'read',
  listMounts: 'cached',
  commitFile: 'write',
  commitFiles: 'write',
  announceFile: 'write',
  getAnnouncedBlocks: 'read',
  createFolder: 'write',
  deleteEntry: 'write',
  moveEntry: 'write',
  listVersions: 'read',
  getVersion: 'read',
  readChangeSnapshot: 'read',
  readJournal: 'read',
  pruneJournal: 'write',
  listFilesWithHistory: 'read',
  listVersionTimes: 'read',
  dropVersions: 'write',
  expirePendingFiles: 'write',
  listEvents: 'read',
  durable: 'read',
  isHealthy: 'read',
  close: 'write',
} as const satisfies Record<keyof MetadataStore, 'cached' | 'read' | 'write'>;

function cacheKey(method: string, args: readonly unknown[]): string {
  return `${method}:${JSON.stringify(args, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
  )}`;
}

/** Wraps `store` with a cache of at most `maxEntries` answers. */
export function withMetadataCache(store: MetadataStore, maxEntries: number): MetadataStore {
  if (maxEntries <= 0) return store;
  const cache = new Map<string, unknown>();
  let generation = 0;
  const invalidate = () => {
    generation++;
    cache.clear();
  };
  const wrapped: Record<string, unknown> = {};
  const source = store as unknown as Record<string, unknown>;
  for (const name of Object.keys(store)) {
    const member = source[name];
    if (typeof member !== 'function') {
      wrapped[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => Promise<unknown>;
    const kind = (METHOD_KINDS as Record<string, string>)[name] ?? 'write';
    if (kind === 'cached') {
      wrapped[name] = async (...args: unknown[]) => {
        const key = cacheKey(name, args);
        if (cache.has(key)) return cache.get(key);
        const startedAt = generation;
        const value = await method.apply(store, args);
        if (generation === startedAt) {
          if (cache.size >= maxEntries) cache.clear();
          cache.set(key, value);
        }
        return value;
      };
    } else if (kind === 'read') {
      wrapped[name] = method.bind(store);
    } else {
      wrapped[name] = async (...args: unknown[]) => {
        invalidate();
        try {
          return await method.apply(store, args);
        } finally {
          invalidate();
        }
      };
    }
  }
  return wrapped as unknown as MetadataStore;
}
