/**
 * Builds one variant's part of `summary.json` from what the run recorded: counters, HDR
 * histograms (compressed base64), the per-second timeline joined with the quota meter, the
 * mitigations' reports, and the cost from the KMS price model.
 */
import { attributedRecord } from './attribution.ts'
import { OPERATION_NAMES, estimateCost } from '../../kms/index.ts'
import type { GroupTally } from './group-results.ts'
import type { QuotaUsage } from '../../quota/index.ts'
import { encodeHistogram, latencyStats } from './histograms.ts'
import type { VariantRecorder } from './recorder.ts'
import type { Billing, Exposure, MitigationSummary, QuotaPoolUsage, TimelineEntry, VariantSummary } from './summary.ts'
import { at } from '../../util/index.ts'

/** Operations billed at the asymmetric price (when their key is asymmetric, which these always are). */
const ASYMMETRIC_OPS = new Set(['Sign', 'Verify', 'GetPublicKey', 'DeriveSharedSecret'])
const KEY_PAIR_OPS = new Set(['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'])

/**
 * What a variant's summary reads of a mitigation and its run (a `Mitigation` and its
 * `MitigationRun` of scenario/types.ts have this shape).
 */
export interface MitigationReport {
  readonly mitigation: {
    readonly name: string
    readonly params: Readonly<Record<string, unknown>>
    readonly assumptions?: readonly string[]
  }
  readonly run:
    | {
        stats?(): Record<string, number>
        exposure?(): Partial<Exposure>
        assumptions?(): string[]
        findings?(): string[]
      }
    | undefined
}

/** What {@link buildVariantSummary} needs. */
export interface VariantSummaryInput {
  name: string
  description?: string
  recorder: VariantRecorder
  durationSeconds: number
  mitigations: readonly MitigationReport[]
  quotaOverrides: Record<string, number>
  usage: QuotaUsage | undefined
  /** epoch second of the run's second 0 (to place the meter's seconds) */
  startEpochSecond: number
  /** monthly-billed keys: one entry per key with its rotations */
  keys: { rotations: number }[]
  /** retries made by the retry layer (in-process) */
  layerRetries: number
  /** largest payload of the workload, bytes */
  maxPayloadBytes: number
  /** seconds of the schedule that ran, when the run stopped early (rates, cost and timeline cover only these) */
  ranSeconds?: number
  /** the fleet's groups, with what their hosts completed (results per group) */
  groups?: readonly GroupTally[]
}

