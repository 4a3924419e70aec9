import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './dynamodb-cmk.ts'

describe('dynamodb-cmk (virtual time)', () => {
  it('a table key per connection: 40, 1,000 and 2,000 Decrypts for the same 300,000 requests', async () => {
    const r = await runScenario(scenario, {
      retryLayer: sdkRetry,
      variants: ['one-connection', 'goroutines-25', 'goroutines-25-periodic'],
    })
    const [one, many, periodic] = r.variants
    for (const v of r.variants) {
      expect(v!.offered.requests).toBe(300_000)
      expect(v!.completed).toMatchObject({ succeeded: 300_000, throttled: 0, failed: 0 })
      expect(Object.keys(v!.kms.byOperation)).toEqual(['Decrypt'])
    }
    // 40 hosts × 1 connection, each active every 80 ms: never 5 minutes idle, one Decrypt each.
    expect(one!.kms.calls).toBe(40)
    // 40 hosts × 25 connections (each used every 2 s).
    expect(many!.kms.calls).toBe(1000)
    // Refreshed every 5 minutes while active: at the start and once after 300 s, 2 × 1,000.
    expect(periodic!.kms.calls).toBe(2000)
    // DynamoDB calls for the service's role, in its account.
    expect(many!.kms.byCaller).toEqual({ 'dynamodb.amazonaws.com': { calls: 1000, throttled: 0 } })
    expect(many!.kms.byAccount).toEqual({ '111122223333': { calls: 1000, throttled: 0 } })
  })

  it('without keep-alive every request decrypts the table key', async () => {
    // One minute of the ten keeps CI short: 500/s × 60 s.
    const r = await runScenario(scenario, { retryLayer: sdkRetry, variants: ['no-keep-alive'], durationSeconds: 60 })
    const v = r.variants[0]!
    expect(v.offered.requests).toBe(30_000)
    expect(v.kms.calls).toBe(30_000)
    expect(v.kms.callsPerRequest).toBe(1)
    // 500 Decrypts/s for a 730-hour month at $0.03 per 10,000: 500 × 2,628,000 × 3e-6 = $3,942, less the
    // free tier (20,000 requests, $0.06), plus the key's $1.
    expect(v.costUsd.monthly.total).toBeCloseTo(3943, 0)
  })
})
