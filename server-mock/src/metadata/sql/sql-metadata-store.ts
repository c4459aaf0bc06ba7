/**
 * The MetadataStore of both databases: the table groups live in their own modules, written for
 * an SqlContext (sql/sql-context.ts); this file wires them and holds the read queries. SQLite
 * (sqlite-metadata-store.ts) and PostgreSQL (postgres/postgres-metadata-store.ts) each give it
 * their context and lifecycle.
 */
import type { NamespaceId, Rev, UserId } from 'sync-engine/protocol';
import type { EventRecord } from '../activity-store.js';
import type { CommitInput, CommitOutcome } from '../file-store.js';
import type { MetadataStore } from '../metadata-store.js';
import { createAccountTables } from './account-tables.js';
import type { WriteAccess } from '../write-access.js';
import { createBlockTables } from './block-tables.js';
import { ChangeLog } from './change-log.js';
import { readChangeSnapshot } from './change-snapshot.js';
import { FileRows } from './file-rows.js';
import { CommitAbandoned, FileWrites } from './file-writes.js';
import { FolderRows } from './folder-rows.js';
import { entryFromRow, journalFromRow, versionFromRow, type Row } from './row-mappers.js';
import { createQuotaTables, QuotaLedger } from './quota-ledger.js';
import type { SqlContext, WriteScope } from './sql-context.js';
import { createShareTables } from './share-tables.js';
import { TreeWrites } from './tree-writes.js';
import { createUploadSessionTables } from './upload-session-tables.js';
import { WriteAccessGuard } from './write-access-guard.js';

const VERSION_SELECT = `SELECT v.*, u.name AS author_name, d.name AS device_name
  FROM file_version v JOIN user u ON u.id = v.author_id LEFT JOIN device d ON d.id = v.device_id`;

