/**
 * A block's full address in a store: blocks are keyed by namespace and id together, because each
 * namespace encrypts with its own key (the same plaintext block is different ciphertext in two
 * namespaces).
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';

/** One block of one namespace. */
export interface BlockAddress {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
}

/** A string key for maps and locks: `<namespace>/<id>` (neither part can contain `/`). */
export function blockAddressKey(address: BlockAddress): string {
  return `${address.namespace}/${address.id}`;
}
