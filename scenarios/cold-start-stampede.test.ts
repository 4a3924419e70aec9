import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './cold-start-stampede.ts'

describe('cold-start-stampede (virtual time)', () => {
  it('the first seconds: the plain cache stampedes; single-flight and storm tracking fill each entry with far fewer calls', async () => {
    // The cold start only (6 s at full size: the shape depends on each entry's request rate, so no scale model).
    const r = await runScenario(scenario, {
      retryLayer: sdkRetry,
      durationSeconds: 6,
      variants: ['plain-cache', 'single-flight', 'storm-tracking'],
    })
    const [plain, sf, storm] = r.variants
    for (const v of r.variants) expect(v.offered.requests).toBe(300_000)
    // 400 hosts × 50 tenants = 20,000 entries need 20,000 GenerateDataKey: 2 s of the 10,000/s quota.
    for (const v of [sf, storm]) expect(v!.kms.calls - v!.kms.throttled).toBeGreaterThanOrEqual(20_000)
    expect(plain!.kms.calls).toBeGreaterThan(1.5 * sf!.kms.calls)
    expect(plain!.kms.throttled).toBeGreaterThan(2 * sf!.kms.throttled)
    const stats = storm!.mitigations.find((m) => m.name === 'storm-tracking-cache')!.stats as Record<string, number>
    expect(stats['blocked']).toBeGreaterThan(0)
    expect(storm!.completed.throttled).toBeLessThan(plain!.completed.throttled)
  })
})
