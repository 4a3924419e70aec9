/**
 * Merges shard results (`kms-bench run --shard I/N`) into one result, exactly: counters are
 * summed, HDR histograms are added (`add()`), per-second timelines are summed second by
 * second (with each second's histogram when the shards kept them, so merged p50/p99 are
 * exact too), quota pools are summed per pool with their peaks recomputed from the summed
 * per-second series, and cost is recomputed from the summed billing inputs (the free tier
 * applies once). Averaging shard percentiles would be wrong: merged p99 ≠ mean of p99s.
 */
import type { Histogram } from 'hdr-histogram-js'
import { decodeHistogram, encodeHistogram, initHistograms, latencyStats, newMergeHistogram } from './histograms.ts'
import type {
  Billing,
  Exposure,
  MitigationSummary,
  OutcomeLatency,
  QuotaPoolUsage,
  RunSummary,
  TimelineEntry,
  VariantSummary,
} from './summary.ts'
import { addEntry, costOf, emptyEntry } from './variant-summary.ts'
import { at } from '../../util/index.ts'

/** Why shard results cannot be merged. */
export class MergeError extends Error {
  override readonly name = 'MergeError'
}

/** Merges shard summaries of one run. Throws {@link MergeError} for results that do not belong together. */
export async function mergeSummaries(parts: readonly RunSummary[]): Promise<RunSummary> {
  await initHistograms()
  if (parts.length === 0) throw new MergeError('nothing to merge')
  const first = at(parts, 0)
  const problems: string[] = []
  const seen = new Set<number>()
  const shardCount = first.shards[0]?.count ?? 1
  for (const [i, p] of parts.entries()) {
    for (const field of ['scenario', 'seed', 'durationSeconds', 'region', 'target', 'clock', 'scale'] as const) {
      if (p[field] !== first[field])
        problems.push(
          `result ${i + 1}: ${field} ${JSON.stringify(p[field])} differs from ${JSON.stringify(first[field])}`,
        )
    }
    const names = p.variants.map((v) => v.name).join(',')
    if (names !== first.variants.map((v) => v.name).join(','))
      problems.push(`result ${i + 1}: variants [${names}] differ from [${first.variants.map((v) => v.name).join(',')}]`)
    for (const s of p.shards) {
      if (s.count !== shardCount)
        problems.push(`result ${i + 1}: shard ${s.index}/${s.count} is not one of ${shardCount} shards`)
      if (seen.has(s.index)) problems.push(`shard ${s.index}/${s.count} appears twice`)
      seen.add(s.index)
    }
  }
  if (problems.length > 0) throw new MergeError(`these results cannot be merged: ${problems.join('; ')}`)
  const allShards = seen.size === shardCount
  const assumptions = new Set<string>()
  for (const p of parts) for (const a of p.assumptions) if (!/^Shard \d+ of \d+:/.test(a)) assumptions.add(a)
  if (!allShards)
    assumptions.add(`Only ${seen.size} of ${shardCount} shards were merged: the result covers part of the run.`)
  // Embedded shards each enforce 1/N of every quota (limits add up); shards of one endpoint
  // share its quotas and each read the whole endpoint's meter.
  const shared = first.target !== 'embedded'
  if (shared)
    assumptions.add(
      "Shards ran against one shared endpoint: quota pool figures are those of the busiest shard's reading of the endpoint's meter, not a sum.",
    )
  const shardsOf = parts.map((p) => p.shards.length)
  const variants = first.variants.map((_v, vi) =>
    mergeVariant(
      parts.map((p) => at(p.variants, vi)),
      shardsOf,
      first.durationSeconds,
      shared,
    ),
  )
  return {
    ...first,
    shards: parts.flatMap((p) => p.shards).sort((a, b) => a.index - b.index),
    complete: allShards && parts.every((p) => p.complete),
    startedAt: parts.map((p) => p.startedAt).sort()[0] ?? first.startedAt,
    assumptions: [...assumptions],
    thresholds: [],
    variants,
  }
}

