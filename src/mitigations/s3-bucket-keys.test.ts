import { describe, expect, it } from 'vitest'
import { kmsCall } from '../load/engine/index.ts'
import { runScenario } from '../load/index.ts'
import { defineScenario, type ScenarioInput } from '../load/scenario/index.ts'
import { s3BucketKeys, type S3BucketKeysOptions } from './s3-bucket-keys.ts'
import { bench, DIRECT } from './test-support.ts'

function s3(
  requests: ScenarioInput['requests'],
  options: S3BucketKeysOptions,
  extra: Partial<ScenarioInput> = {},
): ScenarioInput {
  return {
    name: 's3-unit',
    duration: 60,
    keys: [{ name: 'k' }],
    arrivals: { shape: 'constant', rate: 10 },
    requests,
    variants: [{ name: 'no-bucket-key' }, { name: 'bucket-key', mitigations: [s3BucketKeys(options)] }],
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
  const [plain, bk] = r.variants
  return {
    plain: plain!,
    bk: bk!,
    stats: bk!.mitigations.find((m) => m.name === 's3-bucket-keys')!.stats,
    findings: bk!.mitigations.find((m) => m.name === 's3-bucket-keys')!.findings ?? [],
  }
}

describe('S3 Bucket Keys in virtual time', () => {
  it('PUTs: one GenerateDataKey per bucket-key lifetime and requester (3 in 60 s at 20 s)', async () => {
    const { plain, bk, stats, findings } = await run(
      s3([{ kind: 's3-put', key: 'k', bucket: 'media', objects: 1000 }], { lifetime: 20 }),
    )
    expect(plain.kms.calls).toBe(600)
    // Bucket keys made at 0, 20 and 40 s, each protecting the 200 objects written in its 20 s.
    expect(bk.kms.calls).toBe(3)
    expect(bk.completed.succeeded).toBe(600)
    expect(stats).toMatchObject({ s3Puts: 600, bucketKeysCreated: 3, servedWithoutKms: 597, kmsCalls: 3 })
    expect(bk.exposure.maxMessagesPerDataKey).toBe(200)
    expect(bk.exposure.maxBytesPerDataKey).toBe(200 * 1_048_576)
    expect(bk.exposure.principalsPerBucketKey).toBe(1)
    expect(bk.exposure.notes.some((n) => n.includes('stop matching'))).toBe(true)
    expect(bk.exposure.notes).toContain(
      'CloudTrail: 3 KMS events for 600 S3 requests (one per request without a bucket key)',
    )
    expect(findings[0]).toMatch(/^S3 Bucket Keys: 3 KMS calls for 600 SSE-KMS requests \(99\.500% fewer/)
    expect(
      bk.mitigations
        .find((m) => m.name === 's3-bucket-keys')!
        .assumptions.some((a) => a.includes('AWS publishes no lifetime')),
    ).toBe(true)
  })

  it('GETs of objects written before the run: one Decrypt per (requester, bucket key) per lifetime', async () => {
    // Two bucket keys protect the existing objects; each is decrypted at 0, ~20 and ~40 s.
    const { plain, bk, stats } = await run(
      s3([{ kind: 's3-get', key: 'k', bucket: 'media', objects: 1000 }], { lifetime: 20, existingBucketKeys: 2 }),
    )
    expect(plain.kms.calls).toBe(600)
    expect(bk.kms.calls).toBe(6)
    expect(stats).toMatchObject({ s3Gets: 600, bucketKeyDecrypts: 6, legacyDecrypts: 0 })
    expect(bk.completed.succeeded).toBe(600)
  })

  it('objects older than the bucket key keep a Decrypt per GET', async () => {
    const { bk, stats } = await run(
      s3([{ kind: 's3-get', key: 'k', bucket: 'media', objects: 1000 }], { lifetime: 20, legacyObjectShare: 0.5 }),
    )
    expect(stats['legacyDecrypts']).toBeGreaterThan(200)
    expect(stats['legacyDecrypts']).toBeLessThan(400)
    expect(bk.kms.calls).toBe((stats['legacyDecrypts'] ?? 0) + 3)
    expect(bk.completed.succeeded).toBe(600)
  })

  it('more requesters, smaller savings: each requester has its own bucket key and decrypts the others', async () => {
    const mix: ScenarioInput['requests'] = [
      { kind: 's3-put', key: 'k', bucket: 'media', objects: 200, weight: 1 },
      { kind: 's3-get', key: 'k', bucket: 'media', objects: 200, weight: 1 },
    ]
    const extra = { fleet: { hosts: 10 }, arrivals: { shape: 'constant' as const, rate: 100 } }
    const one = await run(s3(mix, { lifetime: 20 }, extra))
    const ten = await run(s3(mix, { lifetime: 20, requesters: 10 }, extra))
    expect(one.bk.exposure.principalsPerBucketKey).toBe(1)
    expect(ten.bk.exposure.principalsPerBucketKey).toBeGreaterThan(1)
    expect(ten.bk.kms.calls).toBeGreaterThan(one.bk.kms.calls * 5)
    expect(ten.bk.kms.calls).toBeLessThan(ten.plain.kms.calls / 10)
    // Ten writers: ten bucket keys per lifetime.
    expect(ten.stats['bucketKeysCreated']).toBe(30)
  })

  it('asks KMS for the bucket key with the bucket ARN as encryption context, through the caller', () => {
    const b = bench()
    const inv = s3BucketKeys({ lifetime: 60 }).start(b.context()).wrap(DIRECT, b.host)
    const put = (i: number) =>
      kmsCall(
        'GenerateDataKey',
        { KeyId: b.key.keyId, KeySpec: 'AES_256', EncryptionContext: { 'aws:s3:arn': `arn:aws:s3:::media/o${i}` } },
        b.caller,
        {
          bytes: 10,
          keyName: 'k',
          s3: { operation: 'PUT', bucket: 'media', object: `o${i}`, requester: b.host.principal },
        },
      )
    for (let i = 0; i < 5; i++) expect(b.run(inv, put(i)).ok).toBe(true)
    expect(b.log).toHaveLength(1)
    expect(b.log[0]!.input).toEqual({
      KeyId: b.key.keyId,
      KeySpec: 'AES_256',
      EncryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::media' },
    })
    expect(b.log[0]!.caller).toBe(b.caller)
    const get = kmsCall(
      'Decrypt',
      {
        KeyId: b.key.keyId,
        CiphertextBlob: new Uint8Array(1),
        EncryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::media/o3' },
      },
      b.caller,
      { keyName: 'k', s3: { operation: 'GET', bucket: 'media', object: 'o3', requester: b.host.principal } },
    )
    // The writer holds its bucket key: reading its own object needs no call.
    expect(b.run(inv, get).ok).toBe(true)
    expect(b.log).toHaveLength(1)
  })

  it('rejects bad parameters', () => {
    const p = (o: unknown): string[] =>
      (s3BucketKeys(o as S3BucketKeysOptions).problems ?? []).map((x) => `${x.path.join('.')}: ${x.message}`)
    expect(p({ lifetime: 0 })[0]).toMatch(/^lifetime: lifetime must be greater than 0/)
    expect(p({ legacyObjectShare: 1.5 })).toEqual([
      'legacyObjectShare: legacyObjectShare must be a number from 0 to 1, got 1.5',
    ])
    expect(p({ requesters: 0 })[0]).toMatch(/^requesters: requesters must be an integer from 1/)
  })
})
