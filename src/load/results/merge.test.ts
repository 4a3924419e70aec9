import { describe, expect, it } from 'vitest'
import { sdkRetry } from '../client/index.ts'
import { decodeHistogram, initHistograms } from './histograms.ts'
import { mergeSummaries, MergeError } from './merge.ts'
import { type Mitigation, defineScenario } from '../scenario/index.ts'
import { runScenario } from '../index.ts'
import type { RunSummary, VariantSummary } from './summary.ts'

const retryLayer = (s: Parameters<typeof sdkRetry>[0]): Mitigation => sdkRetry(s)

const scenario = defineScenario({
  name: 'sharded',
  duration: 6,
  keys: [{ name: 'k' }],
  fleet: { hosts: 6 },
  // Every shard offers more than its 1/3 of the quota in every second, so each throttles exactly its excess.
  arrivals: { shape: 'ramp', from: 4_500, to: 9_000, over: 6 },
  latency: { default: { type: 'constant', ms: 12 } },
  quotas: { symmetric: 3_000 },
  requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
  variants: [{ name: 'a' }, { name: 'b', quotas: { symmetric: 6_000 } }],
})

function counters(v: VariantSummary): unknown {
  return {
    offered: v.offered,
    achieved: v.achieved,
    completed: v.completed,
    kms: v.kms,
    retries: v.retries,
    throttleRate: v.throttleRate,
    latencyMs: v.latencyMs,
    outcomes: [v.outcomes.succeeded.latencyMs, v.outcomes.throttled.latencyMs, v.outcomes.failed.latencyMs],
    kmsCallLatency: v.kmsCallLatency.latencyMs,
    serviceTimeMs: v.serviceTimeMs,
    quota: v.quota.map((p) => ({ ...p })),
    billing: v.billing,
    costUsd: v.costUsd,
    timeline: v.timeline.map((e) => ({ ...e, histogram: undefined })),
  }
}

