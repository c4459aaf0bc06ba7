/**
 * The activity feed: user-facing events (who added, edited, deleted, moved, shared what), written
 * in the same transaction as the change they describe.
 */
import type { ActivityKind, NamespaceId, UserId } from 'sync-engine/protocol';

export interface EventRecord {
  readonly id: number;
  readonly namespace: NamespaceId;
  readonly kind: ActivityKind;
  readonly path: string;
  readonly fromPath: string | null;
  readonly actorId: UserId;
  readonly actorName: string;
  readonly deviceName: string | null;
  readonly timeMs: number;
}

export interface ActivityStore {
  /** Events of the given namespaces with id > `afterId`, oldest first. */
  listEvents(
    namespaces: readonly NamespaceId[],
    afterId: number,
    limit: number,
  ): Promise<EventRecord[]>;
}
