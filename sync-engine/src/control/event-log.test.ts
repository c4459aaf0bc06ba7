import { describe, expect, it } from 'vitest';
import { ControlError, type EngineEvent } from './contract.js';
import { EventLog } from './event-log.js';

const synced = (path: string): EngineEvent => ({ type: 'synced', action: 'upload', path });
const pathsOf = (batch: { events: readonly { event: EngineEvent }[] }) =>
  batch.events.map(({ event }) => (event.type === 'synced' ? event.path : event.type));

/** A clock that moves only when told. */
function manualClock(startMs = 1_700_000_000_000) {
  let nowMs = startMs;
  return { nowMs: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('EventLog', () => {
  it('numbers events 1, 2, 3… and stamps them with the clock', () => {
    const clock = manualClock();
    const log = new EventLog({ clock });
    const first = log.publish(synced('/a'));
    clock.advance(250);
    const second = log.publish({ type: 'state', state: 'idle' });
    expect(first).toEqual({ seq: 1, timeMs: 1_700_000_000_000, event: synced('/a') });
    expect(second).toEqual({
      seq: 2,
      timeMs: 1_700_000_000_250,
      event: { type: 'state', state: 'idle' },
    });
    expect(log.lastSequence).toBe(2);
  });

  it('answers at once with the events after `after`, oldest first, and next = the last seq', async () => {
    const log = new EventLog();
    for (const path of ['/a', '/b', '/c', '/d']) log.publish(synced(path));
    const all = await log.waitForEvents(0, 60_000);
    expect(pathsOf(all)).toEqual(['/a', '/b', '/c', '/d']);
    expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(all.next).toBe(4);
    const tail = await log.waitForEvents(2, 60_000);
    expect(pathsOf(tail)).toEqual(['/c', '/d']);
    expect(tail.next).toBe(4);
    expect(log.waiterCount).toBe(0);
  });

  it('keeps only the last `capacity` events: an old `after` gets what is left, with a visible gap', async () => {
    const log = new EventLog({ capacity: 3 });
    for (const path of ['/1', '/2', '/3', '/4', '/5']) log.publish(synced(path));
    const batch = await log.waitForEvents(1, 0);
    expect(pathsOf(batch)).toEqual(['/3', '/4', '/5']);
    // The reader asked after 1 and got 3 first: it can tell that 2 was dropped.
    expect(batch.events[0]?.seq).toBe(3);
    expect(batch.next).toBe(5);
    expect(pathsOf(await log.waitForEvents(4, 0))).toEqual(['/5']);
  });

  it('reads a position past the last event (an earlier run of the engine) as 0', async () => {
    const log = new EventLog();
    log.publish(synced('/a'));
    const batch = await log.waitForEvents(500, 60_000);
    expect(pathsOf(batch)).toEqual(['/a']);
    expect(batch.next).toBe(1);
    const empty = new EventLog();
    expect(await empty.waitForEvents(7, 0)).toEqual({ events: [], next: 0 });
  });

  it('waits until an event is published, then returns just the new ones', async () => {
    const log = new EventLog();
    log.publish(synced('/old'));
    const waiting = log.waitForEvents(1, 60_000);
    expect(log.waiterCount).toBe(1);
    log.publish(synced('/new'));
    const batch = await waiting;
    expect(pathsOf(batch)).toEqual(['/new']);
    expect(batch.next).toBe(2);
    expect(log.waiterCount).toBe(0);
  });

  it('wakes every waiter with one publish, each with its own events', async () => {
    const log = new EventLog();
    log.publish(synced('/a'));
    log.publish(synced('/b'));
    const fromB = log.waitForEvents(2, 60_000);
    const fromC = log.waitForEvents(2, 60_000);
    const fromNothing = log.waitForEvents(0, 60_000); // answered at once
    expect(pathsOf(await fromNothing)).toEqual(['/a', '/b']);
    expect(log.waiterCount).toBe(2);
    log.publish(synced('/c'));
    expect(pathsOf(await fromB)).toEqual(['/c']);
    expect(pathsOf(await fromC)).toEqual(['/c']);
    expect(log.waiterCount).toBe(0);
  });

  it('returns an empty batch at the timeout and leaves nothing behind', async () => {
    const log = new EventLog();
    log.publish(synced('/a'));
    const startedMs = performance.now();
    const batch = await log.waitForEvents(1, 50);
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(45);
    expect(batch).toEqual({ events: [], next: 1 });
    expect(log.waiterCount).toBe(0);
  });

  it('answers a zero (or NaN) timeout at once', async () => {
    const log = new EventLog();
    expect(await log.waitForEvents(0, 0)).toEqual({ events: [], next: 0 });
    expect(await log.waitForEvents(0, Number.NaN)).toEqual({ events: [], next: 0 });
    expect(log.waiterCount).toBe(0);
  });

  it('ends the wait with an empty batch when the signal aborts, and removes the waiter', async () => {
    const log = new EventLog();
    const controller = new AbortController();
    const waiting = log.waitForEvents(0, 60_000, controller.signal);
    expect(log.waiterCount).toBe(1);
    controller.abort();
    expect(await waiting).toEqual({ events: [], next: 0 });
    expect(log.waiterCount).toBe(0);
    // An event after the abort is kept for the next reader, not lost to the aborted one.
    log.publish(synced('/later'));
    expect(pathsOf(await log.waitForEvents(0, 0))).toEqual(['/later']);
  });

  it('does not wait at all on an already aborted signal', async () => {
    const log = new EventLog();
    const batch = await log.waitForEvents(0, 60_000, AbortSignal.abort());
    expect(batch).toEqual({ events: [], next: 0 });
    expect(log.waiterCount).toBe(0);
  });

  it('close() ends pending waits with what they have; later waits return at once', async () => {
    const log = new EventLog();
    const waiting = log.waitForEvents(0, 60_000);
    log.close();
    expect(await waiting).toEqual({ events: [], next: 0 });
    expect(log.waiterCount).toBe(0);
    log.publish({ type: 'state', state: 'stopped' });
    const late = await log.waitForEvents(0, 60_000);
    expect(pathsOf(late)).toEqual(['state']);
    expect(await log.waitForEvents(1, 60_000)).toEqual({ events: [], next: 1 });
  });

  it('refuses a negative or fractional `after` and a capacity below 1', async () => {
    const log = new EventLog();
    for (const after of [-1, 1.5, Number.NaN]) {
      const failure = log.waitForEvents(after, 0);
      await expect(failure).rejects.toBeInstanceOf(ControlError);
      await expect(failure).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    }
    expect(log.waiterCount).toBe(0);
    expect(() => new EventLog({ capacity: 0 })).toThrow('capacity must be a positive integer');
  });

  it('stays consistent over many publishes past capacity', async () => {
    const log = new EventLog({ capacity: 10 });
    for (let i = 1; i <= 1_000; i++) log.publish(synced(`/f${i}`));
    const batch = await log.waitForEvents(0, 0);
    expect(batch.events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 991 + i));
    expect(batch.next).toBe(1_000);
  });
});
