/**
 * NotificationBus over Redis pub/sub, for several server instances: a commit on one instance
 * wakes the long-polls held by all of them. Each instance keeps one publishing and one
 * subscribing connection; its own subscribers are fanned out in process (an
 * InProcessNotificationBus), and Redis is subscribed to a topic once, while any local
 * subscriber wants it. Messages carry no state (notification-bus.ts), so Redis being away
 * loses no change: publishes meanwhile are dropped (a commit never waits for Redis), and when
 * the subscribing connection is back (ioredis reconnects and resubscribes) every local
 * subscriber is woken once to re-read the journal from its cursor.
 */
import { Redis } from 'ioredis';
import {
  InProcessNotificationBus,
  type BusStats,
  type ListenerErrorHandler,
} from './in-process-notification-bus.js';
import type { BusListener, BusMessage, NotificationBus } from './notification-bus.js';

/** Options of {@link RedisNotificationBus}. */
export interface RedisNotificationBusOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS). */
  readonly url: string;
  /** Channel names are this prefix and the topic (default `ferry:`): one Redis, many uses. */
  readonly channelPrefix?: string;
  readonly onListenerError?: ListenerErrorHandler;
  /** Connection trouble (Redis down, a refused publish); the default writes one line to stderr. */
  readonly onError?: (error: unknown) => void;
}

export class RedisNotificationBus implements NotificationBus {
  private readonly local: InProcessNotificationBus;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly onError: (error: unknown) => void;
  /** Local subscriptions per topic: Redis is subscribed while the count is above zero. */
  private readonly counts = new Map<string, number>();
  private wasReady = false;
  private isClosed = false;

  constructor(options: RedisNotificationBusOptions) {
    this.prefix = options.channelPrefix ?? 'ferry:';
    this.onError = options.onError ?? reportRedisError;
    this.local = new InProcessNotificationBus(
      options.onListenerError === undefined ? {} : { onListenerError: options.onListenerError },
    );
    // A publish while Redis is away fails at once instead of queueing (see the file comment).
    this.publisher = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.subscriber = new Redis(options.url, { autoResubscribe: true, lazyConnect: false });
    this.publisher.on('error', (error) => this.onError(error));
    this.subscriber.on('error', (error) => this.onError(error));
    this.subscriber.on('message', (channel: string, text: string) => {
      if (!channel.startsWith(this.prefix)) return;
      void this.local.publish({ topic: channel.slice(this.prefix.length), seq: Number(text) });
    });
    this.subscriber.on('ready', () => {
      if (this.wasReady) this.wakeEveryone();
      this.wasReady = true;
    });
  }

  /** Resolves once both connections are up, or rejects after `timeoutMs`. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const up = (client: Redis) =>
      client.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => client.once('ready', () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([up(this.publisher), up(this.subscriber)]),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Local topics and (subscription, topic) pairs, as InProcessNotificationBus counts them. */
  stats(): BusStats {
    return this.local.stats();
  }

  /** True while both connections are up (for /healthz). */
  isHealthy(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async publish(message: BusMessage): Promise<void> {
    if (this.isClosed) return;
    this.publisher
      .publish(this.prefix + message.topic, String(message.seq))
      .catch((error: unknown) => this.onError(error));
  }

  async subscribe(topics: readonly string[], listener: BusListener): Promise<() => void> {
    if (this.isClosed) throw new Error('the notification bus is closed');
    const unique = [...new Set(topics)];
    const unsubscribeLocally = await this.local.subscribe(unique, listener);
    const fresh = unique.filter((topic) => {
      const count = this.counts.get(topic) ?? 0;
      this.counts.set(topic, count + 1);
      return count === 0;
    });
    if (fresh.length > 0) {
      const subscribed = this.subscriber.subscribe(...fresh.map((topic) => this.prefix + topic));
      // Connected: the subscription holds before the caller checks the journal (the
      // lost-wake-up race). Away: it is sent on reconnect, which wakes everyone anyway.
      if (this.subscriber.status === 'ready')
        await subscribed.catch((error) => this.onError(error));
      else subscribed.catch((error: unknown) => this.onError(error));
    }
    let isDone = false;
    return () => {
      if (isDone) return;
      isDone = true;
      unsubscribeLocally();
      const stale: string[] = [];
      for (const topic of unique) {
        const count = (this.counts.get(topic) ?? 1) - 1;
        if (count > 0) this.counts.set(topic, count);
        else {
          this.counts.delete(topic);
          stale.push(topic);
        }
      }
      if (stale.length > 0 && !this.isClosed) {
        this.subscriber
          .unsubscribe(...stale.map((topic) => this.prefix + topic))
          .catch((error: unknown) => this.onError(error));
      }
    };
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.counts.clear();
    await this.local.close();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  /** After a reconnect: whatever was published meanwhile reached nobody here. */
  private wakeEveryone(): void {
    for (const topic of this.counts.keys()) void this.local.publish({ topic, seq: 0 });
  }
}

function reportRedisError(error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`notification bus: Redis: ${reason}`);
}
