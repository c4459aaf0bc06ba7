/**
 * The Redis bus against a real redis-server on loopback: the shared contract, then what only
 * several instances and a broker can show (a publish on one instance wakes a subscriber of
 * another within 100 ms; a Redis restart loses no wake-up for a waiter that keeps waiting).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis, type RedisService } from '../../test/services/redis-service.js';
import { waitForChange } from './long-poll-waiter.js';
import { describeNotificationBusContract } from './notification-bus.contract.js';
import { RedisNotificationBus } from './redis-notification-bus.js';

let redis: RedisService;
let prefixes = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** A bus of its own channel namespace, so that tests never hear each other. */
async function openBus(prefix = `t${++prefixes}:`): Promise<RedisNotificationBus> {
  const bus = new RedisNotificationBus({
    url: redis.url,
    channelPrefix: prefix,
    onListenerError: () => undefined,
    onError: () => undefined,
  });
  await bus.ready();
  return bus;
}

describeNotificationBusContract('RedisNotificationBus', () => openBus());

describe('RedisNotificationBus across instances', () => {
  it('wakes a long-poll held by instance A within 100 ms of a publish on instance B', async () => {
    const a = await openBus('shared1:');
    const b = await openBus('shared1:');
    const probe = new Redis(redis.url);
    try {
      const delays: number[] = [];
      for (let round = 0; round < 20; round++) {
        let published = 0;
        const woken = waitForChange({
          bus: a,
          topics: [`ns-${round}`],
          isNewer: async () => false,
          timeoutMs: 5_000,
        }).then((value) => {
          delays.push(performance.now() - published);
          return value;
        });
        // Publish once Redis holds A's subscription (A counting the topic is not enough: its
        // SUBSCRIBE may still be on the way, and a message before it reaches nobody).
        await vi.waitFor(
          async () => {
            const [, count] = (await probe.pubsub('NUMSUB', `shared1:ns-${round}`)) as [
              string,
              number,
            ];
            expect(count).toBe(1);
          },
          { interval: 1 },
        );
        published = performance.now();
        await b.publish({ topic: `ns-${round}`, seq: round + 1 });
        expect(await woken).toBe(true);
      }
      delays.sort((x, y) => x - y);
      expect(delays.at(-1)).toBeLessThan(100);
    } finally {
      probe.disconnect();
      await a.close();
      await b.close();
    }
  });

  it('wakes every waiter once Redis is back after a restart, and delivers again', async () => {
    const a = await openBus('shared2:');
    const b = await openBus('shared2:');
    try {
      const woken = waitForChange({
        bus: a,
        topics: ['ns-1'],
        isNewer: async () => false,
        timeoutMs: 30_000,
      });
      await vi.waitFor(() => expect(a.stats().topics).toBe(1));
      await redis.kill();
      // Published while Redis is away: lost on the wire, and the commit does not wait.
      const started = performance.now();
      await b.publish({ topic: 'ns-1', seq: 2 });
      expect(performance.now() - started).toBeLessThan(50);
      await vi.waitFor(() => expect(a.isHealthy()).toBe(false));
      await redis.start();
      // The waiter is woken by the reconnect, so it re-reads the journal and finds seq 2.
      expect(await woken).toBe(true);
      await vi.waitFor(() => expect(a.isHealthy() && b.isHealthy()).toBe(true), {
        timeout: 10_000,
      });
      const received: number[] = [];
      await a.subscribe(['ns-9'], (message) => received.push(message.seq));
      await b.publish({ topic: 'ns-9', seq: 3 });
      await vi.waitFor(() => expect(received).toEqual([3]), { timeout: 5_000 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