function mergeHistograms(encoded: string[], use: (h: Histogram) => void): void {
  const h = newMergeHistogram()
  try {
    for (const e of encoded) {
      const d = decodeHistogram(e)
      h.add(d)
      d.destroy()
    }
    use(h)
  } finally {
    h.destroy()
  }
}

function mergeOutcome(list: OutcomeLatency[]): OutcomeLatency {
  let out: OutcomeLatency | undefined
  mergeHistograms(
    list.map((o) => o.histogram),
    (h) => {
      out = { latencyMs: latencyStats(h), histogram: encodeHistogram(h) }
    },
  )
  return out as OutcomeLatency
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

/** `shardsOf[i]`: how many shards `vs[i]` covers (a part may be a merge itself). */
function mergeVariant(
  vs: VariantSummary[],
  shardsOf: number[],
  durationSeconds: number,
  sharedQuota: boolean,
): VariantSummary {
  const v0 = at(vs, 0)
  const duration = durationSeconds > 0 ? durationSeconds : 1
  const offered = sum(vs.map((v) => v.offered.requests))
  const achieved = sum(vs.map((v) => v.achieved.requests))
  const late = sum(vs.map((v) => v.achieved.late ?? 0))
  const throttled = sum(vs.map((v) => v.completed.throttled))
  const byOperation: VariantSummary['kms']['byOperation'] = {}
  for (const v of vs) {
    for (const [op, c] of Object.entries(v.kms.byOperation)) {
      const t = (byOperation[op] ??= { calls: 0, throttled: 0, failed: 0 })
      t.calls += c.calls
      t.throttled += c.throttled
      t.failed += c.failed
    }
  }
  const kmsCalls = sum(vs.map((v) => v.kms.calls))
  let latencyMs = v0.latencyMs
  let histogram = v0.histogram
  mergeHistograms(
    vs.map((v) => v.histogram),
    (h) => {
      latencyMs = latencyStats(h)
      histogram = encodeHistogram(h)
    },
  )
  let serviceTimeMs = v0.serviceTimeMs
  let serviceTimeHistogram: string | undefined
  const serviceHistograms = vs.map((v) => v.serviceTimeHistogram)
  if (serviceHistograms.every((h): h is string => h !== undefined)) {
    mergeHistograms(serviceHistograms, (h) => {
      serviceTimeMs = latencyStats(h)
      serviceTimeHistogram = encodeHistogram(h)
    })
  }
  const billings = vs.map((v) => v.billing)
  let costUsd = v0.costUsd
  let billing: Billing | undefined
  if (billings.every((b): b is Billing => b !== undefined)) {
    // Requests add up; the keys are the run's keys, which every shard created alike.
    billing = {
      symmetricRequests: sum(billings.map((b) => b.symmetricRequests)),
      asymmetricRequests: sum(billings.map((b) => b.asymmetricRequests)),
      dataKeyPairRequests: sum(billings.map((b) => b.dataKeyPairRequests)),
      keys: at(billings, 0).keys,
    }
    costUsd = costOf(billing, durationSeconds)
  }
  const timeline = mergeTimelines(vs.map((v) => v.timeline))
  const asRuns = vs.flatMap((v) => (v.asRun !== undefined ? [v.asRun] : []))
  const sumOf = (f: (x: NonNullable<VariantSummary['asRun']>) => number): number => sum(asRuns.map(f))
  const asRun: VariantSummary['asRun'] =
    asRuns.length === vs.length && asRuns[0] !== undefined
      ? {
          scale: asRuns[0].scale,
          offered: { requests: sumOf((x) => x.offered.requests), ratePerSecond: sumOf((x) => x.offered.ratePerSecond) },
          completed: {
            succeeded: sumOf((x) => x.completed.succeeded),
            throttled: sumOf((x) => x.completed.throttled),
            failed: sumOf((x) => x.completed.failed),
            timedOut: sumOf((x) => x.completed.timedOut),
            dropped: sumOf((x) => x.completed.dropped),
          },
          kms: {
            calls: sumOf((x) => x.kms.calls),
            throttled: sumOf((x) => x.kms.throttled),
            ...sumAttribution(asRuns.map((x) => x.kms)),
          },
          retries: sumOf((x) => x.retries),
          costUsd: {
            requests: sumOf((x) => x.costUsd.requests),
            keys: asRuns[0].costUsd.keys,
            total: sumOf((x) => x.costUsd.requests) + asRuns[0].costUsd.keys,
            monthly: {
              requests: sumOf((x) => x.costUsd.monthly.requests),
              keys: asRuns[0].costUsd.monthly.keys,
              total: sumOf((x) => x.costUsd.monthly.requests) + asRuns[0].costUsd.monthly.keys,
            },
          },
        }
      : undefined
  return {
    name: v0.name,
    ...(v0.description !== undefined ? { description: v0.description } : {}),
    mitigations: mergeMitigations(vs.map((v) => v.mitigations)),
    quotaOverrides: sharedQuota ? v0.quotaOverrides : mergeRecords(vs.map((v) => v.quotaOverrides)),
    ...(asRun !== undefined ? { asRun } : {}),
    offered: { requests: offered, ratePerSecond: offered / duration },
    achieved: { requests: achieved, ratePerSecond: achieved / duration, ...(late > 0 ? { late } : {}) },
    completed: {
      succeeded: sum(vs.map((v) => v.completed.succeeded)),
      failed: sum(vs.map((v) => v.completed.failed)),
      dropped: sum(vs.map((v) => v.completed.dropped)),
      throttled,
      timedOut: sum(vs.map((v) => v.completed.timedOut)),
      errors: mergeRecords(vs.map((v) => v.completed.errors)),
    },
    kms: {
      calls: kmsCalls,
      throttled: sum(vs.map((v) => v.kms.throttled)),
      failed: sum(vs.map((v) => v.kms.failed)),
      callsPerRequest: offered > 0 ? kmsCalls / offered : 0,
      byOperation,
      ...mergeAttribution(vs),
    },
    retries: sum(vs.map((v) => v.retries)),
    throttleRate: offered > 0 ? throttled / offered : 0,
    latencyMs,
    histogram,
    outcomes: {
      succeeded: mergeOutcome(vs.map((v) => v.outcomes.succeeded)),
      throttled: mergeOutcome(vs.map((v) => v.outcomes.throttled)),
      failed: mergeOutcome(vs.map((v) => v.outcomes.failed)),
      ...(vs.some((v) => v.outcomes.timedOut !== undefined)
        ? {
            timedOut: mergeOutcome(vs.flatMap((v) => (v.outcomes.timedOut !== undefined ? [v.outcomes.timedOut] : []))),
          }
        : {}),
    },
    serviceTimeMs,
    ...(serviceTimeHistogram !== undefined ? { serviceTimeHistogram } : {}),
    kmsCallLatency: mergeOutcome(vs.map((v) => v.kmsCallLatency)),
    quota: sharedQuota
      ? busiestQuota(vs.map((v) => v.quota))
      : mergeQuota(
          vs.map((v) => v.quota),
          shardsOf,
          timeline,
        ),
    costUsd,
    ...mergeGroups(vs),
    ...mergeDynamodb(vs),
    ...(billing !== undefined ? { billing } : {}),
    exposure: mergeExposures(vs.map((v) => v.exposure)),
    timeline,
  }
}

/** Fleet groups of shards, by name: counts add up, latency histograms merge exactly. */
function mergeGroups(vs: readonly VariantSummary[]): Pick<VariantSummary, 'groups'> {
  const first = vs.find((v) => v.groups !== undefined)?.groups
  if (first === undefined) return {}
  return {
    groups: first.map((g0) => {
      const gs = vs.flatMap((v) => v.groups?.filter((g) => g.name === g0.name) ?? [])
      const add = (f: (g: (typeof gs)[number]) => number): number => sum(gs.map(f))
      const requests = add((g) => g.requests)
      const throttled = add((g) => g.completed.throttled)
      return {
        name: g0.name,
        hosts: g0.hosts,
        requests,
        completed: {
          succeeded: add((g) => g.completed.succeeded),
          throttled,
          failed: add((g) => g.completed.failed),
          timedOut: add((g) => g.completed.timedOut),
        },
        throttleRate: requests > 0 ? throttled / requests : 0,
        ...mergeOutcome(gs.map((g) => ({ latencyMs: g.latencyMs, histogram: g.histogram }))),
      }
    }),
  }
}

/** DynamoDB requests of shards add up. */
function mergeDynamodb(vs: readonly VariantSummary[]): Pick<VariantSummary, 'dynamodb'> {
  const ds = vs.flatMap((v) => (v.dynamodb !== undefined ? [v.dynamodb] : []))
  if (ds.length === 0) return {}
  const add = (f: (d: (typeof ds)[number]) => number): number => sum(ds.map(f))
  return {
    dynamodb: {
      getItem: add((d) => d.getItem),
      transactWriteItems: add((d) => d.transactWriteItems),
      readUnits: add((d) => d.readUnits),
      writeUnits: add((d) => d.writeUnits),
      costUsd: { total: add((d) => d.costUsd.total), monthly: add((d) => d.costUsd.monthly) },
    },
  }
}

/** Quota limits of shards add up (each embedded shard enforces 1/N of every quota). */
function mergeRecords(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of list) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v
  return out
}

