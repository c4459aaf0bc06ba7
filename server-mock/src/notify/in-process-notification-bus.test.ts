import { describe, expect, it } from 'vitest';
import { InProcessNotificationBus } from './in-process-notification-bus.js';
import { describeNotificationBusContract } from './notification-bus.contract.js';

// Listener failures are expected in the contract suite; keep them out of the test output.
describeNotificationBusContract(
  'InProcessNotificationBus',
  async () => new InProcessNotificationBus({ onListenerError: () => undefined }),
);

describe('InProcessNotificationBus specifics', () => {
  it('reports a throwing listener to onListenerError with the message', async () => {
    const failures: Array<{ error: unknown; topic: string }> = [];
    const bus = new InProcessNotificationBus({
      onListenerError: (error, message) => failures.push({ error, topic: message.topic }),
    });
    const boom = new Error('boom');
    await bus.subscribe(['ns-1'], () => {
      throw boom;
    });
    await bus.publish({ topic: 'ns-1', seq: 1 });
    expect(failures).toEqual([{ error: boom, topic: 'ns-1' }]);
    await bus.close();
  });

  it('frees empty topics when their last subscription goes', async () => {
    const bus = new InProcessNotificationBus();
    const unsubscribes = await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        bus.subscribe([`ns-${i}`, 'shared'], () => undefined),
      ),
    );
    expect(bus.stats()).toEqual({ topics: 2_001, subscriptions: 4_000 });
    for (const unsubscribe of unsubscribes) unsubscribe();
    expect(bus.stats()).toEqual({ topics: 0, subscriptions: 0 });
    await bus.close();
  });

  it('lets a listener unsubscribe itself during delivery without skipping the others', async () => {
    const bus = new InProcessNotificationBus();
    const calls: string[] = [];
    const unsubscribeFirst = await bus.subscribe(['ns-1'], () => {
      calls.push('first');
      unsubscribeFirst();
    });
    await bus.subscribe(['ns-1'], () => calls.push('second'));
    await bus.publish({ topic: 'ns-1', seq: 1 });
    await bus.publish({ topic: 'ns-1', seq: 2 });
    expect(calls).toEqual(['first', 'second', 'second']);
    await bus.close();
  });

  it('refuses subscriptions after close', async () => {
    const bus = new InProcessNotificationBus();
    await bus.close();
    await expect(bus.subscribe(['ns-1'], () => undefined)).rejects.toThrow(/closed/);
  });
});
