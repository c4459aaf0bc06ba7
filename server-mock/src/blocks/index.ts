/**
 * Block storage of the reference server: the BlockStore interface, its embedded default on local
 * directories (hot and cold tiers) and the shared contract suite's types. Imports only node
 * modules and sync-engine/src/protocol; nothing from the HTTP or metadata layers.
 */
export type { BlockStore, BlockTier } from './block-store.js';
export { blockAddressKey, type BlockAddress } from './block-address.js';
export { isStorableNamespace } from './block-paths.js';
export type { ColdCompression } from './cold-block-codec.js';
export { KeyedLock } from './keyed-lock.js';
export { LocalDirBlockStore, type LocalDirBlockStoreOptions } from './local-dir-block-store.js';
