/**
 * Wake-ups between commits and long-polls: the NotificationBus interface, its in-process default,
 * the Redis one for several instances, and the long-poll wait built on it. Imports nothing but its own files: no HTTP, metadata or
 * block code.
 */
export type { BusListener, BusMessage, NotificationBus } from './notification-bus.js';
export {
  InProcessNotificationBus,
  type BusStats,
  type InProcessNotificationBusOptions,
  type ListenerErrorHandler,
} from './in-process-notification-bus.js';
export {
  RedisNotificationBus,
  type RedisNotificationBusOptions,
} from './redis-notification-bus.js';
export { waitForChange, type WaitForChangeOptions } from './long-poll-waiter.js';
