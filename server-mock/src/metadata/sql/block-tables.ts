/**
 * SQLite implementation of BlockMetadataStore: the block table and the namespaces' used bytes.
 */
import type { BlockId } from 'sync-engine/protocol';
import type { BlockMetadataStore } from '../block-metadata-store.js';
import type { BlockRecord } from '../records.js';
import type { QuotaLedger } from './quota-ledger.js';
import { blockFromRow, type Row } from './row-mappers.js';
import type { SqlContext } from './sql-context.js';

/** The block half of the store, over `ctx`; recorded blocks consume `quota` reservations. */
export function createBlockTables(ctx: SqlContext, quota: QuotaLedger): BlockMetadataStore {
  const has = async (namespace: string, id: string) =>
    (await ctx.stmt('SELECT 1 FROM block WHERE namespace_id = ? AND id = ?').get(namespace, id)) !==
    undefined;
  // One statement for any number of ids: they travel as one JSON array.
  const selectBlocks = async (namespace: string, ids: readonly BlockId[]) => {
    const found = new Map<BlockId, BlockRecord>();
    if (ids.length === 0) return found;
    const rows = (await ctx
      .stmt('SELECT * FROM block WHERE namespace_id = ? AND id IN (SELECT value FROM json_each(?))')
      .all(namespace, JSON.stringify([...new Set(ids)]))) as Row[];
    for (const row of rows) {
      const block = blockFromRow(row);
      found.set(block.id, block);
    }
    return found;
  };

  return {
    async findMissingBlocks(namespace, ids) {
      const held = await selectBlocks(namespace, ids);
      return [...new Set(ids)].filter((id) => !held.has(id));
    },

    async getBlocks(namespace, ids) {
      return await selectBlocks(namespace, ids);
    },

    async recordBlock(input) {
      return ctx.write(
        async () => {
          const inserted = await ctx
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
          await ctx
            .stmt('UPDATE namespace SET used_bytes = used_bytes + ? WHERE id = ?')
            .run(input.plainSize, input.namespace);
          // Reserved bytes become used ones in the same transaction: never counted twice, never
          // counted by neither.
          if (input.reservation !== undefined) {
            await quota.consume(input.reservation, input.namespace, input.plainSize);
          }
          return true;
        },
        { namespaces: [input.namespace] },
      );
    },

    async getBlock(namespace, id) {
      const row = (await ctx
        .stmt('SELECT * FROM block WHERE namespace_id = ? AND id = ?')
        .get(namespace, id)) as Row | undefined;
      return row && blockFromRow(row);
    },

    async touchBlocks(namespace, ids, nowMs) {
      await ctx
        .stmt(
          `UPDATE block SET last_access_ms = ?
           WHERE namespace_id = ? AND id IN (SELECT value FROM json_each(?))`,
        )
        .run(nowMs, namespace, JSON.stringify([...new Set(ids)]));
    },

    async setBlockTier(namespace, id, tier) {
      await ctx
        .stmt('UPDATE block SET tier = ? WHERE namespace_id = ? AND id = ?')
        .run(tier, namespace, id);
    },

    async listUnreferencedBlocks(createdBeforeMs, limit) {
      const rows = (await ctx
        .stmt(
          'SELECT * FROM block WHERE refcount = 0 AND created_ms < ? ORDER BY created_ms LIMIT ?',
        )
        .all(createdBeforeMs, limit)) as Row[];
      return rows.map(blockFromRow);
    },

    async listColdCandidates(lastAccessBeforeMs, limit) {
      const rows = (await ctx
        .stmt(
          `SELECT * FROM block WHERE tier = 'hot' AND last_access_ms < ?
           ORDER BY last_access_ms LIMIT ?`,
        )
        .all(lastAccessBeforeMs, limit)) as Row[];
      return rows.map(blockFromRow);
    },

    async forgetUnreferencedBlock(namespace, id) {
      return ctx.write(async () => {
        const row = (await ctx
          .stmt('SELECT plain_size FROM block WHERE namespace_id = ? AND id = ? AND refcount = 0')
          .get(namespace, id)) as { plain_size: number } | undefined;
        if (!row) return false;
        await ctx.stmt('DELETE FROM block WHERE namespace_id = ? AND id = ?').run(namespace, id);
        await ctx
          .stmt('UPDATE namespace SET used_bytes = used_bytes - ? WHERE id = ?')
          .run(row.plain_size, namespace);
        return true;
      });
    },

    async hasBlock(namespace, id) {
      return await has(namespace, id);
    },
  };
}
