import {
  INITIAL_RETRY_TOKENS,
  MAXIMUM_RETRY_DELAY,
  Retry,
  StandardRetryStrategy,
  type RETRY_MODES,
} from '@smithy/util-retry'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { directKms, kmsCall } from '../engine/index.ts'
import {
  type Effect,
  type KmsCallSpec,
  type KmsOutcome,
  type Host,
  type MitigationContext,
  defineScenario,
} from '../scenario/index.ts'
import { Random } from '../../random.ts'
import { runScenario } from '../index.ts'
import { retryErrorType, RetryQuota, sdkRetry, type RetryErrorType } from './retry.ts'

type Script = (RetryErrorType | 'OK')[]

const ERRORS: Record<RetryErrorType, { name: string; message: string; httpStatus: number }> = {
  THROTTLING: {
    name: 'ThrottlingException',
    message: 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.',
    httpStatus: 400,
  },
  TRANSIENT: { name: 'KMSInternalException', message: 'internal', httpStatus: 500 },
  SERVER_ERROR: { name: 'SomeServerFault', message: 'fault', httpStatus: 501 },
  CLIENT_ERROR: { name: 'NotFoundException', message: 'nope', httpStatus: 400 },
}

function outcome(step: RetryErrorType | 'OK'): KmsOutcome {
  return step === 'OK' ? { ok: true, output: {} as never } : { ok: false, error: ERRORS[step] }
}

/** Runs scripted calls through the real StandardRetryStrategy; returns each call's attempts and delays, and the capacity after it. */
async function realStrategy(
  maxAttempts: number,
  scripts: Script[],
): Promise<{ attempts: number; delays: number[]; capacity: number }[]> {
  vi.useFakeTimers()
  const s = new StandardRetryStrategy(maxAttempts)
  const out: { attempts: number; delays: number[]; capacity: number }[] = []
  for (const script of scripts) {
    let token = await s.acquireInitialRetryToken('')
    let attempts = 0
    const delays: number[] = []
    for (;;) {
      const step = script[attempts] ?? 'OK'
      attempts++
      if (step === 'OK') {
        s.recordSuccess(token)
        break
      }
      const p = s.refreshRetryTokenForRetry(token, {
        errorType: step,
        error: Object.assign(new Error(ERRORS[step].message), { name: ERRORS[step].name }),
      } as never)
      const settled = p.then(
        (t) => ({ t }),
        () => undefined,
      )
      await vi.runAllTimersAsync()
      const r = await settled
      if (r === undefined) break
      token = r.t
      delays.push((token as unknown as { $retryLog: { acquisitionDelay: number } }).$retryLog.acquisitionDelay)
    }
    out.push({ attempts, delays, capacity: s.getCapacity() })
  }
  vi.useRealTimers()
  return out
}

function context(seed: number): MitigationContext {
  return {
    clock: new VirtualClock(),
    random: new Random(seed),
    target: 'embedded',
    variant: 'v',
    hosts: 1,
    durationSeconds: 1,
    region: 'us-east-1',
    accounts: ['111122223333'],
    keys: new Map(),
  }
}

const host: Host = {
  index: 0,
  id: 'host-0',
  caller: {},
  account: '111122223333',
  region: 'us-east-1',
  principal: 'p',
  random: new Random(1),
  now: () => 0,
}
const call: KmsCallSpec = kmsCall('GenerateDataKey', { KeyId: 'k', KeySpec: 'AES_256' }, {})

/** Runs scripted calls through the layer's generator; returns attempts and backoff per call. */
function layer(maxAttempts: number, seed: number, scripts: Script[]): { attempts: number; delays: number[] }[] {
  const run = sdkRetry({ maxAttempts }).start(context(seed))
  const invoke = run.wrap(directKms, host)
  return scripts.map((script) => {
    const gen = invoke(call)
    let attempts = 0
    const delays: number[] = []
    let value: unknown
    for (;;) {
      const r = gen.next(value)
      if (r.done === true) break
      const eff = r.value as Effect
      if (eff.kind === 'kms') value = outcome(script[attempts++] ?? 'OK')
      else if (eff.kind === 'sleep') {
        delays.push(eff.ms)
        value = undefined
      }
    }
    return { attempts, delays }
  })
}

