/**
 * SQLite implementation of AccountStore: user, device, namespace, namespace_key.
 */
import type { DeviceId, NamespaceId, UserId } from 'sync-engine/protocol';
import type { AccountStore } from '../account-store.js';
import { deviceFromRow, namespaceFromRow, userFromRow, type Row } from './row-mappers.js';
import type { SqlContext } from './sql-context.js';

async function insertNamespace(
  ctx: SqlContext,
  input: {
    id: NamespaceId;
    kind: 'root' | 'shared';
    ownerId: UserId;
    wrappedKey: Uint8Array;
    nowMs: number;
  },
): Promise<void> {
  await ctx
    .stmt('INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES (?, ?, ?, ?)')
    .run(input.id, input.kind, input.ownerId, input.nowMs);
  await ctx
    .stmt('INSERT INTO namespace_key (namespace_id, wrapped_key, created_ms) VALUES (?, ?, ?)')
    .run(input.id, Buffer.from(input.wrappedKey), input.nowMs);
}

/** The account half of the store, over `ctx`. */
export function createAccountTables(ctx: SqlContext): AccountStore {
  const getUserSync = async (id: UserId) => {
    const row = (await ctx.stmt('SELECT * FROM user WHERE id = ?').get(id)) as Row | undefined;
    return row && userFromRow(row);
  };
  const getNamespaceSync = async (id: NamespaceId) => {
    const row = (await ctx.stmt('SELECT * FROM namespace WHERE id = ?').get(id)) as Row | undefined;
    return row && namespaceFromRow(row);
  };

  return {
    async createUser(input) {
      const email = input.email.toLowerCase();
      return ctx.write(async () => {
        if (await ctx.stmt('SELECT 1 FROM user WHERE email = ?').get(email))
          return 'email_taken' as const;
        // The user row comes first: namespace.owner_id references it.
        await ctx
          .stmt(
            `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.id,
            email,
            input.name,
            input.passwordHash,
            input.quotaBytes,
            input.rootNamespace,
            input.nowMs,
          );
        await insertNamespace(ctx, {
          id: input.rootNamespace,
          kind: 'root',
          ownerId: input.id,
          wrappedKey: input.wrappedKey,
          nowMs: input.nowMs,
        });
        const user = await getUserSync(input.id);
        if (!user) throw new Error('user row vanished inside its own transaction');
        return user;
      });
    },

    async getUser(id) {
      return await getUserSync(id);
    },

    async getUserByEmail(email) {
      const row = (await ctx
        .stmt('SELECT * FROM user WHERE email = ?')
        .get(email.toLowerCase())) as Row | undefined;
      return row && userFromRow(row);
    },

    async setUserQuota(id, quotaBytes) {
      await ctx.stmt('UPDATE user SET quota_bytes = ? WHERE id = ?').run(quotaBytes, id);
    },

    async createDevice(input) {
      await ctx
        .stmt(
          `INSERT INTO device (id, user_id, name, token_hash, created_ms, last_seen_ms)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.id,
          input.userId,
          input.name,
          Buffer.from(input.tokenHash),
          input.nowMs,
          input.nowMs,
        );
      return {
        id: input.id,
        userId: input.userId,
        name: input.name,
        createdMs: input.nowMs,
        lastSeenMs: input.nowMs,
        revokedMs: null,
      };
    },

    async findDeviceByTokenHash(tokenHash) {
      // One statement: every authenticated request runs it (a round trip each on PostgreSQL).
      const row = (await ctx
        .stmt(
          `SELECT d.*, u.email AS user_email, u.name AS user_name, u.password_hash AS user_password_hash,
             u.quota_bytes AS user_quota_bytes, u.root_namespace AS user_root_namespace,
             u.created_ms AS user_created_ms
           FROM device d JOIN user u ON u.id = d.user_id
           WHERE d.token_hash = ? AND d.revoked_ms IS NULL`,
        )
        .get(Buffer.from(tokenHash))) as Row | undefined;
      if (!row) return undefined;
      const user = userFromRow({
        id: row.user_id,
        email: row.user_email,
        name: row.user_name,
        password_hash: row.user_password_hash,
        quota_bytes: row.user_quota_bytes,
        root_namespace: row.user_root_namespace,
        created_ms: row.user_created_ms,
      });
      return { device: deviceFromRow(row), user };
    },

    async getDevice(id) {
      const row = (await ctx.stmt('SELECT * FROM device WHERE id = ?').get(id)) as Row | undefined;
      return row && deviceFromRow(row);
    },

    async listDevices(userId, seenSinceMs) {
      const rows = (await ctx
        .stmt(
          `SELECT * FROM device WHERE user_id = ? AND revoked_ms IS NULL AND last_seen_ms >= ?
           ORDER BY created_ms, id`,
        )
        .all(userId, seenSinceMs)) as Row[];
      return rows.map(deviceFromRow);
    },

    async revokeDevice(input) {
      // Ownership, "still signed in" and "not expired" are part of the UPDATE itself, so no
      // check made earlier can go stale before the write.
      const row = (await ctx
        .stmt(
          `UPDATE device SET revoked_ms = ?
           WHERE id = ? AND user_id = ? AND revoked_ms IS NULL AND last_seen_ms >= ?
           RETURNING *`,
        )
        .get(input.nowMs, input.deviceId, input.userId, input.seenSinceMs)) as Row | undefined;
      return row && deviceFromRow(row);
    },

    async touchDevice(id: DeviceId, nowMs: number) {
      await ctx
        .stmt('UPDATE device SET last_seen_ms = ? WHERE id = ? AND revoked_ms IS NULL')
        .run(nowMs, id);
    },

    async getNamespace(id) {
      return await getNamespaceSync(id);
    },

    async getNamespaces(ids) {
      const result = new Map<NamespaceId, ReturnType<typeof namespaceFromRow>>();
      for (const id of ids) {
        const namespace = await getNamespaceSync(id);
        if (namespace) result.set(id, namespace);
      }
      return result;
    },

    async createNamespace(input) {
      await ctx.write(async () => await insertNamespace(ctx, { ...input, kind: 'shared' }));
      const namespace = await getNamespaceSync(input.id);
      if (!namespace) throw new Error('namespace row vanished after insert');
      return namespace;
    },

    async getWrappedKey(id) {
      const row = (await ctx
        .stmt('SELECT wrapped_key FROM namespace_key WHERE namespace_id = ?')
        .get(id)) as { wrapped_key: Buffer } | undefined;
      return row && new Uint8Array(row.wrapped_key);
    },

    async usedBytesOf(userId) {
      const row = (await ctx
        .stmt('SELECT COALESCE(SUM(used_bytes), 0) AS used FROM namespace WHERE owner_id = ?')
        .get(userId)) as { used: number };
      return row.used;
    },
  };
}