function mergeMitigations(lists: MitigationSummary[][]): MitigationSummary[] {
  const first = lists[0] ?? []
  return first.map((m, i) => {
    const stats: Record<string, number> = {}
    for (const list of lists) for (const [k, v] of Object.entries(list[i]?.stats ?? {})) stats[k] = (stats[k] ?? 0) + v
    const assumptions = [...new Set(lists.flatMap((l) => l[i]?.assumptions ?? []))]
    const findings = [...new Set(lists.flatMap((l) => l[i]?.findings ?? []))]
    return { name: m.name, params: m.params, assumptions, stats, ...(findings.length > 0 ? { findings } : {}) }
  })
}

function mergeExposures(list: Exposure[]): Exposure {
  const e = { ...at(list, 0), notes: [...new Set(list.flatMap((x) => x.notes))] }
  for (const x of list.slice(1)) {
    e.maxMessagesPerDataKey = Math.max(e.maxMessagesPerDataKey, x.maxMessagesPerDataKey)
    e.maxBytesPerDataKey = Math.max(e.maxBytesPerDataKey, x.maxBytesPerDataKey)
    e.maxSecondsPerDataKey = Math.max(e.maxSecondsPerDataKey, x.maxSecondsPerDataKey)
    // Hosts are disjoint across shards: keys held in memory add up.
    e.plaintextKeysInMemory += x.plaintextKeysInMemory
    e.principalsPerBucketKey = Math.max(e.principalsPerBucketKey, x.principalsPerBucketKey)
  }
  return e
}

