/**
 * The behaviour every NotificationBus implementation must have (notification-bus.ts). Run it
 * from an implementation's test file: `describeNotificationBusContract('InProcess', makeBus)`.
 * Delivery may be asynchronous (a broker in between), so the suite waits on conditions, and it
 * proves a non-delivery by waiting for a later message on the same topic to reach a witness.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusMessage, NotificationBus } from './notification-bus.js';

/** Creates a fresh bus for one test; the suite closes it afterwards. */
export type MakeNotificationBus = () => Promise<NotificationBus>;

const WAIT = { timeout: 5_000, interval: 5 };

/** A listener that records what it receives. */
function recorder(): { received: BusMessage[]; listener: (message: BusMessage) => void } {
  const received: BusMessage[] = [];
  return { received, listener: (message) => received.push(message) };
}

/** Registers the shared NotificationBus suite under `describe(name)`. */
export function describeNotificationBusContract(name: string, makeBus: MakeNotificationBus): void {
  describe(`NotificationBus contract: ${name}`, () => {
    const opened: NotificationBus[] = [];
    const open = async (): Promise<NotificationBus> => {
      const bus = await makeBus();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('delivers a message to the subscribers of its topic, with topic and seq', async () => {
      const bus = await open();
      const first = recorder();
      const second = recorder();
      await bus.subscribe(['ns-1'], first.listener);
      await bus.subscribe(['ns-1'], second.listener);
      await bus.publish({ topic: 'ns-1', seq: 7 });
      await vi.waitFor(() => expect(second.received).toHaveLength(1), WAIT);
      await vi.waitFor(() => expect(first.received).toEqual([{ topic: 'ns-1', seq: 7 }]), WAIT);
    });

    it('does not deliver messages of other topics', async () => {
      const bus = await open();
      const other = recorder();
      const witness = recorder();
      await bus.subscribe(['ns-2'], other.listener);
      await bus.subscribe(['ns-1'], witness.listener);
      await bus.publish({ topic: 'ns-1', seq: 1 });
      await vi.waitFor(() => expect(witness.received).toHaveLength(1), WAIT);
      expect(other.received).toEqual([]);
    });

    it('delivers every topic of a multi-topic subscription, each message once', async () => {
      const bus = await open();
      const sub = recorder();
      await bus.subscribe(['ns-1', 'ns-2', 'ns-1'], sub.listener);
      await bus.publish({ topic: 'ns-1', seq: 1 });
      await bus.publish({ topic: 'ns-2', seq: 5 });
      await vi.waitFor(() => expect(sub.received).toHaveLength(2), WAIT);
      await bus.publish({ topic: 'ns-2', seq: 6 });
      await vi.waitFor(() => expect(sub.received).toHaveLength(3), WAIT);
      expect([...sub.received].sort((a, b) => a.seq - b.seq)).toEqual([
        { topic: 'ns-1', seq: 1 },
        { topic: 'ns-2', seq: 5 },
        { topic: 'ns-2', seq: 6 },
      ]);
    });

    it('stops delivering after unsubscribe, which is idempotent and leaves other subscriptions', async () => {
      const bus = await open();
      const gone = recorder();
      const witness = recorder();
      const unsubscribe = await bus.subscribe(['ns-1'], gone.listener);
      // The same function subscribed twice is two subscriptions.
      await bus.subscribe(['ns-1'], witness.listener);
      const unsubscribeWitnessCopy = await bus.subscribe(['ns-1'], witness.listener);
      unsubscribe();
      unsubscribe();
      unsubscribeWitnessCopy();
      await bus.publish({ topic: 'ns-1', seq: 1 });
      await vi.waitFor(() => expect(witness.received).toHaveLength(1), WAIT);
      expect(gone.received).toEqual([]);
    });

    it('keeps delivering to other subscribers when one listener throws', async () => {
      const bus = await open();
      const before = recorder();
      const after = recorder();
      await bus.subscribe(['ns-1'], before.listener);
      await bus.subscribe(['ns-1'], () => {
        throw new Error('listener failure');
      });
      await bus.subscribe(['ns-1'], after.listener);
      await expect(bus.publish({ topic: 'ns-1', seq: 1 })).resolves.toBeUndefined();
      await vi.waitFor(() => expect(after.received).toHaveLength(1), WAIT);
      expect(before.received).toHaveLength(1);
    });

    it('serves thousands of idle subscriptions and wakes only the published topic', async () => {
      const bus = await open();
      const counts = new Map<string, number>();
      for (let i = 0; i < 2_500; i++) {
        const topic = `ns-${i}`;
        await bus.subscribe([topic], () => counts.set(topic, (counts.get(topic) ?? 0) + 1));
      }
      await bus.publish({ topic: 'ns-1234', seq: 1 });
      await vi.waitFor(() => expect(counts.get('ns-1234')).toBe(1), WAIT);
      expect(counts.size).toBe(1);
    });

    it('drops subscriptions on close and ignores later publishes', async () => {
      const bus = await open();
      const sub = recorder();
      await bus.subscribe(['ns-1'], sub.listener);
      await bus.close();
      await expect(bus.publish({ topic: 'ns-1', seq: 1 })).resolves.toBeUndefined();
      expect(sub.received).toEqual([]);
    });
  });
}
