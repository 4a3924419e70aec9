import { describe, expect, it } from 'vitest'
import { runScenario, sdkRetry } from 'kms-bench'
import scenario from './sqs-sse.ts'

describe('sqs-sse (virtual time)', () => {
  it('KMS calls follow the SQS guide formula R = B / D × (2P + C) per queue', async () => {
    const r = await runScenario(scenario, { retryLayer: sdkRetry })
    const [def, min, max, tenants] = r.variants
    // 200 requests/s for 600 s, 3 sends to 2 receives.
    for (const v of r.variants) {
      expect(v!.offered.requests).toBe(120_000)
      expect(v!.completed).toMatchObject({ succeeded: 120_000, throttled: 0, failed: 0 })
    }
    const ops = (v: typeof def) => ({
      gdk: v!.kms.byOperation['GenerateDataKey']?.calls ?? 0,
      decrypt: v!.kms.byOperation['Decrypt']?.calls ?? 0,
    })
    // 10 queues × 3 producers × 600 s / 300 s = 60 GenerateDataKey, as many verifying Decrypts,
    // and 10 queues × 2 consumers × 2 periods = 40 consumer Decrypts: 10 × 2 × (2 × 3 + 2) = 160.
    expect(ops(def)).toEqual({ gdk: 60, decrypt: 100 })
    expect(def!.kms.calls).toBe(160)
    // 60 s: 10 periods, 10 × 10 × 8 = 800. 24 h: one period, 10 × 1 × 8 = 80.
    expect(ops(min)).toEqual({ gdk: 300, decrypt: 500 })
    expect(ops(max)).toEqual({ gdk: 30, decrypt: 50 })
    // 100 producer roles: 10 × 2 × (2 × 100 + 2) = 4,040.
    expect(ops(tenants)).toEqual({ gdk: 2000, decrypt: 2040 })
    // SQS makes the calls for the callers, in their account.
    expect(def!.kms.byCaller).toEqual({ 'sqs.amazonaws.com': { calls: 160, throttled: 0 } })
    expect(def!.kms.byAccount).toEqual({ '111122223333': { calls: 160, throttled: 0 } })
  })

  it('rejects a reuse period outside 60..86,400 s', async () => {
    const { defineScenario } = await import('kms-bench')
    const bad = (kmsDataKeyReusePeriodSeconds: number) => () =>
      defineScenario({
        name: 'bad',
        keys: [{ name: 'k' }],
        arrivals: { shape: 'constant', rate: 1 },
        requests: [{ kind: 'sqs-send', key: 'k', kmsDataKeyReusePeriodSeconds }],
      })
    expect(bad(59)).toThrow(/KmsDataKeyReusePeriodSeconds must be 60 to 86,400 seconds/)
    expect(bad(86_401)).toThrow(/KmsDataKeyReusePeriodSeconds must be 60 to 86,400 seconds/)
    expect(bad(300.5)).toThrow(/whole number of seconds/)
    expect(bad(60)).not.toThrow()
  })
})
