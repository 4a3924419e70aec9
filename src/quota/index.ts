/**
 * The quota model: AWS KMS request quotas per account, Region and pool, enforced in fixed
 * one-second windows, with usage metering. Pure; reads time only from a Clock.
 */
export { parseProfile, QuotaConfigError, resolveQuotaConfig } from './config.ts'
export type { QuotaOptions, ResolvedQuotaConfig } from './config.ts'
export { QuotaGate } from './gate.ts'
export type { KeyLookup, QuotaCaller, QuotaKey } from './gate.ts'
export { LimiterSlot, windowAllowance, windowPlan } from './limiter.ts'
export type { QuotaMode, WindowPlan } from './limiter.ts'
export { DEFAULT_RETENTION_SECONDS, MeterEntry } from './meter.ts'
export {
  API_POOL_PREFIX,
  API_QUOTA_OPERATIONS,
  CUSTOM_KEY_STORE_POOL,
  DEFAULT_HOT_KEY_PER_SECOND,
  fixedPoolNames,
  HOT_KEY_OPERATIONS,
  HOT_KEY_POOL,
  isPoolName,
  KEY_PAIR_POOL_PREFIX,
  KEY_PAIR_SPECS,
  OPERATION_CHARGES,
  poolNameProblem,
  SHARED_POOLS,
  sharedPoolOfKeySpec,
} from './pools.ts'
export type { OperationCharge, SharedPool } from './pools.ts'
export { BUILT_IN_PROFILES, NO_QUOTA_PROFILE, profileNames } from './profiles.ts'
export type { QuotaProfile, QuotaProfileInput } from './profiles.ts'
export type { PoolUsage, QuotaUsage, UsageSecond } from './usage.ts'
