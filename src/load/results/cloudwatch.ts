/**
 * The CloudWatch view of a run: KMS publishes `AWS/Usage` `CallCount` per minute (dimensions
 * Service KMS, Type API, Resource e.g. `CryptographicOperationsSymmetric`, Class None), and teams
 * alarm on it through Service Quotas ("usage > X % of the quota for N minutes",
 * https://docs.aws.amazon.com/servicequotas/latest/userguide/configure-cloudwatch.html; the AWS
 * Security Blog post "Manage your AWS KMS API request rates using Service Quotas and Amazon
 * CloudWatch"). The quota is per second and enforced in one-second windows; a one-minute sum
 * hides the bursts that throttle. This module rebuilds the per-minute series from the run's
 * per-second pool counts and evaluates such an alarm in the run's (virtual) time: when it would
 * have fired, and when throttling happened while it stayed silent.
 *
 * Assumptions: `CallCount` counts every call offered to the pool (accepted + throttled); the
 * alarm compares the minute's average rate (`CallCount` / 60) with X % of the per-second quota
 * and fires after N consecutive breaching minutes (CloudWatch "N out of N datapoints"). It is
 * evaluated at the end of each minute, with no delivery delay (real CloudWatch adds some), and
 * its state holds until the next evaluation: throttling in a minute counts as silent unless
 * the alarm was already in ALARM when it happened (the previous minute ended in ALARM).
 */
import type { TimelineEntry, VariantSummary } from './summary.ts'
import { at } from '../../util/index.ts'

/** A Service-Quotas-style alarm. */
export interface UsageAlarm {
  /** threshold, percent of the quota. @default 80 */
  readonly percent: number
  /** consecutive one-minute periods above it before the alarm fires. @default 1 */
  readonly minutes: number
}

/** The default alarm: 80 % of the quota for one minute (the most sensitive one-period alarm). */
export const DEFAULT_USAGE_ALARM: UsageAlarm = { percent: 80, minutes: 1 }

/** One quota resource's per-minute series and alarm. */
export interface UsageSeries {
  readonly account: string
  readonly region: string
  readonly pool: string
  /** the AWS/Usage `Resource` dimension */
  readonly resource: string
  /** requests per second */
  readonly limit: number
  /** `CallCount` Sum per minute (minute i covers seconds 60 i .. 60 i + 59 of the run) */
  readonly callCount: number[]
  /** throttled calls per minute */
  readonly throttled: number[]
  /** the busiest second of each minute (calls offered) */
  readonly peakPerSecond: number[]
  /** minutes (0-based) at whose end the alarm is in ALARM */
  readonly alarmMinutes: number[]
  /** first second at which the alarm fires (end of its first ALARM minute), or null */
  readonly firedAtSecond: number | null
  /** seconds with throttling while the alarm was not in ALARM (not yet fired, or back to OK) */
  readonly silentThrottledSeconds: number
  /** throttled calls while the alarm was not in ALARM */
  readonly silentThrottledCalls: number
}

/** The CloudWatch view of one variant. */
export interface CloudWatchView {
  readonly periodSeconds: 60
  readonly alarm: UsageAlarm
  readonly series: UsageSeries[]
}

const RESOURCES: Record<string, string> = {
  symmetric: 'CryptographicOperationsSymmetric',
  rsa: 'CryptographicOperationsRsa',
  ecc: 'CryptographicOperationsEcc',
}

/** The AWS/Usage `Resource` of a pool (control-plane pools are named by their operation). */
export function usageResource(pool: string): string {
  return RESOURCES[pool] ?? pool.replace(/^api:/, '')
}

/** Builds the view from a variant's timeline and quota pools. */
export function cloudWatchView(
  v: Pick<VariantSummary, 'quota' | 'timeline'>,
  alarm: UsageAlarm = DEFAULT_USAGE_ALARM,
): CloudWatchView {
  const series: UsageSeries[] = []
  for (const q of v.quota) {
    const key = `${q.account}/${q.region}/${q.pool}`
    series.push(poolSeries(key, q, v.timeline, alarm))
  }
  return { periodSeconds: 60, alarm, series }
}

function poolSeries(
  key: string,
  q: VariantSummary['quota'][number],
  timeline: readonly TimelineEntry[],
  alarm: UsageAlarm,
): UsageSeries {
  const seconds = timeline.reduce((m, e) => Math.max(m, e.second + 1), 0)
  const minutes = Math.max(1, Math.ceil(seconds / 60))
  const callCount = new Array<number>(minutes).fill(0)
  const throttled = new Array<number>(minutes).fill(0)
  const peak = new Array<number>(minutes).fill(0)
  const throttledBySecond = new Map<number, number>()
  for (const e of timeline) {
    const a = e.poolAccepted[key] ?? 0
    const t = e.poolThrottled?.[key] ?? 0
    const m = Math.floor(e.second / 60)
    callCount[m] = at(callCount, m) + a + t
    throttled[m] = at(throttled, m) + t
    peak[m] = Math.max(at(peak, m), a + t)
    if (t > 0) throttledBySecond.set(e.second, t)
  }
  const threshold = (alarm.percent / 100) * q.limit * 60
  const alarmMinutes: number[] = []
  let run = 0
  for (let m = 0; m < minutes; m++) {
    run = at(callCount, m) > threshold ? run + 1 : 0
    if (run >= alarm.minutes) alarmMinutes.push(m)
  }
  const inAlarm = new Set(alarmMinutes)
  let silentSeconds = 0
  let silentCalls = 0
  for (const [s, t] of throttledBySecond) {
    if (inAlarm.has(Math.floor(s / 60) - 1)) continue
    silentSeconds++
    silentCalls += t
  }
  const first = alarmMinutes[0]
  return {
    account: q.account,
    region: q.region,
    pool: q.pool,
    resource: usageResource(q.pool),
    limit: q.limit,
    callCount,
    throttled,
    peakPerSecond: peak,
    alarmMinutes,
    firedAtSecond: first === undefined ? null : (first + 1) * 60,
    silentThrottledSeconds: silentSeconds,
    silentThrottledCalls: silentCalls,
  }
}

/** Whether the alarm of `series` is in ALARM during second `second` (it fired at the end of the previous minute). */
export function alarmInForce(series: Pick<UsageSeries, 'alarmMinutes'>, second: number): boolean {
  return series.alarmMinutes.includes(Math.floor(second / 60) - 1)
}