function mergeTimelines(lists: TimelineEntry[][]): TimelineEntry[] {
  const n = Math.max(...lists.map((l) => l.length))
  const out: TimelineEntry[] = []
  for (let s = 0; s < n; s++) {
    const e = emptyEntry(s)
    const entries = lists.map((l) => l[s]).filter((x): x is TimelineEntry => x !== undefined)
    for (const x of entries) addEntry(e, x)
    const hs = entries.map((x) => x.histogram).filter((h): h is string => h !== undefined)
    if (hs.length > 0) {
      mergeHistograms(hs, (h) => {
        if (h.totalCount > 0) {
          e.p50Ms = Math.round(h.getValueAtPercentile(50)) / 1000
          e.p99Ms = Math.round(h.getValueAtPercentile(99)) / 1000
        }
        e.histogram = encodeHistogram(h)
      })
    } else {
      // Without per-second histograms the exact percentile is unknown: the worst shard's is an upper bound.
      e.p50Ms = Math.max(0, ...entries.map((x) => x.p50Ms))
      e.p99Ms = Math.max(0, ...entries.map((x) => x.p99Ms))
    }
    out.push(e)
  }
  return out
}

function busiestQuota(lists: QuotaPoolUsage[][]): QuotaPoolUsage[] {
  const pools = new Map<string, QuotaPoolUsage>()
  for (const list of lists) {
    for (const p of list) {
      const key = `${p.account}/${p.region}/${p.pool}`
      const m = pools.get(key)
      if (m === undefined || p.accepted + p.throttled > m.accepted + m.throttled) pools.set(key, { ...p })
    }
  }
  return [...pools.values()]
}

