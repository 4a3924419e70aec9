import { Retry } from '@smithy/util-retry'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MODE, type SdkName, sdkModes } from '../scenario/index.ts'
import { RetryBudget, replayRequests, sdkRetryModel } from './sdk-models.ts'

const T = { name: 'ThrottlingException' }
const LIMIT = { name: 'LimitExceededException' }
const INTERNAL = { name: 'KMSInternalException', httpStatus: 500 }

/** n requests whose every attempt is throttled (more outcomes than any mode makes). */
const throttled = (n: number) => Array.from({ length: n }, () => Array.from({ length: 10 }, () => T))

describe('SDK retry models', () => {
  it('default modes: JS v3 and Go v2 standard, boto3 and Java v2 legacy', () => {
    expect(DEFAULT_MODE).toEqual({ 'js-v3': 'standard', boto3: 'legacy', 'java-v2': 'legacy', 'go-v2': 'standard' })
    const attempts = (sdk: SdkName) => sdkRetryModel(sdk).maxAttempts
    expect([attempts('js-v3'), attempts('boto3'), attempts('java-v2'), attempts('go-v2')]).toEqual([3, 5, 4, 3])
  })

  it('boto3 standard: 50 throttled requests (2 retries × 5 tokens) empty the 500-token quota', () => {
    const r = replayRequests(sdkRetryModel('boto3', { mode: 'standard' }), throttled(52))
    expect(r.slice(0, 50).every((x) => x.attempts === 3 && x.refusal === 'max-attempts')).toBe(true)
    expect(r[49]?.capacity).toBe(0)
    expect(r[50]).toEqual({ attempts: 1, refusal: 'quota', capacity: 0 })
  })

  it('boto3 standard refunds: +1 for a first-try success, the last retry cost after a retried one, capped at 500', () => {
    const model = sdkRetryModel('boto3', { mode: 'standard' })
    // 500 → (retry) 495 → (retry) 490 → success after retries: +5 = 495 → first-try success: +1 = 496
    const r = replayRequests(model, [[T, T, undefined], [undefined]])
    expect(r.map((x) => x.capacity)).toEqual([495, 496])
    expect(replayRequests(model, [[undefined]])[0]?.capacity).toBe(500)
  })

  it('boto3 legacy: 5 attempts, no quota, backoff rand · 2^(n-1) s without cap', () => {
    const model = sdkRetryModel('boto3')
    const r = replayRequests(model, throttled(200))
    expect(r.every((x) => x.attempts === 5 && x.refusal === 'max-attempts')).toBe(true)
    expect([1, 2, 3, 4, 6].map((n) => model.backoffMs(n, 'THROTTLING', 0.5))).toEqual([500, 1000, 2000, 4000, 16000])
    // legacy retries KMSInternalException (500) but not LimitExceededException (400, not in _retry.json)
    expect(model.classify(INTERNAL)).toBe('TRANSIENT')
    expect(model.classify(LIMIT)).toBe('NOT_RETRYABLE')
  })

  it('boto3 standard backoff: rand · min(2^(n-1), 20) s', () => {
    const model = sdkRetryModel('boto3', { mode: 'standard' })
    expect([1, 2, 5, 6, 9].map((n) => model.backoffMs(n, 'THROTTLING', 0.5))).toEqual([500, 1000, 8000, 10000, 10000])
  })

  it('Java v2 legacy: throttles cost no tokens, 4 attempts, half-jitter 500 ms throttle backoff', () => {
    const model = sdkRetryModel('java-v2')
    const r = replayRequests(model, throttled(300))
    expect(r.every((x) => x.attempts === 4 && x.capacity === 500)).toBe(true)
    // ceil = min(500 · 2^(n-1), 20000); delay = ceil/2 + u · ceil/2
    expect(model.backoffMs(1, 'THROTTLING', 0)).toBe(250)
    expect(model.backoffMs(3, 'THROTTLING', 0.5)).toBe(1500)
    expect(model.backoffMs(8, 'THROTTLING', 0)).toBe(10000)
    // transient errors cost 5: 500 / (3 retries × 5) = 33 full requests, then 5 tokens = 1 more retry
    const t = replayRequests(
      model,
      Array.from({ length: 35 }, () => Array(10).fill(INTERNAL)),
    )
    expect(t[32]).toEqual({ attempts: 4, refusal: 'max-attempts', capacity: 5 })
    expect(t[33]).toEqual({ attempts: 2, refusal: 'quota', capacity: 0 })
    expect(model.classify(LIMIT)).toBe('NOT_RETRYABLE')
  })

  it('Java v2 standard: 5 tokens per retry, throttle base 1 s; success gives back max(last cost, 1)', () => {
    const model = sdkRetryModel('java-v2', { mode: 'standard' })
    const r = replayRequests(model, throttled(51))
    expect(r[49]?.capacity).toBe(0)
    expect(r[50]?.refusal).toBe('quota')
    expect(model.backoffMs(2, 'THROTTLING', 0.5)).toBe(1000)
    expect(model.backoffMs(2, 'TRANSIENT', 0.5)).toBe(100)
    expect(replayRequests(model, [[T, undefined]])[0]?.capacity).toBe(500)
    expect(sdkRetryModel('java-v2', { mode: 'adaptive' }).limiter).toBe(true)
  })

  it('Go v2: rand · 2^attempt s, a flat 20 s past attempt 4; success after a retry refunds cost + 1', () => {
    const model = sdkRetryModel('go-v2')
    expect([1, 2, 4, 5].map((n) => model.backoffMs(n, 'THROTTLING', 0.5))).toEqual([1000, 2000, 8000, 20000])
    // 500 → 495 → 490 → success: +5 +1 = 496
    expect(replayRequests(model, [[T, T, undefined]])[0]?.capacity).toBe(496)
    expect(replayRequests(model, throttled(51))[50]?.refusal).toBe('quota')
    expect(model.classify(LIMIT)).toBe('THROTTLING')
    const none = sdkRetryModel('go-v2', { retryQuota: false })
    expect(replayRequests(none, throttled(200)).every((x) => x.attempts === 3)).toBe(true)
  })

  it('JS v3: constants of the installed @smithy packages', () => {
    const model = sdkRetryModel('js-v3')
    expect(model.quota?.throttlingCost).toBe(Retry.throttlingCost())
    expect(model.quota?.transientCost).toBe(Retry.cost())
    const perRequest = 2 * Retry.throttlingCost()
    const full = Math.floor(500 / perRequest)
    const r = replayRequests(model, throttled(full + 2))
    expect(r[full - 1]?.refusal).toBe('max-attempts')
    expect(r.some((x) => x.refusal === 'quota')).toBe(true)
    expect(model.classify(LIMIT)).toBe('THROTTLING')
    expect(model.classify(INTERNAL)).toBe('TRANSIENT')
    expect(model.classify({ name: 'NotFoundException' })).toBe('NOT_RETRYABLE')
  })

  it('none makes one attempt; maxAttempts overrides the mode’s', () => {
    expect(replayRequests(sdkRetryModel('boto3', { mode: 'none' }), throttled(1))[0]?.attempts).toBe(1)
    expect(sdkRetryModel('boto3', { maxAttempts: 2 }).maxAttempts).toBe(2)
    const b = new RetryBudget(sdkRetryModel('boto3'))
    expect(b.refusal(1, 'NOT_RETRYABLE')).toBe('not-retryable')
  })

  it('bad input names the problem', () => {
    expect(() => sdkRetryModel('ruby' as SdkName)).toThrow(/sdk must be one of js-v3, boto3, java-v2, go-v2/)
    expect(() => sdkRetryModel('js-v3', { mode: 'legacy' })).toThrow(/js-v3 has no retry mode "legacy"/)
    expect(() => sdkRetryModel('go-v2', { maxAttempts: 0 })).toThrow(/maxAttempts must be an integer >= 1/)
    expect(sdkModes('go-v2')).toEqual(['none', 'standard', 'adaptive'])
  })
})
