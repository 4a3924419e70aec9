import { describe, expect, it } from 'vitest'
import { rankVariants, runScenario, sdkRetry, type VariantSummary } from 'kms-bench'
import scenario from './mitigation-shootout.ts'

describe('mitigation-shootout (virtual time)', () => {
  it('ranks every mitigation on one overloaded workload', async () => {
    // A tenth-scale model (rates and quotas × 0.1) of the first two bursts keeps CI short.
    const r = await runScenario(scenario, { retryLayer: sdkRetry, scale: 0.1, durationSeconds: 60 })
    const v = new Map<string, VariantSummary>(r.variants.map((x) => [x.name, x]))
    const get = (name: string): VariantSummary => v.get(name)!
    const baseline = get('baseline')
    expect(baseline.completed.throttled).toBeGreaterThan(0)
    expect(baseline.kms.callsPerRequest).toBeGreaterThan(1)

    // These remove the throttling entirely.
    for (const name of [
      'quota-increase',
      'data-key-cache',
      'cache-single-flight',
      'multi-region',
      'account-sharding',
    ]) {
      const x = get(name)
      expect(x.kms.throttled, name).toBe(0)
      expect(x.completed, name).toMatchObject({ succeeded: x.offered.requests, throttled: 0, failed: 0, dropped: 0 })
    }
    // The pool absorbs the bursts it has keys for: it loses a tiny fraction of what the baseline loses.
    const pool = get('data-key-pool')
    expect(pool.completed.throttled).toBeLessThan(baseline.completed.throttled / 100)
    expect(pool.exposure.maxMessagesPerDataKey).toBe(1)
    expect(pool.exposure.plaintextKeysInMemory).toBeGreaterThan(100)
    // Adaptive mode sheds fewer requests than standard retries, but still throttles, and queues.
    const adaptive = get('adaptive-retry')
    expect(adaptive.completed.throttled).toBeGreaterThan(0)
    expect(adaptive.completed.throttled).toBeLessThan(baseline.completed.throttled)
    expect(adaptive.latencyMs.p99).toBeGreaterThan(baseline.latencyMs.p99)

    // Their prices: caching cuts calls (and widens exposure); replicas and shard keys are billed keys.
    // The cache serves the writes (9 in 10 requests); each read decrypts its message's own data
    // key (the data-key model of envelope reads), so about 1 in 10 requests still calls KMS.
    expect(get('data-key-cache').kms.callsPerRequest).toBeLessThan(0.15)
    expect(get('data-key-cache').kms.byOperation['GenerateDataKey']!.calls).toBeLessThan(
      get('data-key-cache').kms.byOperation['Decrypt']!.calls,
    )
    expect(get('data-key-cache').exposure.maxMessagesPerDataKey).toBeGreaterThan(1)
    expect(get('multi-region').costUsd.billedKeys).toBe(3)
    expect(get('account-sharding').costUsd.billedKeys).toBe(3)
    // At full size (the scale model ran 2,000/s).
    expect(get('quota-increase').quotaOverrides).toEqual({ symmetric: 20_000 })
    expect(get('quota-increase').mitigations.find((m) => m.name === 'quota-increase')!.findings![0]).toContain(
      'a quota of at least 18,000/s removes the throttling',
    )

    // Ranked: throttling first, then monthly cost: a data-key cache wins.
    const ranking = rankVariants(r.variants, { scale: r.scale })
    expect(ranking.baseline.name).toBe('baseline')
    expect(['data-key-cache', 'cache-single-flight']).toContain(ranking.ranked[0]!.variant.name)
    const clean = ranking.ranked.filter((x) => x.tier === 'clean').map((x) => x.variant.name)
    expect(new Set(clean)).toEqual(
      new Set(['quota-increase', 'data-key-cache', 'cache-single-flight', 'multi-region', 'account-sharding']),
    )
    const last = ranking.ranked.map((x) => x.variant.name).slice(-2)
    expect(new Set(last)).toEqual(new Set(['data-key-pool', 'adaptive-retry']))
  })
})