function mergeQuota(lists: QuotaPoolUsage[][], shardsOf: number[], timeline: TimelineEntry[]): QuotaPoolUsage[] {
  // Every shard enforces the same 1/N of each quota, but lists only the pools it called: the
  // merged limit is one shard's share times the shards merged, not a sum over the lists.
  const shards = shardsOf.reduce((a, b) => a + b, 0)
  const pools = new Map<string, QuotaPoolUsage>()
  for (const [i, list] of lists.entries()) {
    for (const p of list) {
      const key = `${p.account}/${p.region}/${p.pool}`
      const m = pools.get(key)
      if (m === undefined) pools.set(key, { ...p, limit: (p.limit / (shardsOf[i] ?? 1)) * shards })
      else {
        m.accepted += p.accepted
        m.throttled += p.throttled
      }
    }
  }
  // Peaks and throttled seconds from the summed per-second series.
  for (const [key, p] of pools) {
    let peak = 0
    let throttledSeconds = 0
    let found = false
    for (const e of timeline) {
      const a = e.poolAccepted[key] ?? 0
      const t = e.poolThrottled?.[key] ?? 0
      if (a + t > 0) found = true
      peak = Math.max(peak, a + t)
      if (t > 0) throttledSeconds++
    }
    if (found) {
      p.peakPerSecond = peak
      p.throttledSeconds = throttledSeconds
    }
    p.utilization = p.limit > 0 ? p.peakPerSecond / p.limit : 0
  }
  return [...pools.values()]
}

/** Sums `kms.byCaller`, `byAccount` and `byKey` of shards (absent when no shard has them). */
function mergeAttribution(vs: readonly VariantSummary[]): Partial<VariantSummary['kms']> {
  const sources = new Set(vs.flatMap((v) => (v.kms.byCallerSource !== undefined ? [v.kms.byCallerSource] : [])))
  const source = sources.size === 1 ? [...sources][0] : undefined
  return { ...sumAttribution(vs.map((v) => v.kms)), ...(source !== undefined ? { byCallerSource: source } : {}) }
}

type AttributionFields = Partial<
  Record<'byCaller' | 'byAccount' | 'byKey', Record<string, { calls: number; throttled: number }>>
>

/** Sums attribution records (a field is absent when no part has it). */
function sumAttribution(parts: readonly AttributionFields[]): AttributionFields {
  const out: AttributionFields = {}
  for (const field of ['byCaller', 'byAccount', 'byKey'] as const) {
    if (!parts.some((p) => p[field] !== undefined)) continue
    const m: Record<string, { calls: number; throttled: number }> = {}
    for (const p of parts)
      for (const [k, c] of Object.entries(p[field] ?? {})) {
        const t = (m[k] ??= { calls: 0, throttled: 0 })
        t.calls += c.calls
        t.throttled += c.throttled
      }
    out[field] = m
  }
  return out
}
