/**
 * Test support: a real metadata store whose chosen methods can be held at their start, to force
 * an interleaving over real HTTP (another request runs while the held one waits). Only the timing
 * changes: every call still goes to the real store.
 *
 * @example
 * const paused = pauseStoreMethods(openSqliteMetadataStore(file), ['readJournal']);
 * const gate = paused.holdNext();           // the next readJournal call waits…
 * const pending = client.json('GET', '/changes?cursor=…');
 * await gate.reached;                       // …here; make another change now
 * gate.release();
 */
import type { MetadataStore } from '../src/metadata/metadata-store.js';

/** One armed hold: `reached` settles when a call arrives, `release` lets it go on. */
export interface StoreGate {
  readonly reached: Promise<string>;
  release(): void;
}

export interface PausedStore {
  readonly store: MetadataStore;
  /** Holds the next call of any of the chosen methods (once), until `release`. */
  holdNext(): StoreGate;
}

/** Wraps `store`; calls of `methods` can be held with `holdNext`. Absent methods are skipped. */
export function pauseStoreMethods(store: MetadataStore, methods: readonly string[]): PausedStore {
  let armed: { arrive: (name: string) => void; released: Promise<void> } | undefined;
  const wrapped: Record<string, unknown> = { ...store };
  const source = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of methods) {
    const method = source[name];
    if (typeof method !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      const gate = armed;
      armed = undefined;
      if (gate) {
        gate.arrive(name);
        await gate.released;
      }
      return method.apply(store, args);
    };
  }
  return {
    store: wrapped as unknown as MetadataStore,
    holdNext() {
      let arrive!: (name: string) => void;
      let release!: () => void;
      const reached = new Promise<string>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      armed = { arrive, released };
      return { reached, release };
    },
  };
}
