import { describe, expect, it } from 'vitest'
import { runScenario } from '../load/index.ts'
import { defineScenario, type ScenarioInput } from '../load/scenario/index.ts'
import { dataKeyCache } from './data-key-cache.ts'
import { type HierarchicalKeyringOptions, hierarchicalKeyring } from './hierarchical-keyring.ts'

const scenario = (kind: 'envelope-encrypt' | 'envelope-decrypt'): ScenarioInput => ({
  name: 'hierarchical-unit',
  duration: 60,
  keys: [{ name: 'k' }],
  tenants: 10,
  arrivals: { shape: 'constant', rate: 100 },
  requests: [
    {
      kind,
      key: 'k',
      payloadBytes: 1024,
      context: { tenant: '{tenant}' },
      ...(kind === 'envelope-decrypt' ? { dataKeysInStore: 'per-tenant' as const } : {}),
    },
  ],
  // Hand-computed with zero service time.
  latency: 'none',
  variants: [
    { name: 'none' },
    { name: 'caching-cmm', mitigations: [dataKeyCache({ maxAge: 15 })] },
    { name: 'hierarchical', mitigations: [hierarchicalKeyring({ ttl: 15, branchKeys: 10 })] },
  ],
})
const stats = (v: { mitigations: { name: string; stats?: Record<string, number> }[] } | undefined) =>
  v!.mitigations.find((m) => m.name === 'hierarchical-keyring')!.stats as Record<string, number>

describe('hierarchical keyring', () => {
  it('encrypts: a GetItem + Decrypt per tenant per 15-s TTL instead of a GenerateDataKey per message', async () => {
    const r = await runScenario(defineScenario(scenario('envelope-encrypt')), {
      retry: { mode: 'none', maxAttempts: 1 },
    })
    const [none, cmm, hk] = r.variants
    expect(none!.kms.calls).toBe(6000)
    // 10 tenants × 4 refreshes in 60 s (at the first request and after each 15 s)
    expect(hk!.kms.calls).toBe(40)
    expect(hk!.kms.byOperation['Decrypt']?.calls).toBe(40)
    expect(hk!.completed.succeeded).toBe(6000)
    const s = stats(hk)
    expect(s['encryptMisses']).toBe(40)
    expect(s['dynamodbGetItem']).toBe(40)
    expect(s['encryptHits']).toBe(5960)
    // setup: 10 branch keys × (2 GenerateDataKeyWithoutPlaintext + 1 ReEncrypt), 10 TransactWriteItems
    expect(s['setupKmsCalls']).toBe(30)
    expect(s['dynamodbTransactWriteItems']).toBe(10)
    // The caching CMM caches per encryption context too: 1 GenerateDataKey per tenant per 15 s.
    expect(cmm!.kms.calls).toBe(40)
    expect(hk!.exposure.maxMessagesPerDataKey).toBe(1)
    expect(cmm!.exposure.maxMessagesPerDataKey).toBeGreaterThan(100)
  })

  it('decrypts stored messages: one miss per tenant per TTL on the branch key version', async () => {
    const r = await runScenario(defineScenario(scenario('envelope-decrypt')), {
      retry: { mode: 'none', maxAttempts: 1 },
    })
    const [none, , hk] = r.variants
    expect(none!.kms.calls).toBe(6000)
    expect(hk!.kms.calls).toBe(40)
    expect(stats(hk)['decryptMisses']).toBe(40)
    expect(hk!.completed.succeeded).toBe(6000)
  })

  it('counts the same whether its local wrapping runs (real time) or is modelled (virtual time)', async () => {
    const run = (localCrypto: boolean) =>
      runScenario(defineScenario(scenario('envelope-encrypt')), {
        retry: { mode: 'none', maxAttempts: 1 },
        localCrypto,
      })
    const [real, modelled] = await Promise.all([run(true), run(false)])
    const hk = (r: Awaited<ReturnType<typeof run>>) => r.variants[2]!
    expect(hk(modelled).kms).toEqual(hk(real).kms)
    expect(hk(modelled).completed).toEqual(hk(real).completed)
    expect(stats(hk(modelled))).toEqual(stats(hk(real)))
    const said = (r: Awaited<ReturnType<typeof run>>) =>
      hk(r).mitigations.find((m) => m.name === 'hierarchical-keyring')!.assumptions ?? []
    expect(said(modelled).join()).toMatch(/in virtual time the local wrapping .* is modelled, not executed/)
  })

  it('validates options', () => {
    const p = (o: unknown) =>
      (hierarchicalKeyring(o as HierarchicalKeyringOptions).problems ?? []).map(
        (x) => `${x.path.join('.')}: ${x.message}`,
      )
    expect(p({ ttl: '15m' })).toEqual([])
    expect(p({})[0]).toMatch(/^ttl: /)
    expect(p({ ttl: 60, branchKeys: 0 })[0]).toMatch(/^branchKeys: /)
  })
})

