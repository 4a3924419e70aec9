import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry, type VariantSummary } from 'kms-bench'
import scenario from './kms-brown-out.ts'

const stats = (v: VariantSummary | undefined) => v!.mitigations.find((m) => m.name === 'sdk-retry')!.stats
const second = (v: VariantSummary | undefined, s: number) => v!.timeline.find((e) => e.second === s)!
const throttledSeconds = (v: VariantSummary | undefined) =>
  v!.timeline.filter((e) => e.kmsThrottled > 0).map((e) => e.second)

describe('kms-brown-out (virtual time, zero service time: the figures are hand-computed)', () => {
  it('no retries lose the window; the retry quota absorbs it; boto3 legacy turns it into a throttling storm', async () => {
    const r = await runScenario(scenario, { retryLayer: sdkRetry, latency: 'none' })
    const [none, standard, legacy, adaptive] = r.variants
    expect(r.assumptions.join('\n')).toContain(
      'Injected fault: KMSInternalException on 60 % of calls to every operation, from 8 s for 3 s',
    )

    // No retries: 6,000/s × 30 s offered; the 3 s window's 18,000 requests fail, 6,000 in each of
    // seconds 8, 9 and 10, and nothing else happens (6,000/s is 60 % of the quota).
    expect(none!.offered.requests).toBe(180_000)
    expect(none!.completed.failed).toBe(18_000)
    expect([8, 9, 10].map((s) => second(none, s).failed)).toEqual([6000, 6000, 6000])
    expect(none!.kms.calls).toBe(180_000)
    expect(none!.kms.throttled).toBe(0)
    const errors = none!.completed.errors
    expect((errors['KMSInternalException'] ?? 0) + (errors['DependencyTimeoutException'] ?? 0)).toBe(18_000)
    // 60 % of 18,000 drawn: 10,800 ± 3σ (σ = √(18,000 · 0.6 · 0.4) ≈ 66).
    expect(Math.abs((errors['KMSInternalException'] ?? 0) - 10_800)).toBeLessThan(200)

    // JavaScript standard: each host's retry quota starts full at 500 tokens and a transient retry
    // takes 14, so 35 retries per host (490 tokens) pass and then none: no call succeeds in the
    // window to refund any. 180 requests per host fail in the window, far more than 35: exactly
    // 35 × 100 = 3,500 retries, all in the first tenths of a second of it (backoff ≤ 50 + 100 ms),
    // so second 8 sees 6,000 + 3,500 = 9,500 calls, under the 10,000/s quota: no throttling.
    // Every retried attempt lands in the window, so the same 18,000 requests are lost.
    expect(standard!.retries).toBe(3500)
    expect(stats(standard)['retries']).toBe(3500)
    expect(standard!.kms.calls).toBe(183_500)
    expect(second(standard, 8).kmsCalls).toBe(9500)
    expect(second(standard, 9).kmsCalls).toBe(6000)
    expect(standard!.kms.throttled).toBe(0)
    expect(standard!.completed.failed).toBe(18_000)
    expect(stats(standard)['retriedThenSucceeded']).toBe(0)
    // 18,000 requests failed their first attempt; 3,500 retries went out of 18,000 + (retried
    // requests failing again) wanted: the rest were refused by the retry quota.
    expect(stats(standard)['quotaRefusals']).toBeGreaterThan(14_000)

    // Adaptive mode: the same retry quota, and its rate limiter reacts to throttling only, which
    // a 5xx brown-out does not cause here: exactly standard's figures, no request delayed.
    expect(adaptive!.retries).toBe(3500)
    expect(adaptive!.kms.calls).toBe(183_500)
    expect(adaptive!.completed.failed).toBe(18_000)
    expect(stats(adaptive)['limiterDelayed']).toBe(0)

    // boto3 legacy: no retry quota, so each of the 18,000 failed requests retries at least once
    // (≥ 18,000 retries), up to four times over rand·(1 + 2 + 4 + 8) s. The retries stack on the
    // 6,000/s: seconds over the 10,000/s quota, throttling that lasts after the faults ended at
    // 0:11 (the throttled calls are retried too), and latency of seconds.
    expect(legacy!.retries).toBeGreaterThan(18_000)
    expect(legacy!.kms.calls).toBe(legacy!.offered.requests + legacy!.retries)
    expect(legacy!.kms.calls).toBeGreaterThan(standard!.kms.calls + 18_000)
    expect(Math.max(...legacy!.timeline.map((e) => e.kmsCalls))).toBeGreaterThan(10_000)
    expect(legacy!.kms.throttled).toBeGreaterThan(0)
    expect(throttledSeconds(legacy).some((s) => s >= 11)).toBe(true)
    expect(throttledSeconds(legacy).every((s) => s >= 8)).toBe(true)
    // Five attempts spread over up to 15 s save most requests (the storm's price is calls and latency).
    expect(legacy!.completed.failed + legacy!.completed.throttled).toBeLessThan(18_000)
    expect(legacy!.latencyMs.p99).toBeGreaterThan(1000)
  }, 120_000)
})
