/**
 * The server's storage policy (SPEC "Storage policy"): version thinning (pure), garbage
 * collection of blocks and cold tiering. Reaches metadata only through the narrow ports declared
 * here (BlockReferenceSource, ColdTierSource); imports blocks/ but no HTTP code.
 */
export {
  DEFAULT_THINNING_POLICY,
  selectVersionsToDelete,
  type ThinningBucket,
  type ThinningPolicy,
  type VersionInfo,
} from './version-thinning.js';
export {
  DEFAULT_GC_GRACE_MS,
  GarbageCollector,
  type BlockReferenceSource,
  type CollectGarbageOptions,
  type GarbageCollectionReport,
  type GarbageCollectorOptions,
} from './garbage-collection.js';
export {
  DEFAULT_COLD_AFTER_MS,
  moveIdleBlocksToCold,
  type ColdTierSource,
  type ColdTieringReport,
  type MoveIdleBlocksOptions,
} from './cold-tiering.js';
