import { describe, expect, it } from 'vitest'
import { kmsCall } from '../load/engine/index.ts'
import { sdkRetry, type SdkRetryOptions } from '../load/client/index.ts'
import { bench, DIRECT } from './test-support.ts'

/**
 * 61 GenerateDataKey calls in one second against a quota of 1/s (backoff sleeps take no time
 * on the bench): the first succeeds, every other attempt is throttled. What each SDK's client
 * sends, worked out by hand from its model (sdk-models.ts).
 */
function storm(options: SdkRetryOptions, hostIndex = 0) {
  const b = bench({ quotas: { symmetric: 1 } })
  const run = sdkRetry(options).start(b.context({ hosts: 2 }))
  const invoker = run.wrap(DIRECT, { ...b.host, index: hostIndex })
  const call = kmsCall('GenerateDataKey', { KeyId: b.key.keyId, KeySpec: 'AES_256' }, b.caller)
  const ok = Array.from({ length: 61 }, () => b.run(invoker, call).ok).filter(Boolean).length
  return { calls: b.total(), ok, stats: run.stats?.() ?? {} }
}

describe('SDK retry layer per SDK', () => {
  it('boto3 legacy (its default): 5 attempts per request and no retry quota: 1 + 60 × 5 calls', () => {
    const r = storm({ sdk: 'boto3' })
    expect(r).toMatchObject({ calls: 301, ok: 1 })
    expect(r.stats['quotaRefusals']).toBe(0)
  })

  it('boto3 standard, JS v3 and Go v2: 50 requests × 3 attempts empty the 500-token quota, then 1 attempt each', () => {
    for (const o of [{ sdk: 'boto3', mode: 'standard' }, { sdk: 'js-v3' }, { sdk: 'go-v2' }] as const) {
      const r = storm(o)
      expect(r.calls).toBe(1 + 50 * 3 + 10)
      expect(r.stats['quotaRefusals']).toBe(10)
    }
  })

  it('Java v2 legacy (its default): 4 attempts, throttles cost no tokens: 1 + 60 × 4 calls', () => {
    expect(storm({ sdk: 'java-v2' }).calls).toBe(241)
  })

  it('a mixed fleet: host groups get their own client', () => {
    const groups = [{ name: 'python', first: 1, count: 1, sdk: 'boto3' as const }]
    expect(storm({ sdk: 'js-v3', groups }, 0).calls).toBe(161)
    expect(storm({ sdk: 'js-v3', groups }, 1).calls).toBe(301)
    const m = sdkRetry({ sdk: 'js-v3', groups })
    // A fleet that is not all JavaScript is modelled in-process on endpoint targets too.
    expect(m.clientRetry).toBeUndefined()
    expect(m.params['groups']).toBe('python: boto3 legacy ×5')
    expect(sdkRetry({ sdk: 'boto3', maxAttempts: 2 }).params).toMatchObject({
      sdk: 'boto3',
      mode: 'legacy',
      maxAttempts: 2,
    })
  })
})
