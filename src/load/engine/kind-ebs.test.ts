import { describe, expect, it } from 'vitest'
import { defineScenario } from '../scenario/index.ts'
import { runScenario } from '../runner.ts'

const attaches = (rate: number, volume: 'new' | 'existing' = 'new') =>
  defineScenario({
    name: 'ebs',
    region: 'us-east-2',
    duration: 10,
    latency: 'none',
    keys: [{ name: 'ebs' }],
    principals: ['arn:aws:iam::111122223333:role/autoscaling'],
    arrivals: { shape: 'constant', rate: 0 },
    requests: [{ kind: 'ebs-attach', key: 'ebs', volume, rate }],
    client: { sdk: 'js-v3', mode: 'none' },
  })

describe('ebs-attach', () => {
  it('a new volume: GenerateDataKeyWithoutPlaintext + CreateGrant + Decrypt, through EC2', async () => {
    const v = (await runScenario(attaches(2))).variants[0]!
    // 2 attaches/s of their own for 10 s
    expect(v.offered.requests).toBe(20)
    expect(v.completed.succeeded).toBe(20)
    expect(v.kms.byOperation).toEqual({
      CreateGrant: { calls: 20, throttled: 0, failed: 0 },
      Decrypt: { calls: 20, throttled: 0, failed: 0 },
      GenerateDataKeyWithoutPlaintext: { calls: 20, throttled: 0, failed: 0 },
    })
    expect(v.kms.byCaller).toEqual({ 'ec2.amazonaws.com': { calls: 60, throttled: 0 } })
  })

  it('an existing volume: CreateGrant + Decrypt', async () => {
    const v = (await runScenario(attaches(2, 'existing'))).variants[0]!
    expect(Object.keys(v.kms.byOperation).sort()).toEqual(['CreateGrant', 'Decrypt'])
    expect(v.kms.calls).toBe(40)
  })

  it('a launch storm meets the CreateGrant quota (50/s) first', async () => {
    // 60 attaches/s, no retries: each second 60 GenerateDataKeyWithoutPlaintext pass, 50 CreateGrant
    // pass and 10 are throttled, and only the 50 granted go on to Decrypt.
    const v = (await runScenario(attaches(60))).variants[0]!
    expect(v.completed).toMatchObject({ succeeded: 500, throttled: 100 })
    expect(v.kms.byOperation['CreateGrant']).toEqual({ calls: 600, throttled: 100, failed: 0 })
    expect(v.kms.byOperation['Decrypt']?.calls).toBe(500)
    expect(v.quota.find((q) => q.pool === 'api:CreateGrant')?.throttledSeconds).toBe(10)
  })
})
