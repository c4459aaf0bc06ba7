/**
 * The access guard of every FileStore write (issue 7). A route resolves the user's path to a
 * (namespace, path inside it, role) when the request starts; by the time the write lands, the
 * folder may have been shared (its contents moved to a new namespace), the share revoked or the
 * role lowered. So each write carries who writes and what each user path resolved to, and the
 * store resolves them again inside the write's own transaction: the write happens only if they
 * still resolve the same, with the role it needs; otherwise it returns an AccessOutcome and
 * changes nothing.
 */
import type { NamespaceId, RemotePath, ShareRole, UserId } from 'sync-engine/protocol';

/** One user path a write touches, and what it resolved to when the request began. */
export interface AccessTarget {
  /** The path as the user named it (in their view: root plus mounted shares). */
  readonly userPath: RemotePath;
  readonly namespace: NamespaceId;
  /** The path inside `namespace` (`/` for a mount point itself). */
  readonly path: RemotePath;
  /** False where no write role is needed (any member may rename their own mount point). */
  readonly needsWrite: boolean;
}

/** Who writes, and every user path the write touches. */
export interface WriteAccess {
  readonly userId: UserId;
  readonly targets: readonly AccessTarget[];
}

/** Where a user path resolves now (the same shape as UserView's ResolvedPath). */
export interface ResolvedTarget {
  readonly namespace: NamespaceId;
  readonly path: RemotePath;
  readonly role: 'owner' | ShareRole;
  /** Where `namespace` is mounted in the user's view; `/` for their root. */
  readonly mountPath: RemotePath;
}

/** Why a write did not happen: the user's access to one of its paths changed meanwhile. */
export type AccessOutcome =
  | {
      /** The user no longer sees the namespace (`revoked`) or may only view it (`read_only`). */
      readonly kind: 'access_lost';
      readonly userPath: RemotePath;
      readonly reason: 'revoked' | 'read_only';
    }
  | {
      /**
       * The path resolves elsewhere now, where the user may write (a folder above it was shared,
       * or a mount point moved): the write may be redone against `target`.
       */
      readonly kind: 'target_changed';
      readonly userPath: RemotePath;
      readonly target: ResolvedTarget;
    };
