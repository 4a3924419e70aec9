import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './esdk-caching-example.ts'

describe('esdk-caching-example (virtual time)', () => {
  it('reproduces the Encryption SDK example: 500 → 5 GenerateDataKey/s, 1% of the calls', async () => {
    // The example's arithmetic counts calls, not their service time: with the default 'aws'
    // latency model a miss takes ~15 ms and the requests of that window miss too (3,001 calls).
    const r = await runScenario(scenario, { retryLayer: sdkRetry, latency: 'none' })
    const [noCache, cached] = r.variants
    const seconds = r.durationSeconds
    expect(seconds).toBe(600)
    expect(noCache!.offered.requests).toBe(300_000)
    expect(cached!.offered.requests).toBe(300_000)
    expect(noCache!.kms.byOperation['GenerateDataKey']!.calls / seconds).toBe(500)
    expect(cached!.kms.byOperation['GenerateDataKey']!.calls / seconds).toBe(5)
    expect(cached!.kms.callsPerRequest).toBe(0.01)
    expect(cached!.completed).toMatchObject({ succeeded: 300_000, throttled: 0, failed: 0 })
    // Every second of the steady state: 5 calls/s on average, never more than 500 in a second.
    expect(cached!.timeline.reduce((a, e) => a + e.kmsCalls, 0)).toBe(3000)
    // Exposure: each data key protects at most 100 records; one plaintext key per producer.
    expect(cached!.exposure).toMatchObject({
      maxMessagesPerDataKey: 100,
      maxBytesPerDataKey: 102_400,
      plaintextKeysInMemory: 500,
    })
    expect(cached!.exposure.maxSecondsPerDataKey).toBe(99)
    // Requests are 99% cheaper.
    expect(cached!.costUsd.requests).toBeLessThan(noCache!.costUsd.requests / 99)
  })
})
