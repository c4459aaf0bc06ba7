/**
 * Group commit, the waiting half: `wait()` resolves once every write committed before the call
 * is durable, and one sync covers every write committed before that sync started. One sync runs
 * at a time. A caller arriving while it runs joins it when the writes so far are no newer than
 * its start; otherwise it waits for the next sync, which starts as soon as the running one ends
 * and serves every caller that queued meanwhile. With nothing written since the last sync,
 * `wait()` resolves without one.
 *
 * A failed sync fails its callers and every later `wait()`: after a failed fsync the kernel may
 * have dropped the dirty pages, so a later fsync that succeeds proves nothing. Nothing written
 * since the last good sync can be promised durable until the store is reopened.
 */

/** Counts writes so far (never decreases), and makes every write so far durable. */
export interface BarrierSource {
  readonly mark: () => number;
  readonly sync: () => Promise<void>;
}

/** Why a barrier refused: its sync failed (`cause`), now or earlier. */
export class DurabilityError extends Error {
  constructor(cause: unknown) {
    super(
      'the metadata sync failed: writes since the last good sync may not survive a power loss',
      {
        cause,
      },
    );
    this.name = 'DurabilityError';
  }
}

const ignore = () => undefined;

export class DurabilityBarrier {
  private readonly source: BarrierSource;
  /** Every write up to this mark is durable. */
  private syncedMark = 0;
  private running: { readonly mark: number; readonly done: Promise<void> } | undefined;
  /** The sync that starts when the running one ends, shared by everyone waiting for it. */
  private queued: Promise<void> | undefined;
  private failure: DurabilityError | undefined;

  constructor(source: BarrierSource) {
    this.source = source;
  }

  /** Resolves when every write committed so far is durable; rejects with a DurabilityError. */
  wait(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const target = this.source.mark();
    if (target <= this.syncedMark) return Promise.resolve();
    const running = this.running;
    if (running !== undefined && target <= running.mark) return running.done;
    // The queued sync starts after now, so it covers every write so far.
    if (this.queued) return this.queued;
    if (running === undefined) return this.start();
    this.queued = running.done.then(ignore, ignore).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  /** Resolves once no sync is running or queued (for closing the file it syncs). */
  async idle(): Promise<void> {
    while (this.running || this.queued) {
      await Promise.allSettled([this.running?.done, this.queued]);
    }
  }

  private start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    // Read before the sync begins: every write counted here is in the file being synced.
    const mark = this.source.mark();
    const done = (async () => {
      try {
        await this.source.sync();
      } catch (error) {
        this.failure ??= new DurabilityError(error);
        throw this.failure;
      }
      this.syncedMark = Math.max(this.syncedMark, mark);
    })();
    const running = { mark, done };
    this.running = running;
    const clear = () => {
      if (this.running === running) this.running = undefined;
    };
    done.then(clear, clear);
    return done;
  }
}
