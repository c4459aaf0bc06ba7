/**
 * Sharing: turning a folder into a shared namespace, and mounting it in recipients' roots.
 * A shared folder is its own namespace (own journal, own data key); each member's root holds a
 * mount folder pointing at it: the owner's at the folder's old path, a recipient's at `/NAME`.
 */
import type {
  BlockId,
  NamespaceId,
  RemotePath,
  ShareId,
  ShareRole,
  UserId,
} from '../../../sync-engine/src/protocol/index.js';
import type { Actor, ShareRecord } from './records.js';

/** A block re-encoded for the new namespace, already durable in the block store. */
export interface ReencodedBlock {
  readonly id: BlockId;
  readonly plainSize: number;
  readonly encodedSize: number;
}

export interface ConvertFolderInput {
  readonly root: NamespaceId;
  readonly folder: RemotePath;
  readonly newNamespace: NamespaceId;
  readonly wrappedKey: Uint8Array;
  /** Blocks of every version below the folder, re-encoded under the new key. */
  readonly blocks: ReadonlyMap<BlockId, ReencodedBlock>;
  readonly actor: Actor;
}

export type ConvertFolderOutcome =
  | { readonly kind: 'converted'; readonly rootSeq: number; readonly namespaceSeq: number }
  /** Versions committed meanwhile name blocks not re-encoded yet: re-encode those, retry. */
  | { readonly kind: 'need_blocks'; readonly missing: BlockId[] }
  | { readonly kind: 'path_conflict'; readonly message: string };

export interface MountOutcome {
  readonly share: ShareRecord;
  /** Where the folder appeared in the recipient's root. */
  readonly mountPath: RemotePath;
  readonly recipientRoot: NamespaceId;
  readonly seq: number;
}

export interface ShareStore {
  /** Distinct blocks named by any version of any file (live or deleted) below `folder`. */
  listBlocksUnder(namespace: NamespaceId, folder: RemotePath): Promise<BlockId[]>;
  /** Moves everything below `folder` into a new namespace and mounts it at `folder`. */
  convertFolderToNamespace(input: ConvertFolderInput): Promise<ConvertFolderOutcome>;
  /**
   * Shares `namespace` with `recipientId`: a share row plus a mount at `/<name>` (or
   * `/<name> (2)`, …) in the recipient's root. `already_shared` when they have it.
   */
  createShare(input: {
    id: ShareId;
    namespace: NamespaceId;
    ownerId: UserId;
    recipientId: UserId;
    role: ShareRole;
    name: string;
    actor: Actor;
  }): Promise<MountOutcome | 'already_shared'>;
  getShare(id: ShareId): Promise<ShareRecord | undefined>;
  /** Shares whose namespace `userId` owns, or that `userId` received. */
  listShares(userId: UserId): Promise<{ owned: ShareRecord[]; received: ShareRecord[] }>;
  /** Changes the role; the recipient's mount shows it (journaled). */
  updateShareRole(id: ShareId, role: ShareRole, actor: Actor): Promise<MountOutcome | undefined>;
  /** Removes the share and the recipient's mount (journaled as a deletion). */
  deleteShare(id: ShareId, actor: Actor): Promise<MountOutcome | undefined>;
  /** Where `namespace` is mounted in `userId`'s root, if it is. */
  mountPathOf(userId: UserId, namespace: NamespaceId): Promise<RemotePath | undefined>;
}
