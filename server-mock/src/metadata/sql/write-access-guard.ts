/**
 * The in-transaction side of the write guard (metadata/write-access.ts): resolves a user's path
 * against the mount rows of their root as they are inside the current transaction, which is
 * exactly what UserView does per request from the same rows. Synchronous: call it only inside
 * `ctx.write`, so that nothing can change between the check and the write that follows.
 */
import {
  ancestorsOf,
  type NamespaceId,
  type RemotePath,
  type ShareRole,
  type UserId,
} from 'sync-engine/protocol';
import type { AccessOutcome, ResolvedTarget, WriteAccess } from '../write-access.js';
import type { SqlContext } from './sql-context.js';

type Role = ResolvedTarget['role'];

export class WriteAccessGuard {
  constructor(private readonly ctx: SqlContext) {}

  /** Undefined when every target still resolves as expected with the role it needs. */
  async check(access: WriteAccess | undefined): Promise<AccessOutcome | undefined> {
    if (access === undefined) return undefined;
    for (const expected of access.targets) {
      const { root, target: now } = await this.resolve(access.userId, expected.userPath);
      const isReadOnly = expected.needsWrite && now.role === 'viewer';
      const { userPath } = expected;
      if (now.namespace === expected.namespace && now.path === expected.path) {
        if (isReadOnly) return { kind: 'access_lost', userPath, reason: 'read_only' };
        continue;
      }
      // The path resolves elsewhere. If the namespace it was in is gone from the user's view,
      // the share was revoked: redoing the write in whatever the path means now (a folder of
      // their own root) would be a surprise, so it is refused. Its owner lost nothing, though:
      // their last share went and the folder is a plain folder of their root again.
      const isOwnersFolderBack = (await this.ownerOf(expected.namespace)) === access.userId;
      if ((await this.roleIn(root, expected.namespace)) === undefined && !isOwnersFolderBack) {
        return { kind: 'access_lost', userPath, reason: 'revoked' };
      }
      if (isReadOnly) return { kind: 'access_lost', userPath, reason: 'read_only' };
      return { kind: 'target_changed', userPath, target: now };
    }
    return undefined;
  }

  /** True when `userId` may write in `namespace` (their root, or a share they edit). */
  async canWrite(userId: UserId, namespace: NamespaceId): Promise<boolean> {
    const role = await this.roleIn(await this.rootOf(userId), namespace);
    return role === 'owner' || role === 'editor';
  }

  private async rootOf(userId: UserId): Promise<NamespaceId> {
    const row = (await this.ctx
      .stmt('SELECT root_namespace FROM user WHERE id = ?')
      .get(userId)) as { root_namespace: NamespaceId } | undefined;
    if (!row) throw new Error(`no user ${userId}`);
    return row.root_namespace;
  }

  private async ownerOf(namespace: NamespaceId): Promise<UserId | undefined> {
    const row = (await this.ctx
      .stmt('SELECT owner_id FROM namespace WHERE id = ?')
      .get(namespace)) as { owner_id: UserId } | undefined;
    return row?.owner_id;
  }

  private async roleIn(root: NamespaceId, namespace: NamespaceId): Promise<Role | undefined> {
    if (namespace === root) return 'owner';
    const row = (await this.ctx
      .stmt(
        `SELECT mount_role FROM file WHERE namespace_id = ? AND mount_namespace = ? AND deleted = 0`,
      )
      .get(root, namespace)) as { mount_role: ShareRole } | undefined;
    return row?.mount_role;
  }

  /**
   * Like UserView.resolve: the mount at the path or one of its ancestors, else the root; with
   * the user's root. One statement: it runs inside the commit's transaction, under its locks.
   */
  private async resolve(
    userId: UserId,
    userPath: RemotePath,
  ): Promise<{ root: NamespaceId; target: ResolvedTarget }> {
    const row = (await this.ctx
      .stmt(
        `SELECT u.root_namespace, f.path AS mount_path, f.mount_namespace, f.mount_role
         FROM user u LEFT JOIN file f ON f.namespace_id = u.root_namespace AND f.deleted = 0
           AND f.mount_namespace IS NOT NULL AND f.path IN (SELECT value FROM json_each(?))
         WHERE u.id = ? ORDER BY f.path IS NULL, length(f.path) LIMIT 1`,
      )
      .get(JSON.stringify([...ancestorsOf(userPath), userPath]), userId)) as
      | {
          root_namespace: NamespaceId;
          mount_path: RemotePath | null;
          mount_namespace: NamespaceId | null;
          mount_role: ShareRole | null;
        }
      | undefined;
    if (!row) throw new Error(`no user ${userId}`);
    const root = row.root_namespace;
    if (row.mount_path === null || row.mount_namespace === null || row.mount_role === null) {
      return {
        root,
        target: { namespace: root, path: userPath, role: 'owner', mountPath: '/' as RemotePath },
      };
    }
    return {
      root,
      target: {
        namespace: row.mount_namespace,
        path: (userPath.slice(row.mount_path.length) || '/') as RemotePath,
        role: row.mount_role,
        mountPath: row.mount_path,
      },
    };
  }
}
