/**
 * Serialises async tasks per key inside one process: tasks on the same key run one after the
 * other in call order; tasks on different keys run concurrently.
 */
/** Runs tasks one at a time per key (ServerContext.blockLock: in process, or across instances). */
export interface BlockLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export class KeyedLock implements BlockLock {
  /** Per key, a promise that settles when the last queued task on that key has finished. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task on `key` has settled; resolves or rejects as it does. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Tails never reject (they wait on `current`, which only resolves), so one failing task does
    // not poison the queue of its key.
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    try {
      await previous;
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Resolves once no task is queued or running on any key. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