/** Computes a variant summary. */
export function buildVariantSummary(i: VariantSummaryInput): VariantSummary {
  const rec = i.recorder
  rec.flush()
  const outcome = (k: 0 | 1 | 2 | 3): VariantSummary['outcomes']['succeeded'] => {
    const h = rec.outcomes[k].histogram
    return { latencyMs: latencyStats(h), histogram: encodeHistogram(h) }
  }
  const byOperation: VariantSummary['kms']['byOperation'] = {}
  let calls = 0
  let throttled = 0
  let failed = 0
  const billing: Billing = {
    symmetricRequests: 0,
    asymmetricRequests: 0,
    dataKeyPairRequests: 0,
    keys: i.keys.map((k) => ({ rotations: k.rotations })),
  }
  for (let op = 0; op < OPERATION_NAMES.length; op++) {
    const c = at(rec.kmsCalls, op)
    if (c === 0) continue
    const name = at(OPERATION_NAMES, op)
    const t = at(rec.kmsThrottled, op)
    const f = at(rec.kmsFailed, op)
    byOperation[name] = { calls: c, throttled: t, failed: f }
    calls += c
    throttled += t
    failed += f
    // Throttled calls are free; every call KMS served is billed.
    const served = c - t
    if (KEY_PAIR_OPS.has(name)) billing.dataKeyPairRequests += served
    else if (ASYMMETRIC_OPS.has(name)) billing.asymmetricRequests += served
    else billing.symmetricRequests += served
  }
  // An interrupted run covers only the time that ran: its rates and monthly figures are over that.
  const ran = i.ranSeconds !== undefined && i.ranSeconds < i.durationSeconds ? i.ranSeconds : undefined
  const seconds = ran ?? i.durationSeconds
  const cost = costOf(billing, seconds)
  const offered = rec.offered
  const duration = seconds > 0 ? seconds : 1
  const mitigations: MitigationSummary[] = i.mitigations.map(({ mitigation, run }) => ({
    name: mitigation.name,
    params: { ...mitigation.params },
    assumptions: [...(mitigation.assumptions ?? []), ...(run?.assumptions?.() ?? [])],
    stats: run?.stats?.() ?? {},
    ...(run?.findings !== undefined ? { findings: run.findings() } : {}),
  }))
  const timeline = withPools(rec.timeline(Math.ceil(seconds)), i.usage, i.startEpochSecond)
  // The timeline stops where the run did (requests finishing after the stop land in the last second).
  if (ran !== undefined) cutTimeline(timeline, Math.max(1, Math.ceil(ran)))
  return {
    name: i.name,
    ...(i.description !== undefined ? { description: i.description } : {}),
    mitigations,
    quotaOverrides: i.quotaOverrides,
    ...(ran !== undefined ? { ranSeconds: ran } : {}),
    offered: { requests: offered, ratePerSecond: offered / duration },
    achieved: {
      requests: rec.achieved,
      ratePerSecond: rec.achieved / duration,
      ...(rec.late > 0 ? { late: rec.late } : {}),
    },
    completed: {
      succeeded: rec.succeeded,
      failed: rec.failed,
      dropped: rec.dropped,
      throttled: rec.throttled,
      timedOut: rec.timedOut,
      errors: Object.fromEntries([...rec.errors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    },
    kms: {
      calls,
      throttled,
      failed,
      callsPerRequest: offered > 0 ? calls / offered : 0,
      byOperation,
      ...(rec.attribution.byCaller.size > 0
        ? {
            byCaller: attributedRecord(rec.attribution.byCaller),
            byAccount: attributedRecord(rec.attribution.byAccount),
            byKey: attributedRecord(rec.attribution.byKey),
            byCallerSource: rec.attribution.source,
          }
        : {}),
    },
    retries: i.layerRetries + rec.sdkRetries,
    throttleRate: offered > 0 ? rec.throttled / offered : 0,
    // Latency users recognise: that of the requests they were served (outcomes keeps the rest apart).
    latencyMs: latencyStats(rec.outcomes[0].histogram),
    histogram: encodeHistogram(rec.outcomes[0].histogram),
    outcomes: {
      succeeded: outcome(0),
      throttled: outcome(1),
      failed: outcome(2),
      ...(rec.timedOut > 0 ? { timedOut: outcome(3) } : {}),
    },
    serviceTimeMs: latencyStats(rec.service.histogram),
    serviceTimeHistogram: encodeHistogram(rec.service.histogram),
    kmsCallLatency: {
      latencyMs: latencyStats(rec.kmsLatency.histogram),
      histogram: encodeHistogram(rec.kmsLatency.histogram),
    },
    quota: quotaPools(i.usage),
    costUsd: cost,
    ...(i.groups !== undefined ? { groups: i.groups.map((g) => g.summary()) } : {}),
    ...dynamodbOf(mitigations),
    billing,
    exposure: mergeExposure(
      i.mitigations.map((m) => m.run?.exposure?.() ?? {}),
      i.maxPayloadBytes,
    ),
    timeline,
  }
}

/**
 * The DynamoDB requests mitigations made (the hierarchical keyring's branch key store: stats
 * `dynamodbGetItem`, `dynamodbTransactWriteItems`, read and write units, `dynamodbUsd`,
 * `dynamodbUsdPerMonth`), summed over the variant's mitigations; nothing when none made any.
 */
export function dynamodbOf(mitigations: readonly MitigationSummary[]): Pick<VariantSummary, 'dynamodb'> {
  const sum = (stat: string): number => mitigations.reduce((a, m) => a + (m.stats[stat] ?? 0), 0)
  if (!mitigations.some((m) => m.stats['dynamodbGetItem'] !== undefined)) return {}
  return {
    dynamodb: {
      getItem: sum('dynamodbGetItem'),
      transactWriteItems: sum('dynamodbTransactWriteItems'),
      readUnits: sum('dynamodbReadUnits'),
      writeUnits: sum('dynamodbWriteUnits'),
      costUsd: { total: sum('dynamodbUsd'), monthly: sum('dynamodbUsdPerMonth') },
    },
  }
}

/** The cost of a run from its billing inputs. */
export function costOf(billing: Billing, durationSeconds: number): VariantSummary['costUsd'] {
  const e = estimateCost({
    symmetricRequests: billing.symmetricRequests,
    asymmetricRequests: billing.asymmetricRequests,
    dataKeyPairRequests: billing.dataKeyPairRequests,
    keys: billing.keys,
    periodSeconds: durationSeconds > 0 ? durationSeconds : 1,
  })
  return { requests: e.requests, keys: e.keys, total: e.total, monthly: e.monthly, billedKeys: e.billedKeys }
}

function quotaPools(usage: QuotaUsage | undefined): QuotaPoolUsage[] {
  if (usage === undefined) return []
  return usage.pools.map((p) => ({
    pool: p.pool,
    account: p.account,
    region: p.region,
    limit: p.limit,
    accepted: p.accepted,
    throttled: p.throttled,
    peakPerSecond: p.peakPerSecond,
    utilization: p.utilization,
    throttledSeconds: p.throttledSeconds,
  }))
}

/** Joins the quota meter's per-second series into the timeline (accepted and throttled per pool). */
function withPools(
  timeline: TimelineEntry[],
  usage: QuotaUsage | undefined,
  startEpochSecond: number,
): TimelineEntry[] {
  if (usage === undefined) return timeline
  for (const s of usage.seconds) {
    const second = s.epochSecond - startEpochSecond
    if (second < 0) continue
    while (timeline.length <= second) timeline.push(emptyEntry(timeline.length))
    const e = at(timeline, second)
    if (s.accepted > 0) e.poolAccepted[s.key] = (e.poolAccepted[s.key] ?? 0) + s.accepted
    if (s.throttled > 0) (e.poolThrottled ??= {})[s.key] = (e.poolThrottled[s.key] ?? 0) + s.throttled
  }
  return timeline
}

/**
 * Adds the counts of `from` (requests, KMS calls, per operation and per pool) into `into`; the
 * percentiles and histogram of a second are not counts and stay as they are.
 */
export function addEntry(into: TimelineEntry, from: TimelineEntry): void {
  into.offered += from.offered
  into.achieved += from.achieved
  into.succeeded += from.succeeded
  into.throttled += from.throttled
  into.failed += from.failed
  into.dropped += from.dropped
  into.kmsCalls += from.kmsCalls
  into.kmsThrottled += from.kmsThrottled
  if (from.timedOut !== undefined) into.timedOut = (into.timedOut ?? 0) + from.timedOut
  if (from.late !== undefined) into.late = (into.late ?? 0) + from.late
  for (const [k, v] of Object.entries(from.kmsByOperation)) into.kmsByOperation[k] = (into.kmsByOperation[k] ?? 0) + v
  for (const [k, v] of Object.entries(from.poolAccepted)) into.poolAccepted[k] = (into.poolAccepted[k] ?? 0) + v
  for (const [k, v] of Object.entries(from.poolThrottled ?? {}))
    (into.poolThrottled ??= {})[k] = (into.poolThrottled[k] ?? 0) + v
}

/** Folds the entries from second `n` on into second `n − 1` and drops them. */
function cutTimeline(timeline: TimelineEntry[], n: number): void {
  if (timeline.length <= n) return
  const last = at(timeline, n - 1)
  for (const e of timeline.slice(n)) addEntry(last, e)
  timeline.length = n
}

/** A timeline entry with nothing in it. */
export function emptyEntry(second: number): TimelineEntry {
  return {
    second,
    offered: 0,
    achieved: 0,
    succeeded: 0,
    throttled: 0,
    failed: 0,
    dropped: 0,
    kmsCalls: 0,
    kmsThrottled: 0,
    kmsByOperation: {},
    poolAccepted: {},
    p50Ms: 0,
    p99Ms: 0,
  }
}

/**
 * The variant's exposure: without caching every data key protects one message of at most
 * the largest payload, for no time; mitigations raise the maxima (and their keys held in
 * memory add up).
 */
export function mergeExposure(parts: Partial<Exposure>[], maxPayloadBytes: number): Exposure {
  const e: Exposure = {
    maxMessagesPerDataKey: 1,
    maxBytesPerDataKey: maxPayloadBytes,
    maxSecondsPerDataKey: 0,
    plaintextKeysInMemory: 0,
    principalsPerBucketKey: 0,
    notes: [],
  }
  for (const p of parts) {
    if (p.maxMessagesPerDataKey !== undefined)
      e.maxMessagesPerDataKey = Math.max(e.maxMessagesPerDataKey, p.maxMessagesPerDataKey)
    if (p.maxBytesPerDataKey !== undefined) e.maxBytesPerDataKey = Math.max(e.maxBytesPerDataKey, p.maxBytesPerDataKey)
    if (p.maxSecondsPerDataKey !== undefined)
      e.maxSecondsPerDataKey = Math.max(e.maxSecondsPerDataKey, p.maxSecondsPerDataKey)
    if (p.plaintextKeysInMemory !== undefined) e.plaintextKeysInMemory += p.plaintextKeysInMemory
    if (p.principalsPerBucketKey !== undefined)
      e.principalsPerBucketKey = Math.max(e.principalsPerBucketKey, p.principalsPerBucketKey)
    if (p.notes !== undefined) e.notes.push(...p.notes)
  }
  return e
}

const ATTRIBUTION_FIELDS = ['byCaller', 'byAccount', 'byKey'] as const

/**
 * A scale model's variant at full size: every count, rate, quota and cost of a run at
 * `scale` (< 1) divided by the scale (counts rounded), so that what a report says is what the
 * full-size system would see; ratios (throttle rate, utilisation, calls per request) and
 * latencies are as measured. The figures as run are kept in `asRun`.
 */
export function atFullSize(v: VariantSummary, scale: number, durationSeconds: number): VariantSummary {
  if (scale === 1 || !(scale > 0)) return v
  const f = 1 / scale
  const n = (x: number): number => Math.round(x * f)
  const r = (x: number): number => x * f
  const counts = (o: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(o).map(([k, x]) => [k, n(x)]))
  const attributed = (o: Record<string, { calls: number; throttled: number }>) =>
    Object.fromEntries(Object.entries(o).map(([k, x]) => [k, { calls: n(x.calls), throttled: n(x.throttled) }]))
  // Who uses the quota, at full size like every other count (as run under asRun.kms).
  const attribution = ATTRIBUTION_FIELDS.flatMap((f) => {
    const m = v.kms[f]
    return m !== undefined ? [[f, m] as const] : []
  })
  const billing: Billing | undefined =
    v.billing !== undefined
      ? {
          ...v.billing,
          symmetricRequests: n(v.billing.symmetricRequests),
          asymmetricRequests: n(v.billing.asymmetricRequests),
          dataKeyPairRequests: n(v.billing.dataKeyPairRequests),
        }
      : undefined
  const c = v.completed
  return {
    ...v,
    ...(v.groups !== undefined
      ? {
          groups: v.groups.map((g) => ({
            ...g,
            requests: n(g.requests),
            completed: {
              succeeded: n(g.completed.succeeded),
              throttled: n(g.completed.throttled),
              failed: n(g.completed.failed),
              timedOut: n(g.completed.timedOut),
            },
          })),
        }
      : {}),
    quotaOverrides: Object.fromEntries(Object.entries(v.quotaOverrides).map(([k, x]) => [k, r(x)])),
    offered: { requests: n(v.offered.requests), ratePerSecond: r(v.offered.ratePerSecond) },
    achieved: {
      requests: n(v.achieved.requests),
      ratePerSecond: r(v.achieved.ratePerSecond),
      ...(v.achieved.late !== undefined ? { late: n(v.achieved.late) } : {}),
    },
    completed: {
      succeeded: n(c.succeeded),
      throttled: n(c.throttled),
      failed: n(c.failed),
      timedOut: n(c.timedOut),
      dropped: n(c.dropped),
      errors: counts(c.errors),
    },
    kms: {
      ...v.kms,
      calls: n(v.kms.calls),
      throttled: n(v.kms.throttled),
      failed: n(v.kms.failed),
      byOperation: Object.fromEntries(
        Object.entries(v.kms.byOperation).map(([op, x]) => [
          op,
          { calls: n(x.calls), throttled: n(x.throttled), failed: n(x.failed) },
        ]),
      ),
      ...Object.fromEntries(attribution.map(([f, m]) => [f, attributed(m)])),
    },
    retries: n(v.retries),
    quota: v.quota.map((q) => ({
      ...q,
      limit: r(q.limit),
      accepted: n(q.accepted),
      throttled: n(q.throttled),
      peakPerSecond: r(q.peakPerSecond),
    })),
    ...(billing !== undefined ? { billing, costUsd: costOf(billing, v.ranSeconds ?? durationSeconds) } : {}),
    timeline: v.timeline.map((e) => ({
      ...e,
      offered: n(e.offered),
      achieved: n(e.achieved),
      succeeded: n(e.succeeded),
      throttled: n(e.throttled),
      failed: n(e.failed),
      dropped: n(e.dropped),
      kmsCalls: n(e.kmsCalls),
      kmsThrottled: n(e.kmsThrottled),
      kmsByOperation: counts(e.kmsByOperation),
      poolAccepted: counts(e.poolAccepted),
      ...(e.timedOut !== undefined ? { timedOut: n(e.timedOut) } : {}),
      ...(e.late !== undefined ? { late: n(e.late) } : {}),
      ...(e.poolThrottled !== undefined ? { poolThrottled: counts(e.poolThrottled) } : {}),
    })),
    asRun: {
      scale,
      offered: v.offered,
      completed: {
        succeeded: c.succeeded,
        throttled: c.throttled,
        failed: c.failed,
        timedOut: c.timedOut,
        dropped: c.dropped,
      },
      kms: { calls: v.kms.calls, throttled: v.kms.throttled, ...Object.fromEntries(attribution) },
      retries: v.retries,
      costUsd: {
        requests: v.costUsd.requests,
        keys: v.costUsd.keys,
        total: v.costUsd.total,
        monthly: v.costUsd.monthly,
      },
    },
  }
}
