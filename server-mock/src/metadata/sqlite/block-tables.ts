/**
 * SQLite implementation of BlockMetadataStore: the block table and the namespaces' used bytes.
 */
import type { BlockId } from 'sync-engine/protocol';
import type { BlockMetadataStore } from '../block-metadata-store.js';
import type { BlockRecord } from '../records.js';
import type { QuotaLedger } from './quota-ledger.js';
import { blockFromRow, type Row } from './row-mappers.js';
import type { SqliteContext } from './sqlite-context.js';

/** The block half of the store, over `ctx`; recorded blocks consume `quota` reservations. */
export function createBlockTables(ctx: SqliteContext, quota: QuotaLedger): BlockMetadataStore {
  const has = (namespace: string, id: string) =>
    ctx.stmt('SELECT 1 FROM block WHERE namespace_id = ? AND id = ?').get(namespace, id) !==
    undefined;
  // One statement for any number of ids: they travel as one JSON array.
  const selectBlocks = (namespace: string, ids: readonly BlockId[]) => {
    const found = new Map<BlockId, BlockRecord>();
    if (ids.length === 0) return found;
    const rows = ctx
      .stmt('SELECT * FROM block WHERE namespace_id = ? AND id IN (SELECT value FROM json_each(?))')
      .all(namespace, JSON.stringify([...new Set(ids)])) as Row[];
    for (const row of rows) {
      const block = blockFromRow(row);
      found.set(block.id, block);
    }
    return found;
  };

  return {
    async findMissingBlocks(namespace, ids) {
      const held = selectBlocks(namespace, ids);
      return [...new Set(ids)].filter((id) => !held.has(id));
    },

    async getBlocks(namespace, ids) {
      return selectBlocks(namespace, ids);
    },

    async recordBlock(input) {
      return ctx.write(() => {
        const inserted = ctx
          .stmt(
            `INSERT OR IGNORE INTO block
               (namespace_id, id, plain_size, encoded_size, last_access_ms, created_ms)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.namespace,
            input.id,
            input.plainSize,
            input.encodedSize,
            input.nowMs,
            input.nowMs,
          );
        if (inserted.changes === 0) return false;
        ctx
          .stmt('UPDATE namespace SET used_bytes = used_bytes + ? WHERE id = ?')
          .run(input.plainSize, input.namespace);
        // Reserved bytes become used ones in the same transaction: never counted twice, never
        // counted by neither.
        if (input.reservation !== undefined) {
          quota.consume(input.reservation, input.namespace, input.plainSize);
        }
        return true;
      });
    },

    async getBlock(namespace, id) {
      const row = ctx
        .stmt('SELECT * FROM block WHERE namespace_id = ? AND id = ?')
        .get(namespace, id) as Row | undefined;
      return row && blockFromRow(row);
    },

    async touchBlocks(namespace, ids, nowMs) {
      ctx.write(() => {
        for (const id of ids) {
          ctx
            .stmt('UPDATE block SET last_access_ms = ? WHERE namespace_id = ? AND id = ?')
            .run(nowMs, namespace, id);
        }
      });
    },

    async setBlockTier(namespace, id, tier) {
      ctx
        .stmt('UPDATE block SET tier = ? WHERE namespace_id = ? AND id = ?')
        .run(tier, namespace, id);
    },

    async listUnreferencedBlocks(createdBeforeMs, limit) {
      const rows = ctx
        .stmt(
          'SELECT * FROM block WHERE refcount = 0 AND created_ms < ? ORDER BY created_ms LIMIT ?',
        )
        .all(createdBeforeMs, limit) as Row[];
      return rows.map(blockFromRow);
    },

    async listColdCandidates(lastAccessBeforeMs, limit) {
      const rows = ctx
        .stmt(
          `SELECT * FROM block WHERE tier = 'hot' AND last_access_ms < ?
           ORDER BY last_access_ms LIMIT ?`,
        )
        .all(lastAccessBeforeMs, limit) as Row[];
      return rows.map(blockFromRow);
    },

    async forgetUnreferencedBlock(namespace, id) {
      return ctx.write(() => {
        const row = ctx
          .stmt('SELECT plain_size FROM block WHERE namespace_id = ? AND id = ? AND refcount = 0')
          .get(namespace, id) as { plain_size: number } | undefined;
        if (!row) return false;
        ctx.stmt('DELETE FROM block WHERE namespace_id = ? AND id = ?').run(namespace, id);
        ctx
          .stmt('UPDATE namespace SET used_bytes = used_bytes - ? WHERE id = ?')
          .run(row.plain_size, namespace);
        return true;
      });
    },

    async hasBlock(namespace, id) {
      return has(namespace, id);
    },
  };
}
