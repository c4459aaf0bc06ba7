/**
 * The way back from a share (issue 7 item 6): when the last share of a folder goes, its
 * namespace turns back into a plain folder of the owner's root at the mount point, so it can be
 * deleted, moved anywhere and shared again like any folder. The reverse of the share
 * conversion: blocks are re-encoded under the root key (or the root's still-present copy is
 * pinned) with the same GC safety (convert-blocks.ts), then one transaction moves files,
 * versions and references back. File ids, revisions and history do not change, nor do paths.
 */
import {
  isSameOrDescendant,
  type BlockId,
  type NamespaceId,
  type RemotePath,
} from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import { assertNever, ServerError } from '../errors.js';
import type { NamespaceKeyring } from '../keys/namespace-keyring.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { Actor } from '../metadata/records.js';
import { createId } from '../new-ids.js';
import {
  conversionAbandoned,
  pinConvertedBlocks,
  type BlockConversion,
  type ConvertBlocksDeps,
} from './convert-blocks.js';
import { evenIfAbandoned } from '../request-signal.js';

const MAX_UNSHARE_ATTEMPTS = 5;

/** What turning a shared folder back uses of the server (a ServerContext is one). */
export type UnshareFolderDeps = ConvertBlocksDeps & {
  readonly store: Pick<
    MetadataStore,
    | 'getNamespace'
    | 'countShares'
    | 'getUser'
    | 'beginFolderConversion'
    | 'listBlocksOf'
    | 'convertNamespaceToFolder'
    | 'abandonFolderConversion'
    | 'listMounts'
  >;
  readonly keyring: Pick<NamespaceKeyring, 'keyOf'>;
};

/**
 * Turns the shared namespace `namespace` back into a folder of its owner's root when no share
 * is left; true when it did. False when it is shared (again) or not a mounted shared folder.
 */
export async function unshareFolder(
  deps: UnshareFolderDeps,
  input: { namespace: NamespaceId; actor: Actor },
): Promise<boolean> {
  const { namespace, actor } = input;
  const record = await deps.store.getNamespace(namespace);
  if (record?.kind !== 'shared' || (await deps.store.countShares(namespace)) > 0) return false;
  const owner = await deps.store.getUser(record.ownerId);
  if (!owner) throw new ServerError('internal_error', `namespace ${namespace} has no owner`);
  const conversion: BlockConversion = {
    id: createId('conversion'),
    source: namespace,
    target: owner.rootNamespace,
    sourceKey: await deps.keyring.keyOf(namespace),
    targetKey: await deps.keyring.keyOf(owner.rootNamespace),
    isFreshTarget: false,
  };
  await deps.store.beginFolderConversion({
    id: conversion.id,
    kind: 'unshare',
    source: namespace,
    target: owner.rootNamespace,
    nowMs: deps.now(),
  });
  let isDone = false;
  try {
    const pinned = new Set<BlockId>();
    let wanted = await deps.store.listBlocksOf(namespace);
    for (let attempt = 0; attempt < MAX_UNSHARE_ATTEMPTS; attempt++) {
      await pinConvertedBlocks(deps, conversion, { wanted, pinned });
      const outcome = await deps.store.convertNamespaceToFolder({
        conversionId: conversion.id,
        namespace,
        root: owner.rootNamespace,
        actor,
      });
      switch (outcome.kind) {
        case 'converted':
          isDone = true;
          return true;
        case 'need_blocks':
          // Commits landed in the folder meanwhile: pin their blocks too and try again.
          wanted = outcome.missing;
          break;
        case 'still_shared':
        case 'not_mounted':
          return false;
        case 'abandoned':
          throw conversionAbandoned();
        case 'path_conflict':
          throw new ServerError('path_conflict', outcome.message);
        default:
          return assertNever(outcome);
      }
    }
    throw new ServerError('unavailable', 'the folder keeps changing; try again', {
      retryAfterMs: 1000,
    });
  } finally {
    // Its pins go now (the blocks it wrote back become garbage unless a version names them).
    if (!isDone) await evenIfAbandoned(() => deps.store.abandonFolderConversion(conversion.id));
  }
}

/**
 * Before deleting `userPath`: shared folders at or below it that the caller owns and nobody
 * shares any more (the way back at the last revoke failed or was cut short) go back to plain
 * folders now. Returns the caller's view, reloaded when anything changed.
 */
export async function unshareIdleFoldersAt(
  deps: UnshareFolderDeps,
  input: { view: UserView; userPath: RemotePath; actor: Actor },
): Promise<UserView> {
  const { view, userPath, actor } = input;
  let hasChanged = false;
  for (const namespace of view.namespaces()) {
    const mountPath = view.mountPathOf(namespace);
    if (namespace === view.user.rootNamespace || mountPath === undefined) continue;
    if (!isSameOrDescendant(mountPath, userPath)) continue;
    if ((await deps.store.getNamespace(namespace))?.ownerId !== view.user.id) continue;
    if (await unshareFolder(deps, { namespace, actor })) hasChanged = true;
  }
  return hasChanged ? UserView.load(deps.store, view.user) : view;
}