describe('hierarchical keyring cost', () => {
  it('prices the branch key store reads per month and adds them to the cost at full service', async () => {
    const { costAtFullService } = await import('../report/service.ts')
    const r = await runScenario(defineScenario(scenario('envelope-encrypt')), {
      retry: { mode: 'none', maxAttempts: 1 },
    })
    const hk = r.variants[2]!
    const s = hk.mitigations.find((m) => m.name === 'hierarchical-keyring')!.stats
    // 40 GetItem in 60 s at $0.125 per million read units: 40 × 1.25e-7 × (730 × 3600 / 60) = $0.219 a month
    expect(s['dynamodbReadUnits']).toBe(40)
    expect(s['dynamodbUsdPerMonth']).toBeCloseTo(40 * 0.125e-6 * ((730 * 3600) / 60), 9)
    const kmsOnly = hk.costUsd.monthly.keys + hk.costUsd.monthly.requests
    expect(costAtFullService(hk)).toBeCloseTo(kmsOnly + (s['dynamodbUsdPerMonth'] as number), 9)
    // The summary's DynamoDB field, beside the KMS cost: 40 reads, the setup's TransactWriteItems
    // (2 write units × 3 items each), $0.125 per million reads and $0.625 per million writes.
    const writes = s['dynamodbTransactWriteItems'] as number
    expect(hk.dynamodb).toEqual({
      getItem: 40,
      transactWriteItems: writes,
      readUnits: 40,
      writeUnits: writes * 6,
      costUsd: { total: s['dynamodbUsd'], monthly: s['dynamodbUsdPerMonth'] },
    })
    expect(hk.dynamodb!.costUsd.total).toBeCloseTo(40 * 0.125e-6 + writes * 6 * 0.625e-6, 12)
    // Variants without the keyring have no DynamoDB requests.
    expect(r.variants[0]!.dynamodb).toBeUndefined()
  })
})

describe('hierarchical keyring with the storm tracking cache', () => {
  it('a cold key fetched once, refreshed ahead: 6 Decrypts where the default cache makes 15', async () => {
    // 1 host, 1 tenant, an encrypt every 10 ms for 60 s, each KMS call 50 ms, TTL 20 s.
    const s: ScenarioInput = {
      name: 'hierarchical-storm',
      duration: 60,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 100 },
      requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 64 }],
      latency: { default: { type: 'constant', ms: 50 } },
      variants: [
        { name: 'default', mitigations: [hierarchicalKeyring({ ttl: 20 })] },
        { name: 'storm', mitigations: [hierarchicalKeyring({ ttl: 20, cache: 'storm-tracking' })] },
      ],
    }
    const r = await runScenario(defineScenario(s), { retry: { mode: 'none', maxAttempts: 1 } })
    const [plain, storm] = r.variants
    // Default: the requests at 0..40 ms all miss (nothing cached until 50 ms); the last entry (90 ms)
    // is refetched after 20.09 s by the 5 requests of the next 50 ms, and again at 40.2 s: 3 × 5.
    expect(plain!.kms.calls).toBe(15)
    // Storm tracking: 1 cold fetch (4 requests wait), then refresh-ahead 10 s before each expiry.
    expect(storm!.kms.calls).toBe(6)
    expect(storm!.completed.succeeded).toBe(6000)
    expect(stats(storm)['stormBlocked']).toBeGreaterThan(0)
    expect(
      (hierarchicalKeyring({ ttl: 5, cache: 'storm-tracking' }).problems ?? []).map((p) => p.message).join(),
    ).toMatch(/ttl must exceed the storm tracking grace period \(10 s\)/)
  })
})
