import { describe, expect, it } from 'vitest'
import { runScenario } from '../load/index.ts'
import { defineScenario } from '../load/scenario/index.ts'
import { dataKeyPool, type DataKeyPoolOptions } from './data-key-pool.ts'
import { sdkRetry } from '../load/client/index.ts'

describe('prefetched data-key pool', () => {
  it('refills in the background and serves requests from the pool (hand-computed)', async () => {
    // One host, refills every 100 ms (10/s), 5 keys kept; requests every 500 ms for 10 s.
    // t=0: the first request teaches the pool and calls KMS itself. Refills at 100..500 ms fill
    // the pool (5); from then on each request (500, 1000, ... 9500 ms: 19) takes a key and
    // the next tick refills it, except after the last (the run is over): 5 + 18 = 23 refills.
    const s = defineScenario({
      name: 'pool-unit',
      duration: 10,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 2 },
      requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 100 }],
      variants: [{ name: 'baseline' }, { name: 'pool', mitigations: [dataKeyPool({ ratePerSecond: 10, size: 5 })] }],
    })
    const r = await runScenario(s, { retry: { mode: 'none', maxAttempts: 1 }, latency: 'none' })
    const [baseline, pool] = r.variants
    expect(baseline!.kms.calls).toBe(20)
    expect(pool!.kms.calls).toBe(24)
    expect(pool!.completed.succeeded).toBe(20)
    expect(pool!.mitigations.find((m) => m.name === 'data-key-pool')!.stats).toEqual({
      served: 19,
      fallbacks: 1,
      generated: 23,
      refillFailed: 0,
      refillsSkipped: 0,
      expired: 0,
      leftAtEnd: 4,
    })
    expect(pool!.exposure.maxMessagesPerDataKey).toBe(1)
    expect(pool!.exposure.plaintextKeysInMemory).toBe(5)
    // First in, first out: with 5 keys ready and one used every 500 ms, a key waits 5 uses
    // less the 100 ms before its refill: made at 600 ms, used at 3000 ms, 2.4 s.
    expect(pool!.exposure.maxSecondsPerDataKey).toBe(2.4)
    expect(pool!.exposure.notes).toContain(
      '4 prefetched data keys were never used (generated and billed, then dropped)',
    )
  })

  it('absorbs bursts above the quota that the baseline is throttled on', async () => {
    // Quota 10/s. 2 requests/s with a 30/s burst every 10 s; the pool refills at 8/s.
    const s = defineScenario({
      name: 'pool-burst',
      duration: 60,
      keys: [{ name: 'k' }],
      fleet: { hosts: 2 },
      arrivals: { shape: 'spike', base: 2, peak: 30, at: 5, duration: 1, every: 10 },
      requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 100 }],
      quotas: { symmetric: 10 },
      variants: [{ name: 'baseline' }, { name: 'pool', mitigations: [dataKeyPool({ ratePerSecond: 8, size: 20 })] }],
    })
    const r = await runScenario(s, {
      retryLayer: (x) => sdkRetry(x),
      retry: { mode: 'none', maxAttempts: 1 },
      latency: 'none',
    })
    const [baseline, pool] = r.variants
    expect(baseline!.completed.throttled).toBe(6 * 20)
    expect(pool!.completed.throttled).toBe(0)
    expect(pool!.kms.throttled).toBe(0)
    // Every key protects one message, and the refill stays under the quota.
    expect(pool!.exposure.maxMessagesPerDataKey).toBe(1)
    expect(pool!.quota.find((q) => q.pool === 'symmetric')!.peakPerSecond).toBeLessThanOrEqual(10)
  })

  it('discards keys older than maxAge', async () => {
    const s = defineScenario({
      name: 'pool-age',
      duration: 10,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 1 },
      requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 100 }],
      variants: [{ name: 'pool', mitigations: [dataKeyPool({ ratePerSecond: 10, size: 50, maxAge: '2s' })] }],
    })
    const r = await runScenario(s, { retry: { mode: 'none', maxAttempts: 1 }, latency: 'none' })
    const v = r.variants[0]!
    expect(v.mitigations.find((m) => m.name === 'data-key-pool')!.stats['expired']).toBeGreaterThan(0)
    expect(v.exposure.maxSecondsPerDataKey).toBeLessThanOrEqual(2)
  })

  it('rejects bad parameters', () => {
    const p = (o: unknown): string[] =>
      (dataKeyPool(o as DataKeyPoolOptions).problems ?? []).map((x) => `${x.path.join('.')}: ${x.message}`)
    expect(p({})[0]).toMatch(/^ratePerSecond: ratePerSecond must be a positive number/)
    expect(p({ ratePerSecond: -1, size: 0 })).toEqual([
      'ratePerSecond: ratePerSecond must be a positive number, got -1',
      'size: size must be an integer from 1 to 1000000 (keys per kind of request on each host), got 0',
    ])
  })
})
