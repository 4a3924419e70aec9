import { afterEach, describe, expect, it, vi } from 'vitest'
import { kmsCall } from '../load/engine/index.ts'
import { type KmsCallSpec, defineScenario, ScenarioError, type ScenarioInput } from '../load/scenario/index.ts'
import { runScenario } from '../load/index.ts'
import { dataKeyCache, type DataKeyCacheOptions } from './data-key-cache.ts'
import { MitigationConfigError } from './params.ts'
import { bench, DIRECT } from './test-support.ts'
import { BUILT_IN_MITIGATIONS } from './table.ts'

/** One host sending envelope encryptions at `rate`/s for `duration` s, baseline and cached. */
function envelope(
  options: DataKeyCacheOptions,
  extra: Partial<ScenarioInput> = {},
  kind: 'envelope-encrypt' | 'envelope-decrypt' = 'envelope-encrypt',
  payloadBytes = 1000,
): ScenarioInput {
  return {
    name: 'cache-unit',
    duration: 60,
    keys: [{ name: 'k' }],
    arrivals: { shape: 'constant', rate: 10 },
    // Reads: the writers cached one data key per tenant (here one tenant), so the store holds one.
    requests: [
      kind === 'envelope-decrypt'
        ? { kind, key: 'k', payloadBytes, dataKeysInStore: 'per-tenant' as const }
        : { kind, key: 'k', payloadBytes },
    ],
    variants: [{ name: 'baseline' }, { name: 'cached', mitigations: [dataKeyCache(options)] }],
    ...extra,
  }
}

async function run(input: ScenarioInput) {
  const s = defineScenario(input)
  // Hand-computed with zero service time unless the test gives a latency model.
  const r = await runScenario(s, {
    retry: { mode: 'none', maxAttempts: 1 },
    ...(s.latency === undefined ? { latency: 'none' } : {}),
  })
  const [baseline, cached] = r.variants
  return {
    baseline: baseline!,
    cached: cached!,
    stats: cached!.mitigations.find((m) => m.name === 'data-key-cache')!.stats,
  }
}

