/**
 * Pub/sub between the code that commits and the long-polls waiting for commits. Topics are
 * namespace ids: a commit publishes on its namespace; a user's long-poll subscribes to every
 * namespace that user can see, and to its device's sign-out topic (auth/device-sessions.ts). With several server instances the bus is the only thing they
 * share for wake-ups (Redis or NATS later), so messages carry no state: a woken long-poll
 * re-reads the journal.
 *
 * Implementations: InProcessNotificationBus (embedded default). Every implementation passes
 * notification-bus.contract.ts.
 */

/** What a publisher says: the topic moved on to journal position `seq` (monotonic per topic). */
export interface BusMessage {
  readonly topic: string;
  readonly seq: number;
}

export type BusListener = (message: BusMessage) => void;

export interface NotificationBus {
  /** Delivers `message` to every current subscriber of `message.topic` (at most once each). */
  publish(message: BusMessage): Promise<void>;
  /**
   * Calls `listener` for each message on any of `topics` until the returned function is called.
   * Subscribing must be cheap: thousands of idle long-polls each hold one subscription.
   */
  subscribe(topics: readonly string[], listener: BusListener): Promise<() => void>;
  /** Drops every subscription; further publishes are ignored. */
  close(): Promise<void>;
}
