/**
 * The client's local state in SQLite: the remote, local and synced trees, block lists, server
 * cursors, the outbox of pending changes, conflicts and settings, behind versioned migrations.
 * Node only (better-sqlite3); imported by the engine's executors and loop, never by `plan/`.
 */
export type { BlockRef, LocalBlockSource, BlockLists } from './block-lists.js';
export {
  CLIENT_STATE_ERROR_CODES,
  ClientStateError,
  type ClientStateErrorCode,
} from './client-state-error.js';
export { openClientState, type ClientState, type ClientStateOptions } from './client-state.js';
export type {
  Conflict,
  ConflictReason,
  ConflictResolution,
  ConflictTable,
  NewConflict,
} from './conflict-table.js';
export type { CursorKey, CursorTable } from './cursor-table.js';
export { newItemId, type ItemId, type ItemKind } from './item-id.js';
export type { CreateItemOptions, Item, ItemTables } from './item-tables.js';
export type { LocalItem } from './local-tree.js';
export { LATEST_SCHEMA_VERSION } from './migrations/index.js';
export type { ConnectionSettings } from './open-database.js';
export type {
  Outbox,
  OutboxChange,
  OutboxChangeKind,
  OutboxEntry,
  OutboxFailure,
} from './outbox.js';
export { computeBackoffMs, DEFAULT_BACKOFF_POLICY, type BackoffPolicy } from './outbox-backoff.js';
export type { RemoteItem } from './remote-tree.js';
export type { JsonValue, SettingsTable } from './settings-table.js';
export type { SyncedItem } from './synced-tree.js';
export { TREE_NAMES, type TreeName, type TreeRow, type TreeTable } from './tree-table.js';
