import { describe, expect, it } from 'vitest'
import type { VariantSummary } from '../load/results/index.ts'
import { runScenario } from '../load/index.ts'
import { defineScenario } from '../load/scenario/index.ts'
import { niceCeil, quotaIncrease, type QuotaIncreaseOptions } from './quota-increase.ts'
import { sdkRetry } from '../load/client/index.ts'
import { increaseCommand, serviceQuotaOf } from './service-quotas.ts'

const SCOPE = '111122223333/eu-north-1/symmetric'
/** The quota-increase entry of a variant (the retry layer comes first). */
const qi = (v: VariantSummary | undefined) => v!.mitigations.find((m) => m.name === 'quota-increase')!

describe('quota increase', () => {
  it('runs with the raised quota and says which value removes the throttling and how to request it', async () => {
    // The account's symmetric quota is 100/s here; demand is 150/s.
    const s = defineScenario({
      name: 'quota-unit',
      region: 'eu-north-1',
      duration: 10,
      keys: [{ name: 'k' }],
      fleet: { hosts: 5 },
      arrivals: { shape: 'constant', rate: 150 },
      requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 100 }],
      quotas: { symmetric: 100 },
      variants: [
        { name: 'baseline', mitigations: [quotaIncrease()] },
        { name: 'raised', mitigations: [quotaIncrease({ quotas: { symmetric: 200 } })] },
        { name: 'too-small', mitigations: [quotaIncrease({ quotas: { symmetric: 120 } })] },
      ],
    })
    const r = await runScenario(s, { retryLayer: (x) => sdkRetry(x) })
    const [baseline, raised, small] = r.variants
    // Standard retries: the meter's peak counts retries, the demand does not.
    expect(baseline!.kms.throttled).toBeGreaterThan(0)
    expect(baseline!.quota.find((q) => q.pool === 'symmetric')!.peakPerSecond).toBeGreaterThan(150)
    expect(qi(baseline).stats[`peakDemand:${SCOPE}`]).toBe(150)
    expect(qi(baseline).stats[`requiredQuota:${SCOPE}`]).toBe(150)
    // Advice only: 150/s plus 20% headroom, rounded up to two digits.
    expect(qi(baseline).stats[`requestedQuota:${SCOPE}`]).toBe(180)
    expect(baseline!.quotaOverrides).toEqual({ symmetric: 100 })

    expect(raised!.quotaOverrides).toEqual({ symmetric: 200 })
    expect(raised!.kms.throttled).toBe(0)
    expect(raised!.completed.succeeded).toBe(1500)
    const finding = qi(raised).findings![0]!
    expect(finding).toContain(
      'symmetric in 111122223333/eu-north-1: peak demand 150 calls/s (first attempts, retries excluded) against a quota of 100/s; a quota of at least 150/s removes the throttling; this variant ran with 200/s: no call was throttled.',
    )
    expect(finding).toContain(
      "Service Quotas request: 'Cryptographic operations (symmetric) request rate' in eu-north-1 (account 111122223333), current value 100, requested 200:",
    )
    expect(finding).toContain('aws service-quotas request-service-quota-increase --service-code kms --quota-code')
    expect(finding).toContain('--desired-value 200 --region eu-north-1')
    expect(qi(raised).params).toMatchObject({ symmetric: 200 })

    expect(small!.kms.throttled).toBeGreaterThan(0)
    expect(qi(small).findings![0]).toContain('this variant ran with 120/s and was still throttled')
  })

  it('names the quotas as Service Quotas does, with the documented code where there is one', () => {
    expect(serviceQuotaOf('symmetric')).toEqual({
      name: 'Cryptographic operations (symmetric) request rate',
      code: undefined,
      adjustable: true,
    })
    expect(serviceQuotaOf('rsa')).toEqual({
      name: 'Cryptographic operations (RSA) request rate',
      code: 'L-2AC98190',
      adjustable: true,
    })
    expect(serviceQuotaOf('api:DescribeKey')?.name).toBe('DescribeKey request rate')
    expect(serviceQuotaOf('key-pair:RSA_2048')?.name).toBe('GenerateDataKeyPair (RSA_2048) request rate')
    expect(serviceQuotaOf('custom-key-store:cks-1')?.adjustable).toBe(false)
    expect(increaseCommand(serviceQuotaOf('rsa')!, 'us-east-2', 700)).toBe(
      'aws service-quotas request-service-quota-increase --service-code kms --quota-code L-2AC98190 --desired-value 700 --region us-east-2',
    )
    expect(increaseCommand(serviceQuotaOf('symmetric')!, 'eu-west-1', 30000)).toContain(
      `list-service-quotas --service-code kms --region eu-west-1 --query "Quotas[?QuotaName=='Cryptographic operations (symmetric) request rate'].QuotaCode" --output text`,
    )
    expect([niceCeil(14_012), niceCeil(1_234), niceCeil(180), niceCeil(7)]).toEqual([15_000, 1_300, 180, 7])
  })

  it('rejects unknown pools and bad values, naming them', () => {
    const p = (o: unknown): string[] =>
      (quotaIncrease(o as QuotaIncreaseOptions).problems ?? []).map((x) => `${x.path.join('.')}: ${x.message}`)
    expect(p({ quotas: { symetric: 5 } })).toEqual([
      "quotas.symetric: unknown quota pool 'symetric' (did you mean 'symmetric'?)",
    ])
    expect(p({ quotas: { symmetric: -5 } })).toEqual(['quotas.symmetric: a quota must not be negative'])
    expect(p({ quotas: { 'eu-wst-1/symmetric': 5 } })[0]).toMatch(
      /^quotas.eu-wst-1\/symmetric: 'eu-wst-1' is not a known AWS Region/,
    )
    expect(p({ headroom: -1 })[0]).toMatch(/^headroom: headroom must be a number from 0 to 10/)
  })
})
