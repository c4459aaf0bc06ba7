/**
 * The server's storage policy (SPEC "Storage policy"): version thinning, garbage collection of
 * blocks and cold tiering, each reaching metadata only through the narrow port it declares
 * (VersionHistorySource, BlockReferenceSource, ColdTierSource); the pass that orders them with
 * the expiry steps (storage-policy.ts) and the timer that runs it (policy-timer.ts). No HTTP code.
 */
export {
  DEFAULT_THINNING_POLICY,
  selectVersionsToDelete,
  thinningPolicyWithLimit,
  thinVersions,
  type ThinningBucket,
  type ThinningPolicy,
  type ThinVersionsOptions,
  type VersionHistorySource,
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
export { StoragePolicy, type StoragePolicyDeps } from './storage-policy.js';
export { startPolicyTimer, type PolicyTimer, type PolicyTimerOptions } from './policy-timer.js';