describe('data-key cache in virtual time (hand-computed call counts)', () => {
  it('one data key per maxMessagesEncrypted messages: 600 messages at 7 per key make ceil(600/7) = 86 calls', async () => {
    const { baseline, cached, stats } = await run(envelope({ maxAge: '5m', maxMessagesEncrypted: 7 }))
    expect(baseline.kms.calls).toBe(600)
    expect(cached.offered.requests).toBe(600)
    expect(cached.completed.succeeded).toBe(600)
    expect(cached.kms.byOperation['GenerateDataKey']?.calls).toBe(86)
    expect(stats).toMatchObject({ encryptMisses: 86, encryptHits: 514, evictedMessages: 85 })
    // The first use counts: no data key protected more than 7 messages.
    expect(cached.exposure.maxMessagesPerDataKey).toBe(7)
    expect(cached.exposure.maxBytesPerDataKey).toBe(7000)
    expect(cached.exposure.plaintextKeysInMemory).toBe(1)
    expect(cached.kms.callsPerRequest).toBeCloseTo(86 / 600, 12)
  })

  it('maxAge is strict: an entry of exactly maxAge still serves, one 100 ms older does not', async () => {
    // Arrivals every 100 ms. An entry made at t is used up to t+5000 and replaced at t+5100:
    // misses at 0, 5.1 s, 10.2 s, ... 56.1 s: 12 calls in 60 s.
    const { cached, stats } = await run(envelope({ maxAge: 5 }))
    expect(cached.kms.calls).toBe(12)
    expect(stats['evictedAge']).toBe(11)
    expect(cached.exposure.maxSecondsPerDataKey).toBe(5)
    expect(cached.exposure.maxMessagesPerDataKey).toBe(51)
  })

  it('maxBytesEncrypted: the current message counts; a message larger than the limit is served but not cached', async () => {
    // 1000-byte messages, 3500 bytes per key: 1000, 2000, 3000, then 4000 > 3500 evicts.
    const three = await run(envelope({ maxAge: '5m', maxBytesEncrypted: 3500 }))
    expect(three.cached.kms.calls).toBe(200)
    expect(three.stats['evictedBytes']).toBe(199)
    expect(three.cached.exposure.maxBytesPerDataKey).toBe(3000)
    // 5000-byte messages never fit: every message gets its own data key, nothing is cached.
    const none = await run(envelope({ maxAge: '5m', maxBytesEncrypted: 3500 }, {}, 'envelope-encrypt', 5000))
    expect(none.cached.kms.calls).toBe(600)
    expect(none.stats).toMatchObject({ notCached: 600, encryptHits: 0, entriesAtEnd: 0 })
    expect(none.cached.exposure.plaintextKeysInMemory).toBe(0)
    // maxBytesEncrypted 0: only empty messages could use the cache.
    const zero = await run(envelope({ maxAge: '5m', maxBytesEncrypted: 0 }))
    expect(zero.cached.kms.calls).toBe(600)
  })

  it('decrypt entries expire by age only: 6 Decrypt calls in 60 s with maxAge 10 s', async () => {
    // Misses at 0, 10.1, 20.2, 30.3, 40.4, 50.5 s; no message limit applies to decrypt entries.
    const { baseline, cached, stats } = await run(
      envelope({ maxAge: 10, maxMessagesEncrypted: 1 }, {}, 'envelope-decrypt'),
    )
    expect(baseline.kms.byOperation['Decrypt']?.calls).toBe(600)
    expect(cached.kms.byOperation['Decrypt']?.calls).toBe(6)
    expect(stats).toMatchObject({ decryptMisses: 6, decryptHits: 594, evictedAge: 5 })
    // operations: ['encrypt'] leaves Decrypt alone.
    const encryptOnly = await run(envelope({ maxAge: 10, operations: ['encrypt'] }, {}, 'envelope-decrypt'))
    expect(encryptOnly.cached.kms.calls).toBe(600)
  })

  it('each host has its own cache: 10 hosts make 10 times the calls of one', async () => {
    const { cached } = await run(
      envelope(
        { maxAge: '5m', maxMessagesEncrypted: 10 },
        { fleet: { hosts: 10 }, arrivals: { shape: 'constant', rate: 100 } },
      ),
    )
    // 600 messages per host, 10 per key: 60 calls per host.
    expect(cached.kms.calls).toBe(600)
    expect(cached.exposure.plaintextKeysInMemory).toBe(10)
  })

  it('entries are per encryption context (tenant) and the LRU capacity bounds them', async () => {
    const tenants = { tenants: 3, arrivals: { shape: 'constant' as const, rate: 30 } }
    const roomy = await run(envelope({ maxAge: '5m', capacity: 3 }, tenants))
    // Three contexts, three entries, one call each.
    expect(roomy.cached.kms.calls).toBe(3)
    const tight = await run(envelope({ maxAge: '5m', capacity: 1 }, tenants))
    expect(tight.stats['evictedCapacity']).toBeGreaterThan(0)
    expect(tight.cached.kms.calls).toBe(tight.stats['encryptMisses'])
    expect(tight.cached.kms.calls).toBeGreaterThan(roomy.cached.kms.calls)
  })

  it('single flight: concurrent misses on one entry make one KMS call (50 ms service time)', async () => {
    // 100 requests/s, one every 10 ms, each KMS call takes 50 ms, entries live 1 s.
    // Without single flight each refresh has 5 concurrent misses (the requests of the 50 ms the
    // call takes): refreshes at 0, 1.1 s, ... 9.9 s, 10 × 5 = 50 calls. With it, one call per
    // refresh, and refreshes at 0, 1.06 s, ... 9.54 s: 10 calls.
    const latency = { default: { type: 'constant', ms: 50 } }
    const input = (singleFlight: boolean): ScenarioInput => ({
      ...envelope({ maxAge: 1, singleFlight }, { duration: 10, arrivals: { shape: 'constant', rate: 100 }, latency }),
    })
    const plain = await run(input(false))
    expect(plain.cached.kms.calls).toBe(50)
    const sf = await run(input(true))
    expect(sf.cached.kms.calls).toBe(10)
    expect(sf.stats['coalesced']).toBe(40)
    expect(sf.cached.completed.succeeded).toBe(1000)
    expect(sf.cached.mitigations.find((m) => m.name === 'data-key-cache')!.params['singleFlight']).toBe(true)
  })

  it('leaves S3 SSE-KMS calls alone (S3 makes them, not the application)', async () => {
    const { cached } = await run({
      ...envelope({ maxAge: '5m' }),
      requests: [{ kind: 's3-put', key: 'k', bucket: 'media', objects: 10 }],
    })
    expect(cached.kms.calls).toBe(600)
    expect(cached.mitigations.find((m) => m.name === 'data-key-cache')!.stats['uncached']).toBe(600)
  })
})

