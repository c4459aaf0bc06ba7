/**
 * The journal and the activity feed: GET /changes/latest_cursor, GET /changes, GET
 * /notifications/longpoll, GET /activity (docs/protocol.md "Journal, cursors and long-poll").
 * An expired cursor is a result (the engine lists the tree again), not an error.
 */
import {
  MAX_LONGPOLL_TIMEOUT_S,
  MIN_LONGPOLL_TIMEOUT_S,
  type ActivityCursor,
  type ActivityResponse,
  type ChangeEntry,
  type ChangesResponse,
  type Cursor,
  type LatestCursorResponse,
  type LongPollResponse,
} from '../protocol/index.js';
import type { HttpTransport } from './http-transport.js';
import { RemoteError } from './remote-error.js';
import {
  activitySchema,
  changesSchema,
  latestCursorSchema,
  longPollSchema,
} from './response-schemas.js';

/**
 * A page of the journal, or `cursor_expired`: the cursor is older than the journal's retention;
 * take `getLatestCursor`, list the tree again, and go on from that cursor.
 */
export type ChangesResult =
  | {
      readonly kind: 'changes';
      readonly entries: readonly ChangeEntry[];
      readonly cursor: Cursor;
      readonly hasMore: boolean;
    }
  | { readonly kind: 'cursor_expired' };

/** What a long-poll came to. */
export interface LongPollResult {
  /** True when the journal moved past the cursor: read `listChanges`. */
  readonly changes: boolean;
  /** When the server asked for a pause before the next poll (it is shutting down), in ms. */
  readonly backoffMs?: number;
}

export interface ChangeApi {
  /** Where a new device starts listening; take it before the full listing. */
  getLatestCursor(signal: AbortSignal): Promise<Cursor>;
  /**
   * Journal entries after `cursor` (at most `limit`, default 1000): apply them in order, then go
   * on from the answer's `cursor` while `hasMore`.
   * @throws RemoteError `invalid_cursor`.
   */
  listChanges(
    request: { readonly cursor: Cursor; readonly limit?: number },
    signal: AbortSignal,
  ): Promise<ChangesResult>;
  /**
   * Waits until the journal passes `cursor`, or `timeoutSeconds` (1–480, default 30). The
   * client's own timeout is longer than that; abort `signal` to stop waiting at once.
   * @throws RemoteError `unauthorized` as soon as this device is signed out.
   */
  longPoll(
    request: { readonly cursor: Cursor; readonly timeoutSeconds?: number },
    signal: AbortSignal,
  ): Promise<LongPollResult>;
  /** User-facing events after `cursor` (an event id), oldest first. */
  listActivity(
    request: { readonly cursor?: ActivityCursor; readonly limit?: number },
    signal: AbortSignal,
  ): Promise<ActivityResponse>;
}

const DEFAULT_TIMEOUT_S = 30;

export function createChangeApi(transport: HttpTransport): ChangeApi {
  return {
    getLatestCursor: async (signal) =>
      (
        await transport.call<LatestCursorResponse>(
          {
            method: 'GET',
            path: '/changes/latest_cursor',
            what: 'read the latest cursor',
            signal,
          },
          latestCursorSchema,
        )
      ).cursor,

    async listChanges({ cursor, limit }, signal) {
      try {
        const page = await transport.call<ChangesResponse>(
          {
            method: 'GET',
            path: '/changes',
            query: { cursor, limit },
            what: 'read changes',
            signal,
          },
          changesSchema,
        );
        return {
          kind: 'changes',
          entries: page.entries,
          cursor: page.cursor,
          hasMore: page.hasMore,
        };
      } catch (error) {
        if (error instanceof RemoteError && error.code === 'cursor_expired') {
          return { kind: 'cursor_expired' };
        }
        throw error;
      }
    },

    async longPoll({ cursor, timeoutSeconds = DEFAULT_TIMEOUT_S }, signal) {
      if (
        !Number.isInteger(timeoutSeconds) ||
        timeoutSeconds < MIN_LONGPOLL_TIMEOUT_S ||
        timeoutSeconds > MAX_LONGPOLL_TIMEOUT_S
      ) {
        throw new RangeError(
          `timeoutSeconds must be ${MIN_LONGPOLL_TIMEOUT_S}–${MAX_LONGPOLL_TIMEOUT_S}`,
        );
      }
      const answer = await transport.call<LongPollResponse>(
        {
          method: 'GET',
          path: '/notifications/longpoll',
          query: { cursor, timeout: timeoutSeconds },
          timing: { longPollSeconds: timeoutSeconds },
          what: 'wait for changes',
          signal,
        },
        longPollSchema,
      );
      return answer.backoff === undefined
        ? { changes: answer.changes }
        : { changes: answer.changes, backoffMs: answer.backoff * 1000 };
    },

    listActivity: ({ cursor, limit }, signal) =>
      transport.call<ActivityResponse>(
        {
          method: 'GET',
          path: '/activity',
          query: { cursor, limit },
          what: 'read activity',
          signal,
        },
        activitySchema,
      ),
  };
}
