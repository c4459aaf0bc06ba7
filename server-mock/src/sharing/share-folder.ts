/**
 * Sharing a folder with another user (SPEC "Sharing"). The first share of a plain folder turns
 * it into a namespace of its own: its blocks are re-encrypted server-side under a fresh key (the
 * recipient must never get the owner's root key) and pinned against garbage collection as they
 * are written (convert-blocks.ts), then one transaction moves files, versions and references
 * and mounts the namespace where the folder was. First shares of one folder sent at once each
 * convert; the first transaction wins and the others share its namespace. Each share then
 * mounts the namespace in the recipient's root as `/NAME` (or `/NAME (2)`, …, shortened to fit).
 */
import {
  baseName,
  type BlockId,
  type NamespaceId,
  type RemotePath,
  type ShareId,
  type ShareRole,
} from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import { assertNever, ServerError } from '../errors.js';
import type { NamespaceKeyring } from '../keys/namespace-keyring.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { Actor, ShareRecord } from '../metadata/records.js';
import { createId } from '../new-ids.js';
import {
  conversionAbandoned,
  pinConvertedBlocks,
  type BlockConversion,
  type ConvertBlocksDeps,
} from './convert-blocks.js';
import { evenIfAbandoned } from '../request-signal.js';

const MAX_CONVERT_ATTEMPTS = 5;

/** What sharing a folder uses of the server (a ServerContext is one). */
export type ShareFolderDeps = ConvertBlocksDeps & {
  readonly store: Pick<
    MetadataStore,
    | 'beginFolderConversion'
    | 'listBlocksUnder'
    | 'convertFolderToNamespace'
    | 'abandonFolderConversion'
    | 'getUserByEmail'
    | 'createShare'
    | 'listMounts'
    | 'getNamespace'
    | 'getEntry'
  >;
  readonly keyring: Pick<NamespaceKeyring, 'createKey' | 'keyOf'>;
};

/**
 * Turns the plain folder `folder` of `root` into a shared namespace; returns its id. When a
 * first share sent at the same time converted the folder first, returns that namespace (this
 * conversion is abandoned: its blocks become garbage).
 */
async function convertFolder(
  deps: ShareFolderDeps,
  input: { root: NamespaceId; folder: RemotePath; actor: Actor },
): Promise<NamespaceId> {
  const namespace = createId<NamespaceId>('namespace');
  const { key, wrapped } = deps.keyring.createKey(namespace);
  const conversion: BlockConversion = {
    id: createId('conversion'),
    source: input.root,
    target: namespace,
    sourceKey: await deps.keyring.keyOf(input.root),
    targetKey: key,
    isFreshTarget: true,
  };
  await deps.store.beginFolderConversion({
    id: conversion.id,
    kind: 'share',
    source: input.root,
    target: namespace,
    newNamespace: { ownerId: input.actor.userId, wrappedKey: wrapped },
    nowMs: deps.now(),
  });
  let isDone = false;
  try {
    const pinned = new Set<BlockId>();
    let wanted = await deps.store.listBlocksUnder(input.root, input.folder);
    for (let attempt = 0; attempt < MAX_CONVERT_ATTEMPTS; attempt++) {
      await pinConvertedBlocks(deps, conversion, { wanted, pinned });
      const outcome = await deps.store.convertFolderToNamespace({
        conversionId: conversion.id,
        root: input.root,
        folder: input.folder,
        newNamespace: namespace,
        actor: input.actor,
      });
      switch (outcome.kind) {
        case 'converted':
          isDone = true;
          return namespace;
        case 'already_converted':
          return outcome.namespace;
        case 'need_blocks':
          // Commits landed while we re-encoded: pick up their blocks and try again.
          wanted = outcome.missing;
          break;
        case 'abandoned':
          throw conversionAbandoned();
        case 'path_conflict':
          throw new ServerError('path_conflict', outcome.message);
        default:
          return assertNever(outcome);
      }
    }
    throw new ServerError('unavailable', `${input.folder} keeps changing; try sharing again`, {
      retryAfterMs: 1000,
    });
  } finally {
    // Whatever stopped it: drop its pins and the unused namespace now rather than wait for
    // the storage policy to find it idle.
    if (!isDone) await evenIfAbandoned(() => deps.store.abandonFolderConversion(conversion.id));
  }
}

/** Shares the folder at `userPath` of `view` with `email` as `role`. */
export async function shareFolder(
  deps: ShareFolderDeps,
  input: { view: UserView; userPath: RemotePath; email: string; role: ShareRole; actor: Actor },
): Promise<ShareRecord> {
  const { view, userPath, actor } = input;
  const recipient = await deps.store.getUserByEmail(input.email);
  if (!recipient) throw new ServerError('not_found', `no user with email ${input.email}`);
  if (recipient.id === view.user.id)
    throw new ServerError('invalid_request', 'you cannot share with yourself');
  let current = view;
  for (let attempt = 0; attempt < MAX_CONVERT_ATTEMPTS; attempt++) {
    if (attempt > 0) current = await UserView.load(deps.store, view.user);
    const namespace = await namespaceToShare(deps, { view: current, userPath, actor });
    const outcome = await deps.store.createShare({
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
    // The namespace went back into a plain folder (its last share revoked) before this share
    // landed: resolve the path again.
    if (outcome === 'not_shared_folder') continue;
    return outcome.share;
  }
  throw new ServerError('unavailable', `${userPath} keeps changing; try sharing again`, {
    retryAfterMs: 1000,
  });
}

/** The namespace to share for `userPath`: its own when shared already, else a new one. */
async function namespaceToShare(
  deps: ShareFolderDeps,
  input: { view: UserView; userPath: RemotePath; actor: Actor },
): Promise<NamespaceId> {
  const { view, userPath, actor } = input;
  const target = view.resolve(userPath);
  let namespace: NamespaceId;
  if (target.namespace !== view.user.rootNamespace) {
    if (target.path !== '/') {
      throw new ServerError('path_conflict', 'cannot share a folder inside a shared folder');
    }
    const ns = await deps.store.getNamespace(target.namespace);
    if (ns?.ownerId !== view.user.id)
      throw new ServerError('forbidden', 'only the owner can share this folder');
    namespace = target.namespace;
  } else {
    const entry = await deps.store.getEntry(target.namespace, target.path);
    if (!entry) throw new ServerError('not_found', `${userPath} does not exist`);
    if (!entry.isDir)
      throw new ServerError('path_conflict', `${userPath} is a file; share a folder`);
    namespace = await convertFolder(deps, { root: target.namespace, folder: target.path, actor });
  }
  return namespace;
}
