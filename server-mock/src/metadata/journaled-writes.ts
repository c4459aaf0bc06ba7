/**
 * The one path from a journaled write to its wake-up: the store is wrapped so that every write
 * that moved a namespace's journal publishes the new position on the bus as soon as the write
 * returns, whoever called it (a route, a batch, the storage policy, a share conversion). What
 * each write journals is a table over every write method of MetadataStore (JOURNAL_HEADS), so a
 * new write does not compile until it says which positions it moves, or that it moves none; a
 * route can no longer forget to publish, and with several instances the bus carries every one.
 */
import type { NamespaceId } from 'sync-engine/protocol';
import type { NotificationBus } from '../notify/index.js';
import type { MetadataStore } from './metadata-store.js';
import type { WriteMethod } from './method-kinds.js';

/** A namespace's journal moved on to `seq`. */
export interface JournalHead {
  readonly namespace: NamespaceId;
  readonly seq: number;
}

type Method<M extends WriteMethod> = MetadataStore[M] extends (...args: infer A) => Promise<infer R>
  ? { readonly args: A; readonly result: R }
  : never;

/** The journal positions a call moved, from its arguments and its answer. */
type HeadsOf<M extends WriteMethod> = (
  args: Method<M>['args'],
  result: Method<M>['result'],
) => readonly JournalHead[];

const NONE = null;
const one = (namespace: NamespaceId, seq: number): JournalHead[] => [{ namespace, seq }];

/** Per write method: the positions it journals, or null for a write that journals nothing. */
export const JOURNAL_HEADS: { readonly [M in WriteMethod]: HeadsOf<M> | null } = {
  createUser: NONE,
  setUserQuota: NONE,
  createDevice: NONE,
  // A sign-out wakes its device's long-poll on its own topic (device-routes.ts): not a journal.
  revokeDevice: NONE,
  touchDevice: NONE,
  createNamespace: NONE,
  recordBlock: NONE,
  touchBlocks: NONE,
  setBlockTier: NONE,
  forgetUnreferencedBlock: NONE,
  createUploadSession: NONE,
  setUploadReceived: NONE,
  deleteUploadSession: NONE,
  reserveQuota: NONE,
  releaseQuota: NONE,
  expireQuotaReservations: NONE,
  beginFolderConversion: NONE,
  pinConvertedBlock: NONE,
  convertFolderToNamespace: ([input], result) =>
    result.kind === 'converted'
      ? [
          { namespace: input.root, seq: result.rootSeq },
          { namespace: input.newNamespace, seq: result.namespaceSeq },
        ]
      : [],
  convertNamespaceToFolder: ([input], result) =>
    result.kind === 'converted' ? one(input.root, result.rootSeq) : [],
  abandonFolderConversion: NONE,
  abandonIdleFolderConversions: NONE,
  createShare: (_args, result) =>
    typeof result === 'object' ? one(result.recipientRoot, result.seq) : [],
  updateShareRole: (_args, result) =>
    result === undefined ? [] : one(result.recipientRoot, result.seq),
  deleteShare: (_args, result) =>
    result === undefined ? [] : one(result.recipientRoot, result.seq),
  commitFile: ([input], result) =>
    result.kind === 'committed' ? one(input.namespace, result.seq) : [],
  commitFiles: ([inputs], results) =>
    results.flatMap((result, i) =>
      result.kind === 'committed' && inputs[i] !== undefined
        ? one(inputs[i].namespace, result.seq)
        : [],
    ),
  announceFile: ([input], result) =>
    result.kind === 'committed' ? one(input.namespace, result.seq) : [],
  createFolder: ([namespace], result) =>
    result.kind === 'created' ? one(namespace, result.seq) : [],
  deleteEntry: ([namespace], result) =>
    result.kind === 'deleted' ? one(namespace, result.seq) : [],
  moveEntry: ([input], result) => (result.kind === 'moved' ? one(input.namespace, result.seq) : []),
  // Pruning drops tombstones and raises prunedSeq: nothing new to fetch.
  pruneJournal: NONE,
  dropVersions: NONE,
  expirePendingFiles: (_args, heads) => heads,
  close: NONE,
};

/**
 * `store` with every journaled write publishing its positions on `bus` (the highest per
 * namespace, once) before the write's promise resolves.
 */
export function withJournalPublishing(store: MetadataStore, bus: NotificationBus): MetadataStore {
  const wrapped: Record<string, unknown> = { ...store };
  const source = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const [name, headsOf] of Object.entries(JOURNAL_HEADS)) {
    if (headsOf === null) continue;
    const method = source[name]!;
    const heads = headsOf as (args: unknown[], result: unknown) => readonly JournalHead[];
    wrapped[name] = async (...args: unknown[]) => {
      const result = await method.apply(store, args);
      const highest = new Map<NamespaceId, number>();
      for (const head of heads(args, result)) {
        highest.set(head.namespace, Math.max(highest.get(head.namespace) ?? 0, head.seq));
      }
      for (const [topic, seq] of highest) await bus.publish({ topic, seq });
      return result;
    };
  }
  return wrapped as unknown as MetadataStore;
}
