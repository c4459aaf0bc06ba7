/**
 * The embedded default NotificationBus: a map from topic to the set of its subscriptions, in
 * this process only. Memory is one Set entry per (subscription, topic); a publish touches only
 * the subscribers of its topic, so thousands of idle long-polls cost nothing per commit.
 */
import type { BusListener, BusMessage, NotificationBus } from './notification-bus.js';

/** Called when a listener throws; the default writes one line to stderr. */
export type ListenerErrorHandler = (error: unknown, message: BusMessage) => void;

/** Options of InProcessNotificationBus. */
export interface InProcessNotificationBusOptions {
  /** Where listener failures go (they never reach the publisher or other listeners). */
  readonly onListenerError?: ListenerErrorHandler;
}

/** Counts for /metrics: topics with subscribers, and (subscription, topic) pairs. */
export interface BusStats {
  readonly topics: number;
  readonly subscriptions: number;
}

/**
 * One subscription. An object per subscribe call (not the bare listener), so the same function
 * subscribed twice is two subscriptions and unsubscribing one leaves the other.
 */
interface Subscription {
  readonly listener: BusListener;
}

/** NotificationBus inside one process (see file comment). */
export class InProcessNotificationBus implements NotificationBus {
  private readonly byTopic = new Map<string, Set<Subscription>>();
  private readonly onListenerError: ListenerErrorHandler;
  private isClosed = false;

  constructor(options: InProcessNotificationBusOptions = {}) {
    this.onListenerError = options.onListenerError ?? reportListenerError;
  }

  /** Calls every current subscriber of the topic synchronously, before the promise resolves. */
  async publish(message: BusMessage): Promise<void> {
    if (this.isClosed) return;
    const subscriptions = this.byTopic.get(message.topic);
    if (subscriptions === undefined) return;
    // A copy: listeners commonly unsubscribe (a woken long-poll) while we iterate.
    for (const subscription of [...subscriptions]) {
      try {
        subscription.listener(message);
      } catch (error) {
        this.onListenerError(error, message);
      }
    }
  }

  async subscribe(topics: readonly string[], listener: BusListener): Promise<() => void> {
    if (this.isClosed) throw new Error('the notification bus is closed');
    const subscription: Subscription = { listener };
    // Deduplicated: a subscription gets a message at most once even if a topic is listed twice.
    const uniqueTopics = [...new Set(topics)];
    for (const topic of uniqueTopics) {
      let subscriptions = this.byTopic.get(topic);
      if (subscriptions === undefined) {
        subscriptions = new Set();
        this.byTopic.set(topic, subscriptions);
      }
      subscriptions.add(subscription);
    }
    return () => {
      for (const topic of uniqueTopics) {
        const subscriptions = this.byTopic.get(topic);
        if (subscriptions === undefined) continue;
        subscriptions.delete(subscription);
        // Drop empty topics so the map does not grow with every namespace ever watched.
        if (subscriptions.size === 0) this.byTopic.delete(topic);
      }
    };
  }

  /** How many topics and (subscription, topic) pairs are live. */
  stats(): BusStats {
    let subscriptions = 0;
    for (const set of this.byTopic.values()) subscriptions += set.size;
    return { topics: this.byTopic.size, subscriptions };
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.byTopic.clear();
  }
}

function reportListenerError(error: unknown, message: BusMessage): void {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`notification bus: a listener of topic ${message.topic} failed: ${reason}`);
}
