import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './s3-bucket-keys.ts'

describe('s3-bucket-keys (virtual time)', () => {
  it('one requester: at least 99% fewer KMS calls, as AWS says; more requesters, smaller savings', async () => {
    // 3 of the scenario's 10 minutes keep CI short; the bucket keys' 5-minute lifetime covers them.
    const r = await runScenario(scenario, { retryLayer: sdkRetry, durationSeconds: 180 })
    const [none, one, ten, hundred] = r.variants
    const requests = none!.offered.requests
    expect(requests).toBe(180_000)
    expect(none!.kms.calls).toBe(requests)
    expect(none!.kms.callsPerRequest).toBe(1)
    const saving = (v: typeof one) => 1 - v!.kms.calls / none!.kms.calls
    expect(saving(one)).toBeGreaterThanOrEqual(0.99)
    // One bucket key generated, one existing bucket key decrypted: 2 calls for 180,000 requests.
    expect(one!.kms.calls).toBe(2)
    expect(saving(ten)).toBeLessThan(saving(one))
    expect(saving(hundred)).toBeLessThan(saving(ten))
    expect(saving(hundred)).toBeLessThan(0.99)
    for (const v of [one, ten, hundred])
      expect(v!.completed).toMatchObject({ succeeded: requests, throttled: 0, failed: 0 })
    // Each requester has its own bucket key: 1, 10, 100 generated.
    expect(
      [one, ten, hundred].map(
        (v) => v!.mitigations.find((m) => m.name === 's3-bucket-keys')!.stats['bucketKeysCreated'],
      ),
    ).toEqual([1, 10, 100])
    // What the report must say: who can use a bucket key, the context change, the CloudTrail volume.
    expect([one, ten, hundred].map((v) => v!.exposure.principalsPerBucketKey)).toEqual([1, 10, 100])
    expect(one!.exposure.notes.some((n) => n.includes('bucket ARN, not the object ARN'))).toBe(true)
    expect(one!.exposure.notes).toContain(
      'CloudTrail: 2 KMS events for 180,000 S3 requests (one per request without a bucket key)',
    )
    expect(
      one!.mitigations
        .find((m) => m.name === 's3-bucket-keys')!
        .assumptions.some((a) => a.includes('AWS publishes no lifetime')),
    ).toBe(true)
    expect(one!.costUsd.requests).toBeLessThan(none!.costUsd.requests / 100)
  })
})
