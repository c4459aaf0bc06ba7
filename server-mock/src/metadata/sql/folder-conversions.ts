/**
 * Folder conversions in progress and the blocks they pin (schema v7). A conversion re-encodes
 * blocks into its target namespace before the one transaction that moves the files; each block
 * it writes is pinned (one extra refcount, listed in conversion_block) from the moment its row
 * exists, so neither GC pass can collect it (refcount > 0, and the sweep finds the row). The
 * final transaction, or abandoning the conversion, drops the pins: blocks no version names then
 * become ordinary garbage. The helpers with a `Sync` suffix run inside a caller's transaction.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type {
  BeginFolderConversionInput,
  PinConvertedBlockInput,
  PinOutcome,
} from '../share-store.js';
import type { SqlContext } from './sql-context.js';

interface ConversionRow {
  readonly id: string;
  readonly kind: 'share' | 'unshare';
  readonly target_namespace: NamespaceId;
}

export class FolderConversions {
  constructor(private readonly ctx: SqlContext) {}

  async begin(input: BeginFolderConversionInput): Promise<void> {
    const { ctx } = this;
    await ctx.write(async () => {
      if (input.newNamespace) {
        await ctx
          .stmt('INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES (?, ?, ?, ?)')
          .run(input.target, 'shared', input.newNamespace.ownerId, input.nowMs);
        await ctx
          .stmt(
            'INSERT INTO namespace_key (namespace_id, wrapped_key, created_ms) VALUES (?, ?, ?)',
          )
          .run(input.target, Buffer.from(input.newNamespace.wrappedKey), input.nowMs);
      }
      await ctx
        .stmt(
          `INSERT INTO folder_conversion
             (id, kind, source_namespace, target_namespace, started_ms, touched_ms)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(input.id, input.kind, input.source, input.target, input.nowMs, input.nowMs);
    });
  }

  async pin(input: PinConvertedBlockInput): Promise<PinOutcome> {
    const { ctx } = this;
    return ctx.write(async (): Promise<PinOutcome> => {
      const conversion = await this.getSync(input.conversionId);
      if (!conversion || conversion.target_namespace !== input.namespace) return 'abandoned';
      const listed = await ctx
        .stmt('SELECT 1 FROM conversion_block WHERE conversion_id = ? AND block_id = ?')
        .get(input.conversionId, input.id);
      if (listed) return 'pinned';
      const bumped = await ctx
        .stmt('UPDATE block SET refcount = refcount + 1 WHERE namespace_id = ? AND id = ?')
        .run(input.namespace, input.id);
      if (bumped.changes === 0) {
        if (!input.sizes) return 'absent';
        await ctx
          .stmt(
            `INSERT INTO block
               (namespace_id, id, plain_size, encoded_size, refcount, last_access_ms, created_ms)
             VALUES (?, ?, ?, ?, 1, ?, ?)`,
          )
          .run(
            input.namespace,
            input.id,
            input.sizes.plainSize,
            input.sizes.encodedSize,
            input.nowMs,
            input.nowMs,
          );
        await ctx
          .stmt('UPDATE namespace SET used_bytes = used_bytes + ? WHERE id = ?')
          .run(input.sizes.plainSize, input.namespace);
      }
      await ctx
        .stmt('INSERT INTO conversion_block (conversion_id, block_id) VALUES (?, ?)')
        .run(input.conversionId, input.id);
      await ctx
        .stmt('UPDATE folder_conversion SET touched_ms = MAX(touched_ms, ?) WHERE id = ?')
        .run(input.nowMs, input.conversionId);
      return 'pinned';
    });
  }

  /** The conversion's row, if it has neither completed nor been abandoned. */
  async getSync(id: string): Promise<ConversionRow | undefined> {
    return (await this.ctx
      .stmt('SELECT id, kind, target_namespace FROM folder_conversion WHERE id = ?')
      .get(id)) as ConversionRow | undefined;
  }

  /** The blocks the conversion has pinned so far. */
  async pinnedSync(id: string): Promise<Set<BlockId>> {
    const rows = (await this.ctx
      .stmt('SELECT block_id FROM conversion_block WHERE conversion_id = ?')
      .all(id)) as Array<{ block_id: BlockId }>;
    return new Set(rows.map((r) => r.block_id));
  }

  /** Drops the conversion's pins and its row (the end of a completed or abandoned one). */
  async endSync(id: string): Promise<void> {
    const { ctx } = this;
    const conversion = await this.getSync(id);
    if (!conversion) return;
    for (const blockId of await this.pinnedSync(id)) {
      await ctx
        .stmt('UPDATE block SET refcount = refcount - 1 WHERE namespace_id = ? AND id = ?')
        .run(conversion.target_namespace, blockId);
    }
    await ctx.stmt('DELETE FROM conversion_block WHERE conversion_id = ?').run(id);
    await ctx.stmt('DELETE FROM folder_conversion WHERE id = ?').run(id);
  }

  /**
   * Ends a conversion that will not complete. A share conversion's new namespace holds no file
   * (only the final transaction moves files into it): its key and row go too, and its blocks,
   * now unreferenced, are collected with their bytes by the next GC run.
   */
  async abandon(id: string): Promise<void> {
    await this.ctx.write(async () => await this.abandonSync(id));
  }

  async abandonIdle(touchedBeforeMs: number): Promise<number> {
    return this.ctx.write(async () => {
      const idle = (await this.ctx
        .stmt('SELECT id FROM folder_conversion WHERE touched_ms < ?')
        .all(touchedBeforeMs)) as Array<{ id: string }>;
      for (const { id } of idle) await this.abandonSync(id);
      return idle.length;
    });
  }

  private async abandonSync(id: string): Promise<void> {
    const { ctx } = this;
    const conversion = await this.getSync(id);
    if (!conversion) return;
    await this.endSync(id);
    if (conversion.kind !== 'share') return;
    const namespace = conversion.target_namespace;
    const hasFiles = await ctx
      .stmt('SELECT 1 FROM file WHERE namespace_id = ? LIMIT 1')
      .get(namespace);
    if (hasFiles) return;
    await ctx.stmt('DELETE FROM namespace_key WHERE namespace_id = ?').run(namespace);
    await ctx.stmt('DELETE FROM journal WHERE namespace_id = ?').run(namespace);
    await ctx.stmt('DELETE FROM namespace WHERE id = ?').run(namespace);
  }
}
