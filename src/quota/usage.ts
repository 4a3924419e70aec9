/**
 * Quota usage metering, like CloudWatch's AWS/Usage metrics for KMS: per quota pool of each
 * account × Region, and per second, calls accepted and throttled.
 * (https://docs.aws.amazon.com/kms/latest/developerguide/monitoring-cloudwatch.html#kms-metrics)
 */

/** Totals of one pool of one account × Region over the metered period. */
export interface PoolUsage {
  /** e.g. `symmetric`, `rsa`, `ecc`, `ml-dsa`, `api:CreateKey`, `key-pair:RSA_2048`, `custom-key-store:<id>` */
  readonly pool: string
  readonly account: string
  readonly region: string
  /** requests/s in force (profile value or override, times `quotaScale`); per key for `hot-key` */
  readonly limit: number
  readonly accepted: number
  readonly throttled: number
  /**
   * highest accepted + throttled in any one window, per second (a pool whose limit is below
   * 1/s has windows of several seconds: the count is divided by the window length)
   */
  readonly peakPerSecond: number
  /** peakPerSecond / limit (Infinity when the limit is 0 and calls came) */
  readonly utilization: number
  /** seconds covered by windows in which at least one call was throttled */
  readonly throttledSeconds: number
}

/** One pool's counts in one one-second window. */
export interface UsageSecond {
  /** whole epoch seconds of the window start, from the clock (windows are 1 s, or longer for limits below 1/s) */
  readonly epochSecond: number
  /** `account/region/pool` */
  readonly key: string
  readonly accepted: number
  readonly throttled: number
}

/** Everything metered so far. */
export interface QuotaUsage {
  readonly pools: readonly PoolUsage[]
  /** per-second series, oldest first (bounded by the meter's retention) */
  readonly seconds: readonly UsageSecond[]
}
