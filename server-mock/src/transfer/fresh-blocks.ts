/**
 * The blocks one upload newly stored, per namespace: what must be discarded again when the
 * upload fails, or moves to another namespace, so that it leaves nothing stored or charged.
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { discardStoredBlocks, type DiscardBlocksDeps } from './store-block.js';

export class FreshBlocks {
  private readonly byNamespace = new Map<NamespaceId, BlockId[]>();

  constructor(private readonly deps: DiscardBlocksDeps) {}

  add(namespace: NamespaceId, id: BlockId): void {
    const ids = this.byNamespace.get(namespace);
    if (ids) ids.push(id);
    else this.byNamespace.set(namespace, [id]);
  }

  /** Discards those of `namespace` (each only while still unreferenced). */
  async discardIn(namespace: NamespaceId): Promise<void> {
    const ids = this.byNamespace.get(namespace) ?? [];
    this.byNamespace.delete(namespace);
    await discardStoredBlocks(this.deps, namespace, ids);
  }

  /** Discards those of every namespace but `kept` (where the upload was committed). */
  async discardAllBut(kept: NamespaceId | undefined): Promise<void> {
    for (const namespace of [...this.byNamespace.keys()]) {
      if (namespace !== kept) await this.discardIn(namespace);
    }
  }
}
