/**
 * Re-encoding a folder's blocks for a conversion (share: root → new namespace; unshare: shared
 * namespace → the owner's root) and pinning them in the metadata store, so garbage collection
 * never sees them as garbage or orphans while the conversion runs (issue 7 item 3). Each block
 * is handled under the per-block lock uploads and GC take:
 * - into a fresh namespace (share): the pinned row first, then the bytes. Nobody else writes to
 *   a namespace that is still being created, so a row briefly without bytes harms no one, and
 *   no GC pass, on any instance, can collect bytes that already have a pinned row;
 * - into the owner's root (unshare): an existing row is pinned as it is (its bytes are there);
 *   else the bytes first, then the pinned row, as uploads do — a row in a live namespace must
 *   mean the bytes are stored, or an upload finding it would skip sending them.
 */
import type { BlockCodecPool } from 'sync-engine/blocks';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey } from '../blocks/block-address.js';
import type { BlockStore } from '../blocks/block-store.js';
import type { BlockLock } from '../blocks/keyed-lock.js';
import { ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';

/** What the block work of a conversion uses of the server (a ServerContext is one). */
export interface ConvertBlocksDeps {
  readonly store: Pick<MetadataStore, 'hasBlock' | 'pinConvertedBlock'>;
  readonly blocks: Pick<BlockStore, 'get' | 'put'>;
  readonly codec: Pick<BlockCodecPool, 'decode' | 'encode'>;
  /** The per-block lock uploads and garbage collection take. */
  readonly blockLock: BlockLock;
  /** Aborted at shutdown: the conversion stops between blocks. */
  readonly shutdownSignal: AbortSignal;
  readonly now: () => number;
}

/**
 * A conversion with no block pinned for this long is taken for dead (its server stopped) and
 * abandoned by the storage policy. Re-encoding one block takes milliseconds; an hour leaves
 * room for a stalled disk without keeping a crashed conversion's blocks pinned for long.
 */
export const CONVERSION_IDLE_TIMEOUT_MS = 60 * 60 * 1000;

/** The parts of a conversion the block work needs. */
export interface BlockConversion {
  readonly id: string;
  readonly source: NamespaceId;
  readonly target: NamespaceId;
  readonly sourceKey: Uint8Array;
  readonly targetKey: Uint8Array;
  /** True when the conversion created `target` (a share), false for an existing root. */
  readonly isFreshTarget: boolean;
}

/** The error a conversion ends with when the storage policy abandoned it meanwhile. */
export function conversionAbandoned(): ServerError {
  return new ServerError('unavailable', 'the folder conversion was interrupted; try again', {
    retryAfterMs: 1000,
  });
}

/** The block re-encoded under the target key; undefined when the source no longer holds it. */
async function reencode(
  deps: ConvertBlocksDeps,
  conversion: BlockConversion,
  id: BlockId,
): Promise<{ encoded: Uint8Array; plainSize: number } | undefined> {
  const encoded = await deps.blocks.get(conversion.source, id);
  if (!encoded) {
    // Collected since it was listed: no version names it any more (a row would say so), and
    // the final transaction asks again for any block still named.
    if (!(await deps.store.hasBlock(conversion.source, id))) return undefined;
    throw new ServerError('internal_error', `block ${id} has no bytes in the store`);
  }
  const plain = await deps.codec.decode(encoded, conversion.sourceKey, id, { transfer: true });
  // Read before encoding: the transfer detaches `plain`.
  const plainSize = plain.length;
  const result = await deps.codec.encode(plain, conversion.targetKey, { transfer: true });
  return { encoded: result.encoded, plainSize };
}

/** Pins one block; false when the source no longer holds it (nothing pinned). */
async function pinBlock(
  deps: ConvertBlocksDeps,
  conversion: BlockConversion,
  id: BlockId,
): Promise<boolean> {
  const { target } = conversion;
  const lockKey = blockAddressKey({ namespace: target, id });
  const pin = async (sizes?: { plainSize: number; encodedSize: number }) => {
    const outcome = await deps.store.pinConvertedBlock({
      conversionId: conversion.id,
      namespace: target,
      id,
      sizes,
      nowMs: deps.now(),
    });
    if (outcome === 'abandoned') throw conversionAbandoned();
    return outcome;
  };
  if (!conversion.isFreshTarget && (await deps.blockLock.run(lockKey, () => pin())) === 'pinned') {
    return true;
  }
  const block = await reencode(deps, conversion, id);
  if (!block) return false;
  const sizes = { plainSize: block.plainSize, encodedSize: block.encoded.length };
  await deps.blockLock.run(lockKey, async () => {
    if (conversion.isFreshTarget) {
      await pin(sizes);
      await deps.blocks.put(target, id, block.encoded);
    } else {
      await deps.blocks.put(target, id, block.encoded);
      await pin(sizes);
    }
  });
  return true;
}

/**
 * Re-encodes and pins every block of `blocks.wanted` not pinned yet (`blocks.pinned` grows as
 * they are). Stops at shutdown: the caller abandons the conversion, and the client tries again
 * later.
 */
export async function pinConvertedBlocks(
  deps: ConvertBlocksDeps,
  conversion: BlockConversion,
  blocks: { readonly wanted: Iterable<BlockId>; readonly pinned: Set<BlockId> },
): Promise<void> {
  const { wanted, pinned } = blocks;
  for (const id of wanted) {
    if (pinned.has(id)) continue;
    if (deps.shutdownSignal.aborted) {
      throw new ServerError('unavailable', 'the server is shutting down; try again', {
        retryAfterMs: 1000,
      });
    }
    if (await pinBlock(deps, conversion, id)) pinned.add(id);
  }
}
