import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './secrets-lambda-cold-start.ts'

describe('secrets-lambda-cold-start (virtual time)', () => {
  const calls = (v: { kms: { byCaller?: Record<string, { calls: number }> | undefined } }, who: string) =>
    v.kms.byCaller?.[who]?.calls ?? 0

  it('caches per execution environment: 219 calls with the caching client, 318 with the agent', async () => {
    const r = await runScenario(scenario, { retryLayer: sdkRetry, variants: ['caching-client', 'agent'] })
    const [client, agent] = r.variants
    for (const v of r.variants) {
      // 500 invocations/s and 0.1 cold starts/s (arrivals of their own) for 600 s.
      expect(v!.offered.requests).toBe(300_060)
      expect(v!.completed).toMatchObject({ succeeded: 300_060, throttled: 0, failed: 0 })
      expect(calls(v!, 'lambda.amazonaws.com')).toBe(60)
    }
    // 100 environments + 60 cold starts − 1 (a cold start before that environment's first read).
    expect(calls(client!, 'secretsmanager.amazonaws.com')).toBe(159)
    expect(client!.kms.calls).toBe(219)
    // The agent's 300 s TTL: 80 + 2 + 29 × 3 + 2 + 29 × 3 (the header works it out).
    expect(calls(agent!, 'secretsmanager.amazonaws.com')).toBe(258)
    expect(agent!.kms.calls).toBe(318)
  })

  it('without a cache every invocation decrypts the secret', async () => {
    // One minute of the ten keeps CI short: 30,000 invocations and 6 cold starts (at 0, 10, ... 50 s).
    const r = await runScenario(scenario, { retryLayer: sdkRetry, variants: ['no-cache'], durationSeconds: 60 })
    const v = r.variants[0]!
    expect(v.offered.requests).toBe(30_006)
    expect(calls(v, 'secretsmanager.amazonaws.com')).toBe(30_000)
    expect(calls(v, 'lambda.amazonaws.com')).toBe(6)
    expect(v.kms.byOperation).toEqual({ Decrypt: { calls: 30_006, throttled: 0, failed: 0 } })
  })
})
