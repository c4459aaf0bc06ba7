/**
 * Streams a file version's plaintext, block by block: read the encoded block, decode it in the
 * codec pool, write the part inside the requested range. One block is decoded ahead while the
 * previous one is written; memory stays at about two blocks whatever the file size.
 */
import { Readable } from 'node:stream';
import type { BlockCodecPool } from 'sync-engine/blocks';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockStore } from '../blocks/block-store.js';
import { ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { VersionRecord } from '../metadata/records.js';
import type { ByteRange } from './byte-range.js';

/** What streaming a file uses of the server (a ServerContext is one). */
export interface DownloadDeps {
  readonly blocks: Pick<BlockStore, 'get'>;
  readonly codec: Pick<BlockCodecPool, 'decode'>;
}

interface BlockSpan {
  readonly id: BlockId;
  /** Offset of the block in the file. */
  readonly offset: number;
  readonly size: number;
}

/** Where each block of `version` sits in the file (sizes come from the block rows). */
export async function layoutBlocks(
  store: Pick<MetadataStore, 'getBlock'>,
  version: VersionRecord,
): Promise<BlockSpan[]> {
  const sizes = new Map<BlockId, number>();
  for (const id of new Set(version.blocks)) {
    const block = await store.getBlock(version.namespace, id);
    if (!block) throw new ServerError('internal_error', `block ${id} of ${version.rev} is missing`);
    sizes.set(id, block.plainSize);
  }
  let offset = 0;
  return version.blocks.map((id) => {
    const span = { id, offset, size: sizes.get(id) ?? 0 };
    offset += span.size;
    return span;
  });
}

/** One block's plaintext; `file` names the namespace the block is stored in and its key. */
async function decodeBlock(
  deps: DownloadDeps,
  file: { readonly namespace: NamespaceId; readonly key: Uint8Array },
  id: BlockId,
): Promise<Uint8Array> {
  const { namespace, key } = file;
  const encoded = await deps.blocks.get(namespace, id);
  if (!encoded) throw new ServerError('internal_error', `block ${id} has no bytes in the store`);
  return deps.codec.decode(encoded, key, id, { transfer: true });
}

/** A stream of the bytes `range` (inclusive) of the file laid out as `spans`. */
export function streamFileRange(
  deps: DownloadDeps,
  input: { namespace: NamespaceId; key: Uint8Array; spans: readonly BlockSpan[]; range: ByteRange },
): Readable {
  const { range } = input;
  const wanted = input.spans.filter(
    (s) => s.size > 0 && s.offset <= range.end && s.offset + s.size > range.start,
  );
  async function* generate(): AsyncGenerator<Uint8Array> {
    let next = wanted[0] ? decodeBlock(deps, input, wanted[0].id) : undefined;
    for (let i = 0; i < wanted.length; i++) {
      const span = wanted[i]!;
      const plain = await next!;
      const following = wanted[i + 1];
      next = following ? decodeBlock(deps, input, following.id) : undefined;
      // Keep a rejected prefetch from being reported as unhandled if the client went away.
      next?.catch(() => undefined);
      const from = Math.max(0, range.start - span.offset);
      const to = Math.min(span.size, range.end - span.offset + 1);
      yield plain.subarray(from, to);
    }
  }
  return Readable.from(generate(), { objectMode: false });
}
