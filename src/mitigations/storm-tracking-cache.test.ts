import { describe, expect, it } from 'vitest'
import { runScenario } from '../load/index.ts'
import { defineScenario, type ScenarioInput } from '../load/scenario/index.ts'
import { dataKeyCache } from './data-key-cache.ts'
import { type StormTrackingCacheOptions, stormTrackingCache } from './storm-tracking-cache.ts'

// One host, a request every 10 ms for 60 s, each Decrypt of the same ciphertext taking 50 ms.
const scenario: ScenarioInput = {
  name: 'storm-tracking-unit',
  duration: 60,
  keys: [{ name: 'k' }],
  arrivals: { shape: 'constant', rate: 100 },
  // The writers cached one data key per tenant: the store holds one (the old model's shape).
  requests: [{ kind: 'envelope-decrypt', key: 'k', payloadBytes: 100, dataKeysInStore: 'per-tenant' }],
  latency: { default: { type: 'constant', ms: 50 } },
  variants: [
    { name: 'plain', mitigations: [dataKeyCache({ maxAge: 20 })] },
    { name: 'single-flight', mitigations: [dataKeyCache({ maxAge: 20, singleFlight: true })] },
    { name: 'storm', mitigations: [stormTrackingCache({ maxAge: 20 })] },
  ],
}

describe('storm tracking cache', () => {
  it('cold start and expiry: plain 15 KMS calls, single-flight 3, storm tracking 6 without a cold miss after the start', async () => {
    const r = await runScenario(defineScenario(scenario), { retry: { mode: 'none', maxAttempts: 1 } })
    const [plain, sf, storm] = r.variants
    // Plain: the requests at 0, 10, 20, 30, 40 ms all miss (nothing cached until 50 ms); the
    // last data key stored (at 90 ms) expires at 20.09 s, and the same 5 misses repeat at
    // 20.10 s and 40.20 s: 3 × 5.
    expect(plain!.kms.calls).toBe(15)
    // Single flight: one call per expiry (0, 20.06 s, 40.12 s).
    expect(sf!.kms.calls).toBe(3)
    // Storm tracking: the first request fetches, 4 wait for its entry (stored at 50 ms); then
    // refresh-ahead 10 s before each expiry: at 10.05, 20.10, 30.15, 40.20, 50.25 s.
    expect(storm!.kms.calls).toBe(6)
    expect(storm!.completed.succeeded).toBe(6000)
    const stats = storm!.mitigations.find((m) => m.name === 'storm-tracking-cache')!.stats as Record<string, number>
    expect(stats['misses']).toBe(1)
    expect(stats['refreshAhead']).toBe(5)
    expect(stats['blocked']).toBe(4)
    // Waiters poll every 20 ms: the one at 40 ms polls at 60 ms and finds the entry.
    expect(storm!.latencyMs.max).toBeLessThan(51)
    expect(storm!.exposure.maxSecondsPerDataKey).toBeLessThanOrEqual(10.05)
  })

  it('validates its settings with the spec’s consistency rules', () => {
    const p = (o: unknown): string[] =>
      (stormTrackingCache(o as StormTrackingCacheOptions).problems ?? []).map(
        (x) => `${x.path.join('.')}: ${x.message}`,
      )
    expect(p({ maxAge: 60 })).toEqual([])
    expect(p({ maxAge: 60, graceInterval: 11 })).toContain('graceInterval: graceInterval must be <= gracePeriod')
    expect(p({ maxAge: 5 })).toContain('gracePeriod: gracePeriod must be less than maxAge')
    expect(p({ maxAge: 60, fanOut: 0 })[0]).toMatch(/^fanOut: /)
    expect(p({})[0]).toMatch(/^maxAge: /)
  })
})
