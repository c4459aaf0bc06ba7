/**
 * Sharing: turning a folder into a shared namespace, mounting it in recipients' roots, and
 * turning it back into a plain folder when its last share goes. A shared folder is its own
 * namespace (own journal, own data key); each member's root holds a mount folder pointing at
 * it: the owner's at the folder's old path, a recipient's at `/NAME`. Conversions either way
 * are recorded here while they run and pin the blocks they write against garbage collection.
 */
import type {
  BlockId,
  NamespaceId,
  RemotePath,
  ShareId,
  ShareRole,
  UserId,
} from 'sync-engine/protocol';
import type { Actor, ShareRecord } from './records.js';

/** What a folder conversion does: share (root folder → namespace) or unshare (the way back). */
export type FolderConversionKind = 'share' | 'unshare';

export interface BeginFolderConversionInput {
  readonly id: string;
  readonly kind: FolderConversionKind;
  /** Where the blocks are read from: the root (share) or the shared namespace (unshare). */
  readonly source: NamespaceId;
  /** Where re-encoded blocks are pinned: the new namespace (share) or the owner's root. */
  readonly target: NamespaceId;
  /** For a share: the new namespace's row is created with this owner and wrapped key. */
  readonly newNamespace?: { readonly ownerId: UserId; readonly wrappedKey: Uint8Array };
  readonly nowMs: number;
}

export interface PinConvertedBlockInput {
  readonly conversionId: string;
  /** The conversion's target namespace. */
  readonly namespace: NamespaceId;
  readonly id: BlockId;
  /** Sizes for a new row; without them only an existing row is pinned. */
  readonly sizes?: { readonly plainSize: number; readonly encodedSize: number };
  readonly nowMs: number;
}

/**
 * `pinned`: the block's row holds one reference for the conversion (GC cannot collect it);
 * `absent`: no row and no sizes given; `abandoned`: the conversion is gone (abandoned as idle).
 */
export type PinOutcome = 'pinned' | 'absent' | 'abandoned';

export interface ConvertFolderInput {
  readonly conversionId: string;
  readonly root: NamespaceId;
  readonly folder: RemotePath;
  /** The conversion's target, created by beginFolderConversion. */
  readonly newNamespace: NamespaceId;
  readonly actor: Actor;
}

export type ConvertFolderOutcome =
  | { readonly kind: 'converted'; readonly rootSeq: number; readonly namespaceSeq: number }
  /** Versions committed meanwhile name blocks not pinned yet: re-encode those, retry. */
  | { readonly kind: 'need_blocks'; readonly missing: BlockId[] }
  /** A concurrent first share converted the folder already: share that namespace. */
  | { readonly kind: 'already_converted'; readonly namespace: NamespaceId }
  | { readonly kind: 'abandoned' }
  | { readonly kind: 'path_conflict'; readonly message: string };

export interface UnshareFolderInput {
  readonly conversionId: string;
  /** The shared namespace that goes back into its owner's root. */
  readonly namespace: NamespaceId;
  readonly root: NamespaceId;
  readonly actor: Actor;
}

export type UnshareFolderOutcome =
  | { readonly kind: 'converted'; readonly rootSeq: number; readonly mountPath: RemotePath }
  | { readonly kind: 'need_blocks'; readonly missing: BlockId[] }
  /** Shared again meanwhile, or no longer mounted in the owner's root: nothing to do. */
  | { readonly kind: 'still_shared' | 'not_mounted' | 'abandoned' }
  | { readonly kind: 'path_conflict'; readonly message: string };

export interface MountOutcome {
  readonly share: ShareRecord;
  /** Where the folder appeared in the recipient's root. */
  readonly mountPath: RemotePath;
  readonly recipientRoot: NamespaceId;
  readonly seq: number;
  /** Shares of the namespace left after the change (0: the folder can go back to the root). */
  readonly remainingShares: number;
}

export interface ShareStore {
  /** Distinct blocks named by any version of any file (live or deleted) below `folder`. */
  listBlocksUnder(namespace: NamespaceId, folder: RemotePath): Promise<BlockId[]>;
  /** Distinct blocks named by any version of any file of `namespace`. */
  listBlocksOf(namespace: NamespaceId): Promise<BlockId[]>;
  /**
   * Starts a folder conversion (for a share, creating the new namespace and its key). Its
   * blocks are pinned against garbage collection until it completes or is abandoned.
   */
  beginFolderConversion(input: BeginFolderConversionInput): Promise<void>;
  /** Pins a re-encoded block for a conversion, recording its row when new; marks progress. */
  pinConvertedBlock(input: PinConvertedBlockInput): Promise<PinOutcome>;
  /**
   * Moves everything below `folder` into the conversion's new namespace and mounts it at
   * `folder`, in one transaction; unpins the conversion's blocks and ends it.
   */
  convertFolderToNamespace(input: ConvertFolderInput): Promise<ConvertFolderOutcome>;
  /**
   * The way back: moves every file of a namespace no longer shared into its owner's root at the
   * mount point, which becomes a plain folder; unpins the conversion's blocks and ends it.
   */
  convertNamespaceToFolder(input: UnshareFolderInput): Promise<UnshareFolderOutcome>;
  /**
   * Ends a conversion that will not complete: its pins go (the blocks become ordinary garbage)
   * and a share conversion's unused new namespace is removed. No-op when already ended.
   */
  abandonFolderConversion(id: string): Promise<void>;
  /** Abandons conversions without progress since `touchedBeforeMs` (a crash); returns how many. */
  abandonIdleFolderConversions(touchedBeforeMs: number): Promise<number>;
  /** How many shares `namespace` has. */
  countShares(namespace: NamespaceId): Promise<number>;
  /**
   * Shares `namespace` with `recipientId`: a share row plus a mount at `/<name>` (or
   * `/<name> (2)`, …, shortened to the path rules) in the recipient's root. `already_shared`
   * when they have it; `not_shared_folder` when the namespace is no longer a folder of the
   * owner's root (it went back to a plain folder meanwhile: resolve the path again).
   */
  createShare(input: {
    id: ShareId;
    namespace: NamespaceId;
    ownerId: UserId;
    recipientId: UserId;
    role: ShareRole;
    name: string;
    actor: Actor;
  }): Promise<MountOutcome | 'already_shared' | 'not_shared_folder'>;
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
