/**
 * Sharing a folder with another user (SPEC "Sharing"). The first share of a plain folder turns
 * it into a namespace of its own: its blocks are re-encrypted server-side under a fresh key (the
 * recipient must never get the owner's root key), then one transaction moves files, versions
 * and references and mounts the namespace where the folder was. Each share then mounts the
 * namespace in the recipient's root as `/NAME` (or `/NAME (2)`, …).
 */
import {
  baseName,
  type BlockId,
  type NamespaceId,
  type RemotePath,
  type ShareId,
  type ShareRole,
} from '../../../sync-engine/src/protocol/index.js';
import type { UserView } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { Actor, ShareRecord } from '../metadata/records.js';
import type { ReencodedBlock } from '../metadata/share-store.js';
import { createId } from '../new-ids.js';
import type { ServerContext } from '../server-context.js';

const MAX_CONVERT_ATTEMPTS = 5;

async function reencodeBlock(
  ctx: ServerContext,
  input: {
    from: NamespaceId;
    to: NamespaceId;
    fromKey: Uint8Array;
    toKey: Uint8Array;
    id: BlockId;
  },
): Promise<ReencodedBlock> {
  const encoded = await ctx.blocks.get(input.from, input.id);
  if (!encoded) throw new ServerError('internal_error', `block ${input.id} has no bytes`);
  const plain = await ctx.codec.decode(encoded, input.fromKey, input.id, { transfer: true });
  const plainSize = plain.length;
  const result = await ctx.codec.encode(plain, input.toKey, { transfer: true });
  await ctx.blocks.put(input.to, input.id, result.encoded);
  return { id: input.id, plainSize, encodedSize: result.encoded.length };
}

/** Turns the plain folder `folder` of `root` into a shared namespace; returns its id. */
async function convertFolder(
  ctx: ServerContext,
  input: { root: NamespaceId; folder: RemotePath; actor: Actor },
): Promise<NamespaceId> {
  const namespace = createId<NamespaceId>('namespace');
  const { key, wrapped } = ctx.keyring.createKey(namespace);
  const rootKey = await ctx.keyring.keyOf(input.root);
  const reencoded = new Map<BlockId, ReencodedBlock>();
  let wanted = await ctx.store.listBlocksUnder(input.root, input.folder);
  for (let attempt = 0; attempt < MAX_CONVERT_ATTEMPTS; attempt++) {
    for (const id of wanted) {
      if (reencoded.has(id)) continue;
      const args = { from: input.root, to: namespace, fromKey: rootKey, toKey: key, id };
      reencoded.set(id, await reencodeBlock(ctx, args));
    }
    const outcome = await ctx.store.convertFolderToNamespace({
      root: input.root,
      folder: input.folder,
      newNamespace: namespace,
      wrappedKey: wrapped,
      blocks: reencoded,
      actor: input.actor,
    });
    if (outcome.kind === 'path_conflict') throw new ServerError('path_conflict', outcome.message);
    if (outcome.kind === 'converted') {
      await ctx.bus.publish({ topic: input.root, seq: outcome.rootSeq });
      await ctx.bus.publish({ topic: namespace, seq: outcome.namespaceSeq });
      return namespace;
    }
    // Commits landed while we re-encoded: pick up their blocks and try again.
    wanted = outcome.missing;
  }
  throw new ServerError('unavailable', `${input.folder} keeps changing; try sharing again`, {
    retryAfterMs: 1000,
  });
}

/** Shares the folder at `userPath` of `view` with `email` as `role`. */
export async function shareFolder(
  ctx: ServerContext,
  input: { view: UserView; userPath: RemotePath; email: string; role: ShareRole; actor: Actor },
): Promise<ShareRecord> {
  const { view, userPath, actor } = input;
  const recipient = await ctx.store.getUserByEmail(input.email);
  if (!recipient) throw new ServerError('not_found', `no user with email ${input.email}`);
  if (recipient.id === view.user.id)
    throw new ServerError('invalid_request', 'you cannot share with yourself');
  const target = view.resolve(userPath);
  let namespace: NamespaceId;
  if (target.namespace !== view.user.rootNamespace) {
    if (target.path !== '/') {
      throw new ServerError('path_conflict', 'cannot share a folder inside a shared folder');
    }
    const ns = await ctx.store.getNamespace(target.namespace);
    if (ns?.ownerId !== view.user.id)
      throw new ServerError('forbidden', 'only the owner can share this folder');
    namespace = target.namespace;
  } else {
    const entry = await ctx.store.getEntry(target.namespace, target.path);
    if (!entry) throw new ServerError('not_found', `${userPath} does not exist`);
    if (!entry.isDir)
      throw new ServerError('path_conflict', `${userPath} is a file; share a folder`);
    namespace = await convertFolder(ctx, { root: target.namespace, folder: target.path, actor });
  }
  const outcome = await ctx.store.createShare({
    id: createId<ShareId>('share'),
    namespace,
    ownerId: view.user.id,
    recipientId: recipient.id,
    role: input.role,
    name: baseName(userPath),
    actor,
  });
  if (outcome === 'already_shared') {
    throw new ServerError('already_shared', `${userPath} is already shared with ${input.email}`);
  }
  await ctx.bus.publish({ topic: outcome.recipientRoot, seq: outcome.seq });
  return outcome.share;
}