describe('data-key cache details', () => {
  afterEach(() => vi.restoreAllMocks())

  const gdk = (b: ReturnType<typeof bench>, context: Record<string, string> | undefined, bytes: number): KmsCallSpec =>
    kmsCall(
      'GenerateDataKey',
      { KeyId: b.key.keyId, KeySpec: 'AES_256', ...(context !== undefined ? { EncryptionContext: context } : {}) },
      b.caller,
      { bytes, keyName: 'k' },
    )

  it('keys entries by encryption context regardless of pair order; an empty context is a context too', () => {
    const b = bench()
    const inv = dataKeyCache({ maxAge: 60 }).start(b.context()).wrap(DIRECT, b.host)
    const k1 = b.run(inv, gdk(b, { a: '1', b: '2' }, 10))
    const k2 = b.run(inv, gdk(b, { b: '2', a: '1' }, 10))
    expect(b.total()).toBe(1)
    expect(k1.ok && k2.ok).toBe(true)
    b.run(inv, gdk(b, undefined, 10))
    b.run(inv, gdk(b, undefined, 10))
    b.run(inv, gdk(b, { a: '1' }, 10))
    expect(b.total()).toBe(3)
  })

  it('gives every hit its own copy of the data key and zeroes the cached copy when the entry leaves', () => {
    const b = bench()
    const zeroed: Uint8Array[] = []
    const fill = Uint8Array.prototype.fill
    vi.spyOn(Uint8Array.prototype, 'fill').mockImplementation(function (
      this: Uint8Array,
      ...args: Parameters<Uint8Array['fill']>
    ) {
      if (args[0] === 0 && this.byteLength === 32) zeroed.push(this)
      return fill.apply(this, args)
    })
    const inv = dataKeyCache({ maxAge: 1, capacity: 1 }).start(b.context()).wrap(DIRECT, b.host)
    const first = b.run(inv, gdk(b, { t: '1' }, 10))
    const hit = b.run(inv, gdk(b, { t: '1' }, 10))
    if (!first.ok || !hit.ok) throw new Error('calls failed')
    const key = Uint8Array.from((first.output as { Plaintext: Uint8Array }).Plaintext)
    const hitKey = (hit.output as { Plaintext: Uint8Array }).Plaintext
    expect(hitKey).toEqual(key)
    expect(hitKey).not.toBe((first.output as { Plaintext: Uint8Array }).Plaintext)
    expect(zeroed).toHaveLength(0)
    // A second context evicts the first (capacity 1): its cached copy is zeroed, the copies handed out are not.
    b.run(inv, gdk(b, { t: '2' }, 10))
    expect(zeroed).toHaveLength(1)
    expect(zeroed[0]!.every((x) => x === 0)).toBe(true)
    expect(hitKey).toEqual(key)
    // Expiry zeroes too.
    b.clock.advance(1001)
    b.run(inv, gdk(b, { t: '2' }, 10))
    expect(zeroed).toHaveLength(2)
  })

  it('returns KMS errors without caching them', () => {
    const b = bench({ quotas: { symmetric: 1 } })
    const inv = dataKeyCache({ maxAge: 60 }).start(b.context()).wrap(DIRECT, b.host)
    expect(b.run(inv, gdk(b, { t: '1' }, 10)).ok).toBe(true)
    const other = b.run(inv, gdk(b, { t: '2' }, 10))
    expect(other).toMatchObject({ ok: false, error: { name: 'ThrottlingException' } })
    // The cached context is still served in the throttled second; the other one calls KMS again.
    expect(b.run(inv, gdk(b, { t: '1' }, 10)).ok).toBe(true)
    b.clock.advance(1000)
    expect(b.run(inv, gdk(b, { t: '2' }, 10)).ok).toBe(true)
    expect(b.total()).toBe(3)
  })

  it('never caches calls of unknown size, and caches nothing with a suite that has no KDF', () => {
    const b = bench()
    const inv = dataKeyCache({ maxAge: 60 }).start(b.context()).wrap(DIRECT, b.host)
    const unsized = kmsCall('GenerateDataKey', { KeyId: b.key.keyId, KeySpec: 'AES_256' }, b.caller, {})
    b.run(inv, unsized)
    b.run(inv, unsized)
    expect(b.total()).toBe(2)
    const noKdf = dataKeyCache({ maxAge: 60, algorithmSuite: 'ALG_AES256_GCM_IV12_TAG16' })
    expect(noKdf.assumptions?.some((a) => a.includes('caches nothing'))).toBe(true)
    const inv2 = noKdf.start(b.context()).wrap(DIRECT, b.host)
    b.run(inv2, gdk(b, undefined, 10))
    b.run(inv2, gdk(b, undefined, 10))
    expect(b.total()).toBe(4)
  })
})

