import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry, type VariantSummary } from 'kms-bench'
import scenario from './retry-storm.ts'

const pool = (v: VariantSummary | undefined) => v!.quota.find((q) => q.pool === 'symmetric')!
const retry = (v: VariantSummary | undefined) => v!.mitigations.find((m) => m.name === 'sdk-retry')!.stats

describe('retry-storm (virtual time)', () => {
  it('retries prolong the throttling, amplify the calls and add latency; adaptive mode sends fewer calls', async () => {
    // A tenth-scale model (rates and quotas × 0.1), two bursts: keeps CI short. Counts are
    // reported at full size (÷ 0.1); the mitigations' own counters are as run (asRun beside them).
    const r = await runScenario(scenario, { retryLayer: sdkRetry, durationSeconds: 120, scale: 0.1 })
    const [none, standard, ten, adaptive] = r.variants
    // Without retries: exactly the bursts' excess (400/s over 1,000/s as run, 4,000/s over 10,000/s at
    // full size), exactly in the bursts' 20 seconds: 8,000 throttled as run, 80,000 at full size.
    expect(pool(none).throttledSeconds).toBe(20)
    expect(none!.completed.throttled).toBe(80_000)
    expect(none!.asRun?.completed.throttled).toBe(8000)
    expect(none!.completed.errors).toEqual({ ThrottlingException: 80_000 })
    expect(none!.kms.callsPerRequest).toBe(1)

    // Standard retries: the throttled calls come back after the burst, on top of 900/s.
    expect(pool(standard).throttledSeconds).toBeGreaterThan(pool(none).throttledSeconds)
    expect(standard!.kms.callsPerRequest).toBeGreaterThan(1.1)
    expect(standard!.kms.throttled).toBeGreaterThan(none!.kms.throttled)
    expect(standard!.asRun?.retries).toBe(retry(standard)['retries'])
    expect(retry(standard)['calls']).toBe(standard!.asRun?.offered.requests)
    // Retries save some requests, many retried requests fail anyway, and latency grows by the backoff.
    expect(standard!.completed.throttled).toBeLessThan(none!.completed.throttled)
    expect(retry(standard)['retriedThenFailed']).toBeGreaterThan(0)
    expect(retry(standard)['backoffMs']).toBeGreaterThan(0)
    expect(standard!.latencyMs.p99).toBeGreaterThan(500)
    // Without retries a succeeded request takes one KMS call (the aws latency model: p50 15 ms);
    // a throttled one fails as fast, which no longer passes for good latency: it is lost service.
    expect(none!.latencyMs.p99).toBeGreaterThan(15)
    expect(none!.latencyMs.p99).toBeLessThan(standard!.latencyMs.p99)
    expect(none!.outcomes.throttled.latencyMs.count).toBe(8000)

    // More attempts, a bigger storm.
    expect(ten!.kms.calls).toBeGreaterThan(standard!.kms.calls)
    expect(ten!.kms.throttled).toBeGreaterThan(standard!.kms.throttled)
    expect(pool(ten).peakPerSecond).toBeGreaterThan(pool(standard).peakPerSecond * 0.9)

    // Adaptive mode: the limiter holds sends back, so far fewer calls and throttles than standard.
    expect(adaptive!.kms.calls).toBeLessThan(standard!.kms.calls)
    expect(adaptive!.kms.throttled).toBeLessThan(standard!.kms.throttled / 2)
    expect(retry(adaptive)['limiterDelayed']).toBeGreaterThan(0)
  })
})
