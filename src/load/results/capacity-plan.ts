/**
 * The shape of a capacity plan (`plan.json`), built by src/plan/ and rendered by src/report/:
 * a result type like the run summary, kept here so both read it from below.
 */
import type { Exposure } from './summary.ts'

/** One quota pool of one account and Region, as a variant uses it. */
export interface PlanPool {
  readonly account: string
  readonly region: string
  readonly pool: string
  /** the quota's name in Service Quotas (or the pool name) */
  readonly quotaName: string
  readonly adjustable: boolean
  /** calls/s allowed today (this variant's quota, with its overrides) */
  readonly limit: number
  /** calls offered in the busiest second today */
  readonly peakNow: number
  /** `run`: the variant's run did not throttle the pool; `probe`: re-measured with retries off and the quota lifted */
  readonly demandSource: 'run' | 'probe'
  /** peakNow / limit */
  readonly utilizationNow: number
  /** limit − peakNow (negative: over the quota today) */
  readonly headroomNow: number
  /** projected peak second, months 0..N */
  readonly peakByMonth: readonly number[]
  /** first month (0 = now) whose projected peak exceeds the quota, within the horizon; null when none */
  readonly throttleMonth: number | null
  /** the first month beyond the horizon, under the same growth; null when it never comes */
  readonly throttleMonthBeyond: number | null
  /** smallest quota keeping month N's peak unthrottled: ⌈peak × (1 + g)^N⌉ */
  readonly requiredQuota: number
  /** requiredQuota − limit, when positive; else 0 */
  readonly increase: number
}

/** One variant's plan. */
export interface PlanVariant {
  readonly name: string
  readonly description?: string
  readonly mitigations: readonly string[]
  readonly quotaOverrides: Readonly<Record<string, number>>
  /** application requests per second (average over the window) */
  readonly requestsPerSecond: number
  readonly callsPerRequest: number
  /** share of application requests throttled today */
  readonly throttleRateNow: number
  /** KMS calls per month today (the window's rate sustained, times costFactor; the probe's when the run throttled) */
  readonly kmsCallsPerMonth: number
  /** the monthly bill in USD, months 0..N (the probe's when the run throttled: serving the whole demand) */
  readonly costByMonth: readonly number[]
  readonly pools: readonly PlanPool[]
  /** the earliest throttle month of its pools (null: none within the horizon) */
  readonly throttleMonth: number | null
  readonly exposure: Exposure
}

/** A mitigation (non-baseline variant) against the baseline. */
export interface PlanMitigation {
  readonly rank: number
  readonly variant: string
  readonly mitigations: readonly string[]
  /** KMS calls per month saved against the baseline today (negative: it costs more calls) */
  readonly kmsCallsSavedPerMonth: number
  /** dollars per month saved today */
  readonly dollarsSavedNow: number
  /** dollars per month saved in the horizon month */
  readonly dollarsSavedAtHorizon: number
  readonly throttleMonth: number | null
  readonly quotaOverrides: Readonly<Record<string, number>>
  readonly exposure: Exposure
}

/** A quota increase the baseline needs within the horizon. */
export interface QuotaRequest {
  readonly account: string
  readonly region: string
  readonly pool: string
  readonly quotaName: string
  readonly adjustable: boolean
  readonly current: number
  /** the quota to request: ⌈month-N peak⌉ */
  readonly request: number
  readonly increase: number
  /** the month the current quota runs out */
  readonly throttleMonth: number
  readonly command?: string
  /** mitigations (variants) that keep this pool under its current quota through the horizon */
  readonly avoidedBy: readonly string[]
}

/** A capacity plan: `plan.json`. */
export interface CapacityPlan {
  readonly kind: 'kms-bench-plan'
  readonly version: 1
  readonly scenario: string
  readonly description?: string
  readonly source: 'scenario' | 'workload'
  readonly region: string
  readonly seed: number
  /** seconds of traffic simulated per variant */
  readonly windowSeconds: number
  readonly growthPerMonth: number
  readonly months: number
  readonly costFactor: number
  readonly baseline: string
  readonly variants: readonly PlanVariant[]
  readonly mitigations: readonly PlanMitigation[]
  readonly quotaRequests: readonly QuotaRequest[]
  /** how the plan was computed, in paragraphs */
  readonly method: readonly string[]
  readonly assumptions: readonly string[]
}