describe('mergeSummaries', () => {
  it('N shards merged equal one run, exactly, for counters and histograms', async () => {
    await initHistograms()
    const whole = await runScenario(scenario, { retryLayer, retry: { mode: 'none', maxAttempts: 1 } })
    const shards: RunSummary[] = []
    for (let i = 0; i < 3; i++)
      shards.push(
        await runScenario(scenario, {
          retryLayer,
          retry: { mode: 'none', maxAttempts: 1 },
          shard: { index: i, count: 3 },
        }),
      )
    // Each shard really ran a third.
    expect(shards[0]!.variants[0]!.offered.requests * 3).toBeCloseTo(whole.variants[0]!.offered.requests, -1)
    const merged = await mergeSummaries([shards[2]!, shards[0]!, shards[1]!])
    expect(merged.complete).toBe(true)
    expect(merged.shards).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })))
    for (let v = 0; v < 2; v++) {
      const m = merged.variants[v]!
      const w = whole.variants[v]!
      expect(m.completed.throttled).toBeGreaterThan(0)
      expect(counters(m)).toEqual(counters(w))
      // Histograms: the same counts in every bucket.
      for (const [a, b] of [
        [m.histogram, w.histogram],
        [m.outcomes.throttled.histogram, w.outcomes.throttled.histogram],
        [m.kmsCallLatency.histogram, w.kmsCallLatency.histogram],
      ] as const) {
        const ha = decodeHistogram(a)
        const hb = decodeHistogram(b)
        expect(ha.totalCount).toBe(hb.totalCount)
        expect(ha.outputPercentileDistribution()).toBe(hb.outputPercentileDistribution())
      }
    }
  })

  it('keeps the timed-out requests of every second', async () => {
    await initHistograms()
    const deadlines = defineScenario({
      name: 'deadlines',
      duration: 3,
      keys: [{ name: 'k' }],
      fleet: { hosts: 2 },
      arrivals: { shape: 'constant', rate: 100 },
      // every call takes 50 ms, past the 20 ms deadline: every request times out
      latency: { default: { type: 'constant', ms: 50 } },
      timeout: '20ms',
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
    })
    const options = { retryLayer, retry: { mode: 'none' as const, maxAttempts: 1 } }
    const whole = await runScenario(deadlines, options)
    const shards = [0, 1].map((index) => runScenario(deadlines, { ...options, shard: { index, count: 2 } }))
    const merged = await mergeSummaries(await Promise.all(shards))
    const perSecond = (r: RunSummary) => r.variants[0]!.timeline.map((e) => e.timedOut ?? 0)
    expect(perSecond(whole).reduce((a, b) => a + b, 0)).toBe(300)
    expect(perSecond(merged)).toEqual(perSecond(whole))
  })

  it('merges the fleet groups of shards to those of one run', async () => {
    await initHistograms()
    const grouped = defineScenario({
      name: 'grouped',
      duration: 4,
      keys: [{ name: 'k' }],
      principals: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'],
      fleet: {
        hosts: 6,
        groups: [
          { name: 'a', hosts: 4, principal: 'arn:aws:iam::111122223333:role/a' },
          { name: 'b', hosts: 2, principal: 'arn:aws:iam::111122223333:role/b' },
        ],
      },
      arrivals: { shape: 'constant', rate: 6_000 },
      latency: { default: { type: 'constant', ms: 12 } },
      quotas: { symmetric: 3_000 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
    })
    const options = { retryLayer, retry: { mode: 'none' as const, maxAttempts: 1 } }
    const whole = await runScenario(grouped, options)
    const shards = [0, 1].map((index) => runScenario(grouped, { ...options, shard: { index, count: 2 } }))
    const merged = await mergeSummaries(await Promise.all(shards))
    const strip = (v: VariantSummary) =>
      v.groups!.map((g) => ({ ...g, histogram: decodeHistogram(g.histogram).totalCount }))
    expect(strip(merged.variants[0]!)).toEqual(strip(whole.variants[0]!))
    // 4 of every 6 requests go to group a's hosts; half of all are throttled (quota 3,000 of 6,000/s).
    expect(whole.variants[0]!.groups!.map((g) => g.requests)).toEqual([16_000, 8_000])
    expect(whole.variants[0]!.groups!.map((g) => g.completed.throttled)).toEqual([8_000, 4_000])
  })

  it('keeps the whole quota when a shard never called a pool', async () => {
    // Two requests, three shards: shard 2 makes no call, so its result lists no pool.
    const sparse = defineScenario({
      name: 'sparse',
      duration: 2,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 1 },
      quotas: { symmetric: 3_000 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
    })
    const options = { retryLayer, retry: { mode: 'none', maxAttempts: 1 } } as const
    const whole = await runScenario(sparse, options)
    const shards: RunSummary[] = []
    for (let i = 0; i < 3; i++) shards.push(await runScenario(sparse, { ...options, shard: { index: i, count: 3 } }))
    expect(shards[2]!.variants[0]!.quota).toEqual([])
    const merged = await mergeSummaries(shards)
    expect(merged.variants[0]!.quota).toEqual(whole.variants[0]!.quota)
    expect(merged.variants[0]!.quota[0]).toMatchObject({ limit: 3_000, accepted: 2 })
    // Shards of different Regions do not belong together.
    const elsewhere = await runScenario(sparse, { ...options, shard: { index: 2, count: 3 }, region: 'eu-west-1' })
    await expect(mergeSummaries([shards[0]!, shards[1]!, elsewhere])).rejects.toThrow(/region/)
  })

  it('adds histograms rather than averaging percentiles', async () => {
    await initHistograms()
    const fast = await runScenario(
      { ...scenario, latency: { default: { type: 'constant', ms: 1 } } } as typeof scenario,
      { retryLayer, shard: { index: 0, count: 2 }, variants: ['a'], durationSeconds: 2 },
    )
    const slow = await runScenario(
      { ...scenario, latency: { default: { type: 'constant', ms: 100 } } } as typeof scenario,
      { retryLayer, shard: { index: 1, count: 2 }, variants: ['a'], durationSeconds: 2 },
    )
    const m = await mergeSummaries([fast, slow])
    const n0 = fast.variants[0]!.latencyMs.count
    const n1 = slow.variants[0]!.latencyMs.count
    expect(m.variants[0]!.latencyMs.count).toBe(n0 + n1)
    // More than half the requests were slow: the merged median is the slow one, not an average.
    expect(m.variants[0]!.latencyMs.p50).toBeGreaterThan(90)
  })

  it('refuses results that do not belong together', async () => {
    const a = await runScenario(scenario, {
      retryLayer,
      shard: { index: 0, count: 2 },
      variants: ['a'],
      durationSeconds: 1,
    })
    const b = await runScenario(scenario, {
      retryLayer,
      shard: { index: 0, count: 2 },
      variants: ['a'],
      durationSeconds: 1,
    })
    await expect(mergeSummaries([a, b])).rejects.toThrow(MergeError)
    await expect(mergeSummaries([a, b])).rejects.toThrow(/appears twice/)
    const c = await runScenario(scenario, {
      retryLayer,
      shard: { index: 1, count: 2 },
      variants: ['a'],
      durationSeconds: 1,
      seed: 77,
    })
    await expect(mergeSummaries([a, c])).rejects.toThrow(/seed/)
    const partial = await mergeSummaries([a])
    expect(partial.complete).toBe(false)
    expect(partial.assumptions.some((x) => x.includes('Only 1 of 2 shards'))).toBe(true)
  })
})
