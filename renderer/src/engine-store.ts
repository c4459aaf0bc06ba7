/**
 * What the window shows, kept current from the engine: a status snapshot, the conflicts and
 * this device's recent transfers, refreshed by a long-poll on the engine's event log. Screens
 * read the snapshot and call the engine through the same EngineControl; nothing here knows
 * whether that is IPC or HTTP.
 */
import type {
  ConflictInfo,
  EngineControl,
  EngineEvent,
  EngineStatus,
  SequencedEvent,
} from 'sync-engine/control';

/** A file this device finished syncing, newest first in {@link EngineSnapshot.recent}. */
export interface RecentTransfer {
  readonly seq: number;
  readonly timeMs: number;
  readonly event: Extract<EngineEvent, { type: 'synced' }>;
}

/**
 * How the window reaches the engine: `lost` while it retries, `denied` on a wrong token,
 * `setup` while the device is not signed in yet (the first-run form).
 */
export type Connection = 'connecting' | 'connected' | 'lost' | 'denied' | 'setup';

/** Everything a screen renders from. */
export interface EngineSnapshot {
  readonly connection: Connection;
  readonly status: EngineStatus | undefined;
  readonly conflicts: readonly ConflictInfo[];
  readonly recent: readonly RecentTransfer[];
  /** Bumped when something synced: the activity feed may have grown. */
  readonly activityVersion: number;
}

/** A live view of one engine. */
export interface EngineStore {
  get(): EngineSnapshot;
  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Re-reads the status and conflicts (after an action). */
  refresh(): Promise<void>;
  close(): void;
}

const RECENT_KEPT = 200;
const POLL_SECONDS = 30;
const RETRY_MS = [500, 1000, 2000, 5000, 10_000] as const;

/** Starts following `control` at once; `close()` ends the long-poll. */
export function createEngineStore(control: EngineControl): EngineStore {
  let snapshot: EngineSnapshot = {
    connection: 'connecting',
    status: undefined,
    conflicts: [],
    recent: [],
    activityVersion: 0,
  };
  const listeners = new Set<() => void>();
  const closing = new AbortController();

  const update = (change: Partial<EngineSnapshot>): void => {
    snapshot = { ...snapshot, ...change };
    for (const listener of listeners) listener();
  };

  const refresh = async (): Promise<void> => {
    const [status, conflicts] = await Promise.all([control.getStatus(), control.listConflicts()]);
    update({ status, conflicts, connection: 'connected' });
  };

  const apply = async (events: readonly SequencedEvent[]): Promise<void> => {
    const synced = events.filter(
      (entry): entry is SequencedEvent & { event: RecentTransfer['event'] } =>
        entry.event.type === 'synced',
    );
    if (synced.length > 0) {
      const fresh = synced.reverse().map(({ seq, timeMs, event }) => ({ seq, timeMs, event }));
      update({
        recent: [...fresh, ...snapshot.recent].slice(0, RECENT_KEPT),
        activityVersion: snapshot.activityVersion + 1,
      });
    }
    // One status read per batch, however many progress events it carried.
    await refresh();
  };

  const follow = async (): Promise<void> => {
    let after = 0;
    let failures = 0;
    while (!closing.signal.aborted) {
      try {
        if (snapshot.connection !== 'connected') await refresh();
        // While transfers run, read the status every second for live progress.
        const busy = snapshot.status?.state === 'syncing' || snapshot.status?.state === 'scanning';
        const batch = await control.waitForEvents(
          after,
          (busy ? 1 : POLL_SECONDS) * 1000,
          closing.signal,
        );
        if (busy && batch.events.length === 0) await refresh();
        failures = 0;
        const first = batch.events[0];
        if (first !== undefined)
          await apply(first.seq > after + 1 && after > 0 ? [] : batch.events);
        after = batch.next;
      } catch (error) {
        if (closing.signal.aborted) return;
        // A ControlError from either bridge; only its code is read (components import types).
        const code = (error as { code?: unknown }).code;
        const denied = code === 'unauthorized';
        update({ connection: denied ? 'denied' : code === 'not_signed_in' ? 'setup' : 'lost' });
        if (denied) return;
        if (code === 'not_signed_in') failures = 0;
        await sleep(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 10_000, closing.signal);
        failures += 1;
      }
    }
  };
  void follow();

  return {
    get: () => snapshot,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    close: () => closing.abort(),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