describe('data-key cache parameters', () => {
  const problems = (o: unknown): string[] =>
    (dataKeyCache(o as DataKeyCacheOptions).problems ?? []).map((p) => `${p.path.join('.')}: ${p.message}`)

  it('rejects bad values with a message naming the option', () => {
    expect(problems({ maxAge: -5 })[0]).toMatch(
      /^maxAge: maxAge: duration must be a non-negative number of seconds, got -5/,
    )
    expect(problems({ maxAge: 0 })[0]).toMatch(/^maxAge: maxAge must be greater than 0/)
    expect(problems({})[0]).toMatch(/^maxAge: maxAge/)
    expect(problems({ maxAge: '5 minutes' })[0]).toMatch(/^maxAge: maxAge: '5 minutes' is not a duration/)
    expect(problems({ maxAge: 60, capacity: 0 })).toEqual([
      'capacity: capacity must be an integer from 1 to 100000000 (entries of each host cache), got 0',
    ])
    expect(problems({ maxAge: 60, maxMessagesEncrypted: 2 ** 32 + 1 })).toEqual([
      `maxMessagesEncrypted: maxMessagesEncrypted must be an integer from 1 to 2^32 (the Encryption SDK's range), got ${2 ** 32 + 1}`,
    ])
    expect(problems({ maxAge: 60, maxMessagesEncrypted: 2 ** 32 })).toEqual([])
    expect(problems({ maxAge: 60, maxBytesEncrypted: -1 })[0]).toMatch(/^maxBytesEncrypted: .*from 0 to 2\^53-1/)
    expect(problems({ maxAge: 60, operations: ['encrypt', 'sign'] })[0]).toMatch(
      /^operations.1: operations must be one of 'encrypt', 'decrypt', got 'sign'/,
    )
    expect(problems({ maxAge: 60, algorithmSuite: 0x9999 })[0]).toMatch(
      /^algorithmSuite: algorithmSuite 39321 is not an Encryption SDK suite/,
    )
    expect(problems({ maxAge: 60, maxMessages: 5 })).toEqual([
      "maxMessages: unknown option 'maxMessages' (did you mean 'maxMessagesEncrypted'?); options: maxAge, maxMessagesEncrypted, maxBytesEncrypted, capacity, partition, operations, algorithmSuite, singleFlight",
    ])
  })

  it('fails scenario validation with the path of every bad parameter; a started bad mitigation throws', () => {
    const input: ScenarioInput = {
      name: 'bad',
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 1 },
      requests: [{ kind: 'envelope-encrypt', key: 'k' }],
      variants: [
        { name: 'baseline' },
        { name: 'cached', mitigations: [dataKeyCache({ maxAge: -1, capacity: 0 })] },
        {
          name: 'declared',
          mitigations: [
            { name: 'data-key-cach', maxAge: 5 },
            { name: 'data-key-cache', maxAge: 5, maxMessagesEncrypted: 0 },
          ],
        },
      ],
    }
    let error: unknown
    try {
      defineScenario(input, { mitigations: BUILT_IN_MITIGATIONS })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ScenarioError)
    const lines = (error as ScenarioError).problems
    expect(lines).toContain(
      'variants.1.mitigations.0.maxAge: data-key-cache: maxAge: duration must be a non-negative number of seconds, got -1',
    )
    expect(lines).toContain(
      'variants.1.mitigations.0.capacity: data-key-cache: capacity must be an integer from 1 to 100000000 (entries of each host cache), got 0',
    )
    expect(
      lines.some((l) =>
        l.startsWith(
          "variants.2.mitigations.0.name: unknown mitigation 'data-key-cach' (did you mean 'data-key-cache'?)",
        ),
      ),
    ).toBe(true)
    expect(
      lines.some((l) =>
        l.startsWith(
          'variants.2.mitigations.1.maxMessagesEncrypted: data-key-cache: maxMessagesEncrypted must be an integer from 1 to 2^32',
        ),
      ),
    ).toBe(true)
    expect(() => dataKeyCache({ maxAge: -1 }).start(bench().context())).toThrow(MitigationConfigError)
  })

  it('accepts the declarative form', () => {
    const s = defineScenario(
      {
        name: 'declared',
        keys: [{ name: 'k' }],
        arrivals: { shape: 'constant', rate: 1 },
        requests: [{ kind: 'envelope-encrypt', key: 'k' }],
        variants: [
          { name: 'cached', mitigations: [{ name: 'data-key-cache', maxAge: '5m', maxMessagesEncrypted: 100 }] },
        ],
      },
      { mitigations: BUILT_IN_MITIGATIONS },
    )
    expect(s.variants[0]!.mitigations[0]!.params).toMatchObject({ maxAgeSeconds: 300, maxMessagesEncrypted: 100 })
  })
})
