/**
 * Mitigations: target decorators that change how many KMS calls an application request costs
 * (data-key caching, S3 Bucket Keys, single-flight, ...), and the read-only table of the
 * built-in ones (`BUILT_IN_MITIGATIONS`).
 */
export { accountSharding, principalIn } from './account-sharding.ts'
export type { AccountShardingOptions } from './account-sharding.ts'
export {
  BRANCH_KEY_CREATE_CALLS,
  BRANCH_KEY_VERSION_CALLS,
  BranchKeyCache,
  DEFAULT_BRANCH_KEY_CACHE_CAPACITY,
  HierarchicalKeyringModel,
} from './branch-key-cache.ts'
export type { HierarchicalKeyringModelOptions, KeyStoreCalls } from './branch-key-cache.ts'
export { blobId, contextId, dataKeyRequestId } from './call-keys.ts'
export {
  dataKeyCache,
  DEFAULT_CACHE_CAPACITY,
  MAX_BYTES_PER_CACHED_KEY,
  MAX_MESSAGES_PER_CACHED_KEY,
} from './data-key-cache.ts'
export type { DataKeyCacheOptions } from './data-key-cache.ts'
export { dataKeyPool } from './data-key-pool.ts'
export type { DataKeyPoolOptions } from './data-key-pool.ts'
export { DEFAULT_ESDK_SUITE, ESDK_SUITES, esdkSuite } from './esdk-suites.ts'
export type { EsdkSuite } from './esdk-suites.ts'
export { DYNAMODB_PRICES, hierarchicalKeyring } from './hierarchical-keyring.ts'
export type { HierarchicalKeyringOptions } from './hierarchical-keyring.ts'
export { multiRegion } from './multi-region.ts'
export type { MultiRegionOptions } from './multi-region.ts'
export {
  accountOption,
  booleanOption,
  durationOption,
  enumOption,
  intOption,
  invalidMitigation,
  MitigationConfigError,
  numberOption,
  parseOptions,
  positiveOption,
  regionOption,
} from './params.ts'
export type { Parsed } from './params.ts'
export { niceCeil, quotaIncrease } from './quota-increase.ts'
export type { QuotaIncreaseOptions } from './quota-increase.ts'
export { CIPHERTEXT_OPERATIONS, inRegion, outputBlob, reroutingInvoker, Rewrites } from './routing.ts'
export { DEFAULT_BUCKET_KEY_LIFETIME_SECONDS, s3BucketKeys } from './s3-bucket-keys.ts'
export type { S3BucketKeysOptions } from './s3-bucket-keys.ts'
export { increaseCommand, serviceQuotaOf } from './service-quotas.ts'
export type { ServiceQuota } from './service-quotas.ts'
export { COALESCIBLE_OPERATIONS, singleFlight } from './single-flight.ts'
export type { CoalescibleOperation, SingleFlightOptions } from './single-flight.ts'
export { StormTracker } from './storm-tracker.ts'
export type { StormDecision, StormTrackerSettings } from './storm-tracker.ts'
export { STORM_TRACKING_DEFAULTS, stormTrackingCache } from './storm-tracking-cache.ts'
export type { StormTrackingCacheOptions } from './storm-tracking-cache.ts'
export { BUILT_IN_MITIGATIONS } from './table.ts'
