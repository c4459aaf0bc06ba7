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
import { METHOD_KINDS } from './method-kinds.js';

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
