/**
 * A user's view of the world: their root namespace with the shared namespaces mounted in it.
 * Resolves a path as the user sees it to (namespace, path inside it, role), and maps namespace
 * paths back. Built per request from the mounts table, so a share change is seen at once.
 */
import {
  isSameOrDescendant,
  type NamespaceId,
  type RemotePath,
  type ShareRole,
} from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { UserRecord } from '../metadata/records.js';

/** What a caller may do in a namespace. */
export type AccessRole = 'owner' | ShareRole;

/** A user path resolved into a namespace. */
export interface ResolvedPath {
  readonly namespace: NamespaceId;
  /** The path inside `namespace` (`/` for a mount point itself). */
  readonly path: RemotePath;
  readonly role: AccessRole;
  /** Where the namespace is mounted in the user's view; `/` for the root namespace. */
  readonly mountPath: RemotePath;
}

interface Mount {
  readonly path: RemotePath;
  readonly namespace: NamespaceId;
  readonly role: ShareRole;
}

export class UserView {
  private constructor(
    readonly user: UserRecord,
    private readonly mounts: readonly Mount[],
  ) {}

  static async load(store: Pick<MetadataStore, 'listMounts'>, user: UserRecord): Promise<UserView> {
    const rows = await store.listMounts(user.rootNamespace);
    const mounts = rows.flatMap((row) =>
      row.mount ? [{ path: row.path, namespace: row.mount.namespace, role: row.mount.role }] : [],
    );
    return new UserView(user, mounts);
  }

  /** Every namespace the user can see: the root first, then mounted ones. */
  namespaces(): NamespaceId[] {
    return [this.user.rootNamespace, ...this.mounts.map((m) => m.namespace)];
  }

  /** Where `namespace` appears in the user's view, or undefined when they cannot see it. */
  mountPathOf(namespace: NamespaceId): RemotePath | undefined {
    if (namespace === this.user.rootNamespace) return '/' as RemotePath;
    return this.mounts.find((m) => m.namespace === namespace)?.path;
  }

  /** The role the user has in `namespace`, or undefined when they cannot see it. */
  roleIn(namespace: NamespaceId): AccessRole | undefined {
    if (namespace === this.user.rootNamespace) return 'owner';
    return this.mounts.find((m) => m.namespace === namespace)?.role;
  }

  /** Resolves a user path. The mount point itself resolves to `/` of the mounted namespace. */
  resolve(path: RemotePath): ResolvedPath {
    const mount = this.mounts.find((m) => isSameOrDescendant(path, m.path));
    if (!mount) {
      return {
        namespace: this.user.rootNamespace,
        path,
        role: 'owner',
        mountPath: '/' as RemotePath,
      };
    }
    const inner = (path.slice(mount.path.length) || '/') as RemotePath;
    return { namespace: mount.namespace, path: inner, role: mount.role, mountPath: mount.path };
  }

  /** Resolves a path the caller wants to write; viewers get 403. */
  resolveForWrite(path: RemotePath): ResolvedPath {
    const resolved = this.resolve(path);
    if (resolved.role === 'viewer') {
      throw new ServerError('forbidden', `you can only view ${resolved.mountPath}`);
    }
    return resolved;
  }

  /**
   * Resolves a path the caller wants to write an entry at (commit, announce, upload, mkdir,
   * delete): viewers get 403, and the top of a namespace, which is no entry of its own (a shared
   * folder's mount point, or the root), gets 409 path_conflict.
   */
  resolveEntryForWrite(path: RemotePath): ResolvedPath {
    const resolved = this.resolveForWrite(path);
    if (resolved.path === '/') {
      throw new ServerError(
        'path_conflict',
        path === '/'
          ? '/ is your root folder'
          : `${path} is a shared folder: write inside it, or leave or unshare it`,
      );
    }
    return resolved;
  }

  /** Maps a namespace path back into the user's view. */
  static toUserPath(mountPath: RemotePath, path: string): string {
    if (mountPath === '/') return path;
    return path === '/' ? mountPath : `${mountPath}${path}`;
  }
}
