/**
 * The engine's event log: a bounded ring of the most recent events, numbered 1, 2, 3… in
 * publication order, and a long-poll over it, so that any client (the CLI's `--json` stream, the
 * desktop app, the browser UI) can follow it with nothing but "give me what came after N".
 * The engine owns one and implements `EngineControl.waitForEvents` with it.
 */
import type { Clock } from '../ports.js';
import {
  ControlError,
  type EngineEvent,
  type EventBatch,
  type SequencedEvent,
} from './contract.js';

/** Options of an {@link EventLog}. */
export interface EventLogOptions {
  /** Stamps each event (epoch ms); defaults to `Date.now`. */
  readonly clock?: Pick<Clock, 'nowMs'>;
  /** Most events kept; older ones are dropped. Default 1000. */
  readonly capacity?: number;
}

const DEFAULT_CAPACITY = 1000;
const systemClock: Pick<Clock, 'nowMs'> = { nowMs: () => Date.now() };

/**
 * Holds the last `capacity` events and wakes waiters when one is published.
 *
 * Reading contract (see {@link waitForEvents}): pass the `next` of the previous batch as `after`.
 * An `after` older than the ring gets what is left (the batch's first `seq` then exceeds
 * `after + 1`: the reader missed some and should re-read the status). An `after` past the last
 * event (a position from an earlier run of the engine) is read as 0.
 */
export class EventLog {
  private readonly clock: Pick<Clock, 'nowMs'>;
  private readonly capacity: number;
  /** The kept events, oldest first; seqs are consecutive. */
  private readonly ring: SequencedEvent[] = [];
  private lastSeq = 0;
  /** Pending waits; each is called on every publish and on close. */
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  constructor(options: EventLogOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventLog capacity must be a positive integer, got ${capacity}`);
    }
    this.clock = options.clock ?? systemClock;
    this.capacity = capacity;
  }

  /** The `seq` of the last event published; 0 before the first. */
  get lastSequence(): number {
    return this.lastSeq;
  }

  /** The number of waits in progress (for tests: each finished wait must leave nothing). */
  get waiterCount(): number {
    return this.waiters.size;
  }

  /**
   * Appends `event` with the next `seq` and the clock's time, drops the oldest past capacity,
   * and wakes every waiter. After close() it is still recorded (a late event of a stopping
   * engine is no error), but nobody is waiting any more.
   */
  publish(event: EngineEvent): SequencedEvent {
    const sequenced: SequencedEvent = { seq: ++this.lastSeq, timeMs: this.clock.nowMs(), event };
    this.ring.push(sequenced);
    if (this.ring.length > this.capacity) this.ring.shift();
    // A copy: a woken waiter removes itself from the set.
    for (const wake of [...this.waiters]) wake();
    return sequenced;
  }

  /**
   * The events with `seq > after`, oldest first: at once when there are some, else as soon as
   * one is published; an empty batch when `timeoutMs` passes first, when `signal` aborts or
   * when the log is closed. Never rejects except for a bad `after` (`invalid_request`).
   * Every outcome removes the waiter and clears its timer.
   */
  waitForEvents(after: number, timeoutMs: number, signal?: AbortSignal): Promise<EventBatch> {
    if (!Number.isSafeInteger(after) || after < 0) {
      return Promise.reject(
        new ControlError('invalid_request', `after must be a non-negative integer, got ${after}`),
      );
    }
    // A position this log never reached belongs to an earlier run: start from the oldest kept.
    const from = after > this.lastSeq ? 0 : after;
    const ready = this.batchAfter(from);
    if (ready.events.length > 0 || this.isClosed || signal?.aborted === true) {
      return Promise.resolve(ready);
    }
    const delayMs = clampDelayMs(timeoutMs);
    if (delayMs === 0) return Promise.resolve(ready);

    return new Promise<EventBatch>((resolve) => {
      let isSettled = false;
      const settle = (): void => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', settle);
        this.waiters.delete(settle);
        resolve(this.batchAfter(from));
      };
      // Synchronous from the check above to here, so no publish can slip between them.
      this.waiters.add(settle);
      const timer = setTimeout(settle, delayMs);
      signal?.addEventListener('abort', settle, { once: true });
    });
  }

  /** Ends every pending wait with what it has (an empty batch); later waits do not wait. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const wake of [...this.waiters]) wake();
  }

  /** The kept events after `after`; `next` is the last one's seq (or the log's last seq). */
  private batchAfter(after: number): EventBatch {
    const oldest = this.ring[0]?.seq ?? this.lastSeq + 1;
    const start = Math.max(0, after + 1 - oldest);
    return { events: this.ring.slice(start), next: this.lastSeq };
  }
}

/**
 * setTimeout fires at once for delays past 2^31-1 ms; clamp (about 24.8 days) and floor at 0.
 * NaN counts as 0: no wait.
 */
function clampDelayMs(delayMs: number): number {
  if (Number.isNaN(delayMs)) return 0;
  return Math.min(Math.max(0, delayMs), 2 ** 31 - 1);
}