describe('SDK retry layer', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    vi.useRealTimers()
  })

  it('reads the SDK constants of the installed @smithy/core', () => {
    const m = sdkRetry()
    expect(m.params).toMatchObject({
      mode: 'standard',
      maxAttempts: 3,
      throttlingBaseDelayMs: Retry.throttlingDelay(),
      baseDelayMs: Retry.delay(),
      retryQuota: INITIAL_RETRY_TOKENS,
    })
    expect(INITIAL_RETRY_TOKENS).toBe(500)
    expect(MAXIMUM_RETRY_DELAY).toBe(20_000)
    const q = new RetryQuota(3)
    expect(q.capacity).toBe(new StandardRetryStrategy(3).getCapacity())
    expect(q.cost('THROTTLING')).toBe(Retry.throttlingCost())
    expect(q.cost('TRANSIENT')).toBe(Retry.cost())
    expect(m.clientRetry).toEqual({ mode: 'standard', maxAttempts: 3 })
    expect(sdkRetry({ mode: 'none' }).clientRetry).toEqual({ mode: 'standard', maxAttempts: 1 })
    expect(() => sdkRetry({ mode: 'Adaptive' as never })).toThrow(
      "mode must be 'none', 'legacy', 'standard' or 'adaptive', got \"Adaptive\"",
    )
    expect(() => sdkRetry({ maxAttempts: 0 })).toThrow('maxAttempts must be an integer >= 1, got 0')
    expect(sdkRetry({ mode: 'adaptive', maxAttempts: 5 }).clientRetry).toEqual({
      mode: 'adaptive',
      maxAttempts: 5,
    } satisfies { mode: `${RETRY_MODES}`; maxAttempts: number })
  })

  it('classifies errors with the SDK own predicates', () => {
    expect(retryErrorType({ name: 'ThrottlingException', message: '' })).toBe('THROTTLING')
    // KMS's resource-quota error is in the SDK's throttling list (kms-facts.md §2.2).
    expect(retryErrorType({ name: 'LimitExceededException', message: '' })).toBe('THROTTLING')
    expect(retryErrorType({ name: 'KMSInternalException', message: '', httpStatus: 500 })).toBe('TRANSIENT')
    expect(retryErrorType({ name: 'DependencyTimeoutException', message: '', httpStatus: 503 })).toBe('TRANSIENT')
    expect(retryErrorType({ name: 'SomeFault', message: '', httpStatus: 501 })).toBe('SERVER_ERROR')
    expect(retryErrorType({ name: 'NotFoundException', message: '' })).toBe('CLIENT_ERROR')
    expect(retryErrorType({ name: 'AccessDeniedException', message: '' })).toBe('CLIENT_ERROR')
  })

  it('makes the same retry decisions, backoffs and retry-quota accounting as StandardRetryStrategy', async () => {
    const scripts: Script[] = [
      ['OK'],
      ['THROTTLING', 'OK'],
      ['THROTTLING', 'THROTTLING', 'THROTTLING'],
      ['TRANSIENT', 'OK'],
      ['CLIENT_ERROR'],
      ['SERVER_ERROR'],
      ['TRANSIENT', 'THROTTLING', 'OK'],
      // Drain the 500-token retry quota: 100 throttled calls in a row, then retries are refused.
      ...Array.from({ length: 110 }, (): Script => ['THROTTLING', 'THROTTLING', 'THROTTLING']),
      ['OK'],
      ['THROTTLING', 'OK'],
    ]
    for (const maxAttempts of [3, 5]) {
      // The layer draws its jitter from a seeded stream; feed the same numbers to the SDK's Math.random.
      const seed = 21
      const jitter = new Random(new Random(seed).uint32(), host.index)
      vi.spyOn(Math, 'random').mockImplementation(() => jitter.next())
      const real = await realStrategy(maxAttempts, scripts)
      vi.restoreAllMocks()
      const ours = layer(maxAttempts, seed, scripts)
      expect(ours.map((o) => o.attempts)).toEqual(real.map((r) => r.attempts))
      // A zero backoff sleeps in neither (the layer yields no sleep effect for it).
      expect(ours.map((o) => o.delays)).toEqual(real.map((r) => r.delays.filter((d) => d > 0)))
      // The quota ran out at some point, so refusals were exercised.
      expect(real.some((r, i) => (scripts[i] as Script).length === 3 && r.attempts === 1)).toBe(true)
    }
  })

  it('keeps the retry quota exactly as the SDK does', async () => {
    const seq: Script[] = [
      ['THROTTLING', 'OK'],
      ['TRANSIENT', 'TRANSIENT', 'OK'],
      ['OK'],
      ['THROTTLING', 'THROTTLING', 'THROTTLING'],
    ]
    const real = await realStrategy(3, seq)
    const q = new RetryQuota(3)
    const capacities: number[] = []
    for (const script of seq) {
      let retries = 0
      let lastCost: number | undefined
      for (const step of script) {
        if (step === 'OK') {
          q.recordSuccess(lastCost)
          break
        }
        if (!q.shouldRetry(retries, step)) break
        lastCost = q.take(step)
        retries++
      }
      capacities.push(q.capacity)
    }
    expect(capacities).toEqual(real.map((r) => r.capacity))
  })

  it('keeps virtual runs reproducible: the same seed gives the same backoffs', () => {
    const scripts: Script[] = Array.from({ length: 20 }, () => ['THROTTLING', 'THROTTLING', 'OK'])
    expect(layer(3, 5, scripts)).toEqual(layer(3, 5, scripts))
    expect(layer(3, 5, scripts)).not.toEqual(layer(3, 6, scripts))
    // Full jitter under the throttling base: 0 <= delay < base · 2^retry.
    for (const r of layer(3, 5, scripts)) {
      expect(r.delays[0]).toBeLessThan(Retry.throttlingDelay())
      expect(r.delays[1]).toBeLessThan(2 * Retry.throttlingDelay())
    }
  })

  it('the fast path gives the same results as the generator', () => {
    const run = sdkRetry().start(context(3))
    const invoke = run.wrap(directKms, host)
    expect(invoke.sync).toBeDefined()
    let n = 0
    const exec = (): KmsOutcome => outcome(n++ % 2 === 0 ? 'THROTTLING' : 'OK')
    // First attempt throttled with quota left: a continuation that sleeps, then retries.
    const r = invoke.sync!(call, exec)
    expect(typeof (r as { next?: unknown }).next).toBe('function')
    const gen = r as Generator<Effect, KmsOutcome, unknown>
    const first = gen.next()
    expect(first.value).toMatchObject({ kind: 'sleep' })
    const second = gen.next()
    expect(second.value).toMatchObject({ kind: 'kms' })
    expect(gen.next(outcome('OK'))).toMatchObject({ done: true, value: { ok: true } })
    // A client error is final at once: an outcome, no generator.
    expect(invoke.sync!(call, () => outcome('CLIENT_ERROR'))).toMatchObject({ ok: false })
  })
})

describe('adaptive mode under throttling', () => {
  it('makes fewer KMS calls and far fewer throttled calls than standard mode', async () => {
    const scenario = defineScenario({
      name: 'adaptive-vs-standard',
      duration: 30,
      keys: [{ name: 'k' }],
      fleet: { hosts: 10 },
      arrivals: { shape: 'constant', rate: 3000 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      quotas: { symmetric: 1000 },
      variants: [
        { name: 'standard', retry: { mode: 'standard', maxAttempts: 3 } },
        { name: 'adaptive', retry: { mode: 'adaptive', maxAttempts: 3 } },
      ],
    })
    const r = await runScenario(scenario, { retryLayer: (s) => sdkRetry(s) })
    const [standard, adaptive] = r.variants
    expect(standard!.offered.requests).toBe(90_000)
    expect(adaptive!.offered.requests).toBe(90_000)
    expect(adaptive!.kms.calls).toBeLessThan(standard!.kms.calls)
    expect(adaptive!.kms.throttled).toBeLessThan(standard!.kms.throttled / 2)
    expect(adaptive!.mitigations[0]!.stats['limiterDelayed']).toBeGreaterThan(0)
  })
})
