import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessNotificationBus } from './in-process-notification-bus.js';
import { waitForChange } from './long-poll-waiter.js';
import type { NotificationBus } from './notification-bus.js';

describe('waitForChange', () => {
  let bus: InProcessNotificationBus;
  afterEach(async () => {
    vi.useRealTimers();
    // Every outcome must leave no subscription behind.
    expect(bus.stats()).toEqual({ topics: 0, subscriptions: 0 });
    await bus.close();
  });
  const never = async (): Promise<boolean> => false;

  it('resolves true at once when the journal already has changes', async () => {
    bus = new InProcessNotificationBus();
    const woke = await waitForChange({
      bus,
      topics: ['ns-1'],
      isNewer: async () => true,
      timeoutMs: 60_000,
    });
    expect(woke).toBe(true);
  });

  it('resolves true when a message arrives on one of its topics', async () => {
    bus = new InProcessNotificationBus();
    const waiting = waitForChange({
      bus,
      topics: ['ns-1', 'ns-2'],
      isNewer: never,
      timeoutMs: 60_000,
    });
    await vi.waitFor(() => expect(bus.stats().subscriptions).toBe(2));
    await bus.publish({ topic: 'ns-3', seq: 1 });
    await bus.publish({ topic: 'ns-2', seq: 4 });
    expect(await waiting).toBe(true);
  });

  it('does not lose a commit that lands between the journal check and the wait', async () => {
    bus = new InProcessNotificationBus();
    // The commit happens while isNewer is reading the (still old) journal: a waiter that
    // subscribed only after the check would sleep until the timeout.
    const isNewer = async (): Promise<boolean> => {
      await bus.publish({ topic: 'ns-1', seq: 9 });
      return false;
    };
    const started = Date.now();
    expect(await waitForChange({ bus, topics: ['ns-1'], isNewer, timeoutMs: 30_000 })).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('resolves false on timeout', async () => {
    bus = new InProcessNotificationBus();
    expect(await waitForChange({ bus, topics: ['ns-1'], isNewer: never, timeoutMs: 20 })).toBe(
      false,
    );
  });

  it('resolves false when the signal aborts (server shutdown releases long-polls)', async () => {
    bus = new InProcessNotificationBus();
    const controller = new AbortController();
    const waiting = waitForChange({
      bus,
      topics: ['ns-1'],
      isNewer: never,
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(bus.stats().subscriptions).toBe(1));
    controller.abort();
    expect(await waiting).toBe(false);
  });

  it('resolves false without subscribing when the signal is already aborted', async () => {
    bus = new InProcessNotificationBus();
    const isNewer = vi.fn(never);
    const woke = await waitForChange({
      bus,
      topics: ['ns-1'],
      isNewer,
      timeoutMs: 60_000,
      signal: AbortSignal.abort(),
    });
    expect(woke).toBe(false);
    expect(isNewer).not.toHaveBeenCalled();
  });

  it('clears its timer whichever way it ends', async () => {
    bus = new InProcessNotificationBus();
    vi.useFakeTimers();
    const waiting = waitForChange({ bus, topics: ['ns-1'], isNewer: never, timeoutMs: 60_000 });
    await vi.waitFor(() => expect(bus.stats().subscriptions).toBe(1));
    expect(vi.getTimerCount()).toBe(1);
    await bus.publish({ topic: 'ns-1', seq: 1 });
    expect(await waiting).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects, and unsubscribes, when isNewer fails', async () => {
    bus = new InProcessNotificationBus();
    const isNewer = async (): Promise<boolean> => {
      throw new Error('journal unavailable');
    };
    await expect(
      waitForChange({ bus, topics: ['ns-1'], isNewer, timeoutMs: 60_000 }),
    ).rejects.toThrow('journal unavailable');
  });

  it('drops a subscription that arrives after the wait already ended', async () => {
    bus = new InProcessNotificationBus();
    let finishSubscribe: () => void = () => undefined;
    // A bus whose subscribe is slow (a remote broker): the timeout fires first.
    const slowBus: NotificationBus = {
      publish: (message) => bus.publish(message),
      close: () => bus.close(),
      subscribe: async (topics, listener) => {
        await new Promise<void>((resolve) => (finishSubscribe = resolve));
        return bus.subscribe(topics, listener);
      },
    };
    expect(
      await waitForChange({ bus: slowBus, topics: ['ns-1'], isNewer: never, timeoutMs: 5 }),
    ).toBe(false);
    finishSubscribe();
    await vi.waitFor(() => expect(bus.stats().subscriptions).toBe(0));
  });
});
