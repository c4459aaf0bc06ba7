import { randomUUID } from 'node:crypto';
import type { Brand } from '../protocol/index.js';

/**
 * The stable id of an item in the client's trees. Local to one device (never sent to the
 * server): it survives renames and moves, so a folder rename is one move of one item.
 */
export type ItemId = Brand<string, 'ItemId'>;

/** What an item is; fixed for the item's life (a file replaced by a folder is a new item). */
export type ItemKind = 'file' | 'folder';

/** A fresh random item id (a UUID). */
export function newItemId(): ItemId {
  return randomUUID() as ItemId;
}
