/**
 * The long-polls a server instance is holding, so that shutdown can release them all through ONE
 * listener on the shared shutdown signal. A listener per poll made every poll pay a linear
 * EventTarget add/remove (2,000 polls: ~60 ms to add, 20–40 ms to remove, standalone Node 20)
 * and tripped Node's MaxListenersExceededWarning past 10 polls.
 */
export class OpenLongPolls {
  private readonly releases = new Set<() => void>();

  /** Listens once on `shutdownSignal`; each registered poll is released when it aborts. */
  constructor(private readonly shutdownSignal: AbortSignal) {
    shutdownSignal.addEventListener('abort', () => this.releaseAll(), { once: true });
  }

  /** The number of polls currently registered (for tests). */
  get size(): number {
    return this.releases.size;
  }

  /**
   * Registers `release`, called once at shutdown (at once when shutdown already began).
   * Returns the function that unregisters it; call it when the poll ends.
   */
  add(release: () => void): () => void {
    if (this.shutdownSignal.aborted) {
      release();
      return () => {};
    }
    this.releases.add(release);
    return () => {
      this.releases.delete(release);
    };
  }

  private releaseAll(): void {
    const pending = [...this.releases];
    this.releases.clear();
    for (const release of pending) release();
  }
}
