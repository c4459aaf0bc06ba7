/**
 * Waiting for a block that is not stored yet (GET /blocks/{namespace}/{id}?waitMs=N, streaming
 * sync: a device fetches the blocks of an announced upload while the uploader still sends them).
 * Every newly stored block is published on the notification bus under its own topic, so a
 * reader on any server instance sharing the bus wakes within milliseconds, instead of asking
 * again and again. The subscription comes before the check (waitForChange), so a block stored
 * in between still wakes the reader.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { NotificationBus } from '../notify/index.js';
import { waitForChange } from '../notify/long-poll-waiter.js';

/** The bus topic of one block of one namespace (namespace topics are bare ids: no clash). */
export function blockTopic(namespace: NamespaceId, id: BlockId): string {
  return `block:${namespace}:${id}`;
}

/** Tells readers waiting for this block that it is stored. */
export async function publishBlockStored(
  bus: Pick<NotificationBus, 'publish'>,
  namespace: NamespaceId,
  id: BlockId,
): Promise<void> {
  await bus.publish({ topic: blockTopic(namespace, id), seq: 1 });
}

/** Resolves true once the namespace holds the block, false after `timeoutMs` or an abort. */
export async function waitForBlock(
  deps: { readonly bus: NotificationBus; readonly store: Pick<MetadataStore, 'hasBlock'> },
  input: {
    readonly namespace: NamespaceId;
    readonly id: BlockId;
    readonly timeoutMs: number;
    readonly signal: AbortSignal;
  },
): Promise<boolean> {
  const { namespace, id } = input;
  const has = () => deps.store.hasBlock(namespace, id);
  if (await has()) return true;
  const woken = await waitForChange({
    bus: deps.bus,
    topics: [blockTopic(namespace, id)],
    isNewer: has,
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  });
  return woken && (await has());
}
