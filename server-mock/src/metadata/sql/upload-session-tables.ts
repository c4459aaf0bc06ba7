/**
 * SQLite implementation of UploadSessionStore.
 */
import type { UploadSessionRecord, UploadSessionStore } from '../upload-session-store.js';
import type { QuotaLedger } from './quota-ledger.js';
import type { Row } from './row-mappers.js';
import { NO_EXCLUSION, type SqlContext } from './sql-context.js';

function sessionFromRow(row: Row): UploadSessionRecord {
  return {
    id: row.id as string,
    userId: row.user_id as UploadSessionRecord['userId'],
    deviceId: row.device_id as UploadSessionRecord['deviceId'],
    namespace: row.namespace_id as UploadSessionRecord['namespace'],
    path: row.path as UploadSessionRecord['path'],
    userPath: row.user_path as UploadSessionRecord['userPath'],
    totalBytes: row.total_bytes as number,
    receivedBytes: row.received_bytes as number,
    parentRev: (row.parent_rev as UploadSessionRecord['parentRev']) ?? null,
    modifiedMs: row.modified_ms as number,
    createdMs: row.created_ms as number,
    expiresMs: row.expires_ms as number,
  };
}

export function createUploadSessionTables(ctx: SqlContext, quota: QuotaLedger): UploadSessionStore {
  const insert = async (s: UploadSessionRecord) =>
    await ctx
      .stmt(
        `INSERT INTO upload_session (id, user_id, device_id, namespace_id, path, user_path,
             total_bytes, received_bytes, parent_rev, modified_ms, created_ms, expires_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.id,
        s.userId,
        s.deviceId,
        s.namespace,
        s.path,
        s.userPath,
        s.totalBytes,
        s.receivedBytes,
        s.parentRev,
        s.modifiedMs,
        s.createdMs,
        s.expiresMs,
      );

  return {
    async createUploadSession(s) {
      return ctx.write(
        async () => {
          const reserved = await quota.reserve({
            id: s.id,
            namespace: s.namespace,
            bytes: s.totalBytes,
            writerId: s.userId,
            nowMs: s.createdMs,
            expiresMs: s.expiresMs,
          });
          if (reserved.kind !== 'reserved') return reserved;
          await insert(s);
          return { kind: 'created' as const };
        },
        { namespaces: [s.namespace] },
      );
    },
    async getUploadSession(id) {
      const row = (await ctx.stmt('SELECT * FROM upload_session WHERE id = ?').get(id)) as
        Row | undefined;
      return row && sessionFromRow(row);
    },
    async setUploadReceived(id, receivedBytes) {
      await ctx
        .stmt('UPDATE upload_session SET received_bytes = ? WHERE id = ?')
        .run(receivedBytes, id);
    },
    async deleteUploadSession(id) {
      await ctx.write(async () => {
        await ctx.stmt('DELETE FROM upload_session WHERE id = ?').run(id);
        await quota.release(id);
      }, NO_EXCLUSION);
    },
    async listExpiredUploadSessions(nowMs, limit) {
      const rows = (await ctx
        .stmt('SELECT * FROM upload_session WHERE expires_ms < ? ORDER BY expires_ms LIMIT ?')
        .all(nowMs, limit)) as Row[];
      return rows.map(sessionFromRow);
    },
  };
}
