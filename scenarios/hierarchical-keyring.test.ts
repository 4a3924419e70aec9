import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './hierarchical-keyring.ts'

describe('hierarchical-keyring (virtual time)', () => {
  it('a branch key per tenant: fewer KMS calls than the caching CMM, one message per data key, DynamoDB reads reported', async () => {
    const r = await runScenario(scenario, { retryLayer: sdkRetry, durationSeconds: 15, scale: 0.1 })
    const [none, cmm, hk] = r.variants
    expect(none!.completed.throttled).toBeGreaterThan(0)
    expect(cmm!.completed.throttled).toBe(0)
    expect(hk!.completed.throttled).toBe(0)
    expect(hk!.kms.calls).toBeLessThan(cmm!.kms.calls)
    // every KMS call of the keyring is a branch key Decrypt after a GetItem
    const s = hk!.mitigations.find((m) => m.name === 'hierarchical-keyring')!.stats as Record<string, number>
    expect(hk!.kms.byOperation['Decrypt']?.calls).toBe(hk!.kms.calls)
    // The keyring's own counters are as run (the scale model's figures are reported at full size).
    expect(s['dynamodbGetItem']).toBe(hk!.asRun?.kms.calls)
    // at most one miss per host, tenant and direction within the 15-min TTL: 40 × 200 × 2 (as run)
    expect(hk!.asRun?.kms.calls).toBeLessThanOrEqual(16_000)
    expect(hk!.exposure.maxMessagesPerDataKey).toBe(1)
    expect(cmm!.exposure.maxMessagesPerDataKey).toBeGreaterThan(1)
    const findings = hk!.mitigations.flatMap((m) => m.findings ?? [])
    expect(findings.join(' ')).toMatch(
      /DynamoDB \(branch key store\): [\d,]+ GetItem in the run, 200 TransactWriteItems at setup/,
    )
  })
})
