import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry, type VariantSummary } from 'kms-bench'
import scenario from './quota-increase.ts'

const SCOPE = '111122223333/eu-north-1/symmetric'
const qi = (v: VariantSummary | undefined) => v!.mitigations.find((m) => m.name === 'quota-increase')!

describe('quota-increase (virtual time)', () => {
  it('reports the quota that removes the throttling (the peak demand) and the Service Quotas request', async () => {
    // A tenth-scale model (rates and quotas × 0.1) keeps CI short; the findings are full-size.
    const r = await runScenario(scenario, { retryLayer: sdkRetry, durationSeconds: 120, scale: 0.1 })
    const [baseline, enough, short] = r.variants
    expect(baseline!.kms.throttled).toBeGreaterThan(0)
    expect(baseline!.completed.throttled).toBeGreaterThan(0)

    // Reported at full size: the override ran as 1,500/s.
    expect(enough!.quotaOverrides).toEqual({ symmetric: 15_000 })
    expect(enough!.kms.throttled).toBe(0)
    expect(enough!.completed).toMatchObject({ succeeded: enough!.offered.requests, throttled: 0, failed: 0 })
    // Without throttling the meter's peak is the demand: 13,000 calls/s in the bursts (1,300 as run at scale 0.1).
    expect(enough!.quota.find((q) => q.pool === 'symmetric')!.peakPerSecond).toBe(13_000)
    expect(qi(enough).stats).toMatchObject({
      [`peakDemand:${SCOPE}`]: 13_000,
      [`currentQuota:${SCOPE}`]: 10_000,
      [`requiredQuota:${SCOPE}`]: 13_000,
      [`requestedQuota:${SCOPE}`]: 15_000,
    })
    const finding = qi(enough).findings![0]!
    expect(finding).toContain('(full-size figures of a run scaled by 0.1)')
    expect(finding).toContain(
      'a quota of at least 13,000/s removes the throttling; this variant ran with 15,000/s: no call was throttled',
    )
    expect(finding).toContain(
      "'Cryptographic operations (symmetric) request rate' in eu-north-1 (account 111122223333), current value 10,000, requested 15,000",
    )
    expect(finding).toContain('--desired-value 15000 --region eu-north-1')

    // 12,000/s is not enough: still throttled, and the advice still says 13,000.
    expect(short!.kms.throttled).toBeGreaterThan(0)
    expect(short!.kms.throttled).toBeLessThan(baseline!.kms.throttled)
    expect(qi(short).stats[`requiredQuota:${SCOPE}`]).toBe(13_000)
    expect(qi(short).findings![0]).toContain('this variant ran with 12,000/s and was still throttled')
  })
})