/** What differs between the databases: durability, health, shutdown. */
export interface StoreLifecycle {
  durable(): Promise<void>;
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The MetadataStore over `ctx`, SQLite's or PostgreSQL's: one implementation for both. */
export function createSqlMetadataStore(ctx: SqlContext, lifecycle: StoreLifecycle): MetadataStore {
  const rows = new FileRows(ctx);
  const log = new ChangeLog(ctx);
  const folders = new FolderRows(ctx, rows, log);
  const files = new FileWrites(ctx, { rows, log, folders });
  const tree = new TreeWrites(ctx, { rows, log, folders });
  const guard = new WriteAccessGuard(ctx);
  const quota = new QuotaLedger(ctx, guard);
  /**
   * Runs a write only if `access` still holds, in one transaction with it (a savepoint inside a
   * batch's), so no other writer can change the mounts in between. `scope`: see WriteScope.
   */
  const guarded = async <T>(
    access: WriteAccess | undefined,
    write: () => Promise<T>,
    scope?: WriteScope,
  ) => ctx.write(async () => (await guard.check(access)) ?? (await write()), scope);
  // A commit or an announce touches its namespace's rows only (and its owner's, quota).
  const within = (namespace: string): WriteScope => ({ namespaces: [namespace] });
  /** A guarded commit; one abandoned inside (CommitAbandoned) is rolled back and answered. */
  const commitGuarded = async (input: CommitInput): Promise<CommitOutcome> => {
    try {
      return await guarded(input.access, () => files.commit(input), within(input.namespace));
    } catch (error) {
      if (error instanceof CommitAbandoned) return error.outcome;
      throw error;
    }
  };

  return {
    ...createAccountTables(ctx),
    ...createBlockTables(ctx, quota),
    ...createUploadSessionTables(ctx, quota),
    ...createQuotaTables(ctx, quota),
    ...createShareTables(ctx, { rows, log }),

    async getEntry(namespace, path) {
      return await rows.live(namespace, path);
    },

    async getEntryOrTombstone(namespace, path) {
      return (await rows.live(namespace, path)) ?? (await rows.tombstone(namespace, path, false));
    },

    async listFilesAt(namespace, path) {
      const rows = (await ctx
        .stmt(
          `SELECT * FROM file WHERE namespace_id = ? AND path = ? AND is_dir = 0
           ORDER BY deleted, updated_ms DESC, id`,
        )
        .all(namespace, path)) as Row[];
      return rows.map(entryFromRow);
    },

    async listEntries(namespace, folder, recursive) {
      if (folder === '/') {
        // Top level: paths with no second '/'.
        const sql = recursive
          ? 'SELECT * FROM file WHERE namespace_id = ? AND deleted = 0 ORDER BY path'
          : `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0
             AND instr(substr(path, 2), '/') = 0 ORDER BY path`;
        return ((await ctx.stmt(sql).all(namespace)) as Row[]).map(entryFromRow);
      }
      const below = await rows.liveDescendants(namespace, folder);
      const depth = folder.length + 1;
      return recursive ? below : below.filter((e) => e.path.indexOf('/', depth) === -1);
    },

    async listMounts(namespace) {
      const rows = (await ctx
        .stmt(
          `SELECT * FROM file WHERE namespace_id = ? AND deleted = 0
           AND mount_namespace IS NOT NULL ORDER BY path`,
        )
        .all(namespace)) as Row[];
      return rows.map(entryFromRow);
    },

    async commitFile(input) {
      return await commitGuarded(input);
    },
    async commitFiles(inputs) {
      // Each guarded commit nests as a savepoint (a refusal writes nothing); the batch costs one
      // WAL commit and one write lock instead of one per file.
      const scope = { namespaces: inputs.map((input) => input.namespace) };
      return ctx.write(async () => {
        const outcomes = [];
        for (const input of inputs) outcomes.push(await commitGuarded(input));
        return outcomes;
      }, scope);
    },
    async announceFile(input) {
      return await guarded(input.access, () => files.announce(input), within(input.namespace));
    },

    async getAnnouncedBlocks(namespace, path) {
      return await files.announcedBlocks(namespace, path);
    },
    async createFolder(namespace, path, actor, access) {
      return await guarded(access, () => files.createFolder(namespace, path, actor));
    },
    async deleteEntry(namespace, path, actor, access, condition) {
      return await guarded(access, () => tree.delete(namespace, path, actor, condition));
    },
    async moveEntry(input) {
      return await guarded(input.access, () => tree.move(input));
    },

    async listVersions(namespace, fileId, limit) {
      const rows = (await ctx
        .stmt(
          `${VERSION_SELECT} WHERE v.file_id = ? AND v.namespace_id = ? ORDER BY v.ordinal DESC LIMIT ?`,
        )
        .all(fileId, namespace, limit)) as Row[];
      return rows.map(versionFromRow);
    },

    async getVersion(namespace, rev) {
      const row = (await ctx
        .stmt(`${VERSION_SELECT} WHERE v.rev = ? AND v.namespace_id = ?`)
        .get(rev, namespace)) as Row | undefined;
      return row && versionFromRow(row);
    },

    async readChangeSnapshot(input) {
      return await readChangeSnapshot(ctx, input);
    },

    async readJournal(namespace, afterSeq, limit) {
      const rows = (await ctx
        .stmt('SELECT * FROM journal WHERE namespace_id = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(namespace, afterSeq, limit)) as Row[];
      return rows.map(journalFromRow);
    },

    async pruneJournal(beforeMs) {
      return ctx.write(async () => {
        const heads = (await ctx
          .stmt(
            `SELECT namespace_id, MAX(seq) AS seq FROM journal
             WHERE tag = 'deleted' AND time_ms < ? GROUP BY namespace_id`,
          )
          .all(beforeMs)) as Array<{ namespace_id: string; seq: number }>;
        for (const head of heads) {
          await ctx
            .stmt('UPDATE namespace SET pruned_seq = MAX(pruned_seq, ?) WHERE id = ?')
            .run(head.seq, head.namespace_id);
        }
        return (
          await ctx.stmt(`DELETE FROM journal WHERE tag = 'deleted' AND time_ms < ?`).run(beforeMs)
        ).changes;
      });
    },

    async listFilesWithHistory(afterFileId, limit) {
      const rows = (await ctx
        .stmt(
          `SELECT file_id FROM file_version WHERE file_id > ? GROUP BY file_id
           HAVING COUNT(*) > 1 ORDER BY file_id LIMIT ?`,
        )
        .all(afterFileId, limit)) as Array<{ file_id: string }>;
      return rows.map((r) => r.file_id);
    },

    async listVersionTimes(fileId) {
      const rows = (await ctx
        .stmt('SELECT rev, committed_ms FROM file_version WHERE file_id = ? ORDER BY ordinal DESC')
        .all(fileId)) as Array<{ rev: Rev; committed_ms: number }>;
      return rows.map((r) => ({ rev: r.rev, committedMs: r.committed_ms }));
    },

    async dropVersions(fileId, revs) {
      return ctx.write(async () => {
        const current = (await ctx.stmt('SELECT rev FROM file WHERE id = ?').get(fileId)) as
          { rev: Rev | null } | undefined;
        let dropped = 0;
        for (const rev of revs) {
          if (rev === current?.rev) continue;
          const owned = await ctx
            .stmt('SELECT 1 FROM file_version WHERE rev = ? AND file_id = ?')
            .get(rev, fileId);
          if (!owned) continue;
          await files.dropVersion(rev);
          dropped++;
        }
        return dropped;
      });
    },

    async expirePendingFiles(beforeMs, nowMs) {
      return await tree.expirePending(beforeMs, nowMs);
    },

    async listEvents(namespaces, afterId, limit) {
      if (namespaces.length === 0) return [];
      const marks = namespaces.map(() => '?').join(', ');
      const rows = (await ctx
        .prepareOnce(
          `SELECT e.*, u.name AS actor_name, d.name AS device_name FROM event e
           JOIN user u ON u.id = e.actor_id LEFT JOIN device d ON d.id = e.device_id
           WHERE e.namespace_id IN (${marks}) AND e.id > ? ORDER BY e.id LIMIT ?`,
        )
        .all(...namespaces, afterId, limit)) as Row[];
      return rows.map((row): EventRecord => ({
        id: row.id as number,
        namespace: row.namespace_id as NamespaceId,
        kind: row.kind as EventRecord['kind'],
        path: row.path as string,
        fromPath: (row.from_path as string | null) ?? null,
        actorId: row.actor_id as UserId,
        actorName: row.actor_name as string,
        deviceName: (row.device_name as string | null) ?? null,
        timeMs: row.time_ms as number,
      }));
    },

    durable: () => lifecycle.durable(),
    isHealthy: () => lifecycle.isHealthy(),
    close: () => lifecycle.close(),
  };
}
