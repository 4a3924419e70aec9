import { DefaultRateLimiter } from '@smithy/util-retry'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Effect } from '../scenario/index.ts'
import { AdaptiveLimiter, SDK_ADAPTIVE_DEFAULTS } from './adaptive-limiter.ts'

const FIELDS = [
  'enabled',
  'availableTokens',
  'lastMaxRate',
  'measuredTxRate',
  'requestCount',
  'fillRate',
  'lastThrottleTime',
  'lastTimestamp',
  'lastTxRateBucket',
  'maxCapacity',
  'timeWindow',
] as const

function state(x: object): Record<string, unknown> {
  const r = x as Record<string, unknown>
  return Object.fromEntries(FIELDS.map((f) => [f, r[f]]))
}

/**
 * A tiny discrete-event driver: runs generators of effects on a shared time, in order.
 * Returns each generator's return value.
 */
function drive(
  gens: Generator<Effect, unknown, unknown>[],
  time: { now: number },
  background: Generator<Effect, unknown, unknown>[] = [],
): unknown[] {
  const results: unknown[] = new Array(gens.length).fill(undefined)
  let queue: { at: number; seq: number; run: () => void }[] = []
  let seq = 0
  let open = gens.length
  const schedule = (at: number, run: () => void): void => {
    queue.push({ at, seq: seq++, run })
  }
  const step = (g: Generator<Effect, unknown, unknown>, i: number, value: unknown): void => {
    for (;;) {
      const r = g.next(value)
      if (r.done === true) {
        if (i >= 0) {
          results[i] = r.value
          open--
        }
        return
      }
      const e = r.value
      if (e.kind === 'sleep') {
        schedule(time.now + e.ms, () => step(g, i, undefined))
        return
      }
      if (e.kind === 'wait') {
        if (e.flight.settled) {
          value = e.flight.value
          continue
        }
        e.flight.onSettled((v) => schedule(time.now, () => step(g, i, v)))
        return
      }
      throw new Error('no KMS calls here')
    }
  }
  for (const g of background) step(g, -1, undefined)
  gens.forEach((g, i) => {
    step(g, i, undefined)
  })
  while (open > 0 && queue.length > 0) {
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq)
    const next = queue[0] as (typeof queue)[number]
    queue = queue.slice(1)
    time.now = Math.max(time.now, next.at)
    next.run()
  }
  return results
}

describe('AdaptiveLimiter (the SDK DefaultRateLimiter on an injected clock)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('uses the SDK constants', () => {
    expect(SDK_ADAPTIVE_DEFAULTS).toEqual({
      beta: 0.7,
      minCapacity: 1,
      minFillRate: 0.5,
      scaleConstant: 0.4,
      smooth: 0.8,
    })
  })

  it('updates its rates exactly as DefaultRateLimiter does, step by step', () => {
    const t0 = Date.UTC(2025, 0, 1)
    vi.useFakeTimers()
    vi.setSystemTime(t0)
    const real = new DefaultRateLimiter()
    let now = t0
    const ours = new AdaptiveLimiter(() => now)
    expect(state(ours)).toEqual(state(real))
    // 40 successes per second for 3 s, a throttle burst, recovery, another throttle.
    const events: { at: number; throttled: boolean }[] = []
    for (let i = 0; i < 120; i++) events.push({ at: i * 25, throttled: false })
    for (let i = 0; i < 10; i++) events.push({ at: 3000 + i * 10, throttled: i % 3 === 0 })
    for (let i = 0; i < 200; i++) events.push({ at: 3200 + i * 40, throttled: i === 150 })
    for (const e of events) {
      now = t0 + e.at
      vi.setSystemTime(now)
      real.updateClientSendingRate(e.throttled ? { errorType: 'THROTTLING' } : {})
      ours.update(e.throttled)
      expect(state(ours)).toEqual(state(real))
    }
    expect(ours.enabled).toBe(true)
  })

  it('makes a lone send wait as long as getSendToken does', async () => {
    const t0 = Date.UTC(2025, 0, 1)
    vi.useFakeTimers()
    vi.setSystemTime(t0)
    const waits: number[] = []
    const statics = DefaultRateLimiter as unknown as { setTimeoutFn: (fn: () => void, ms: number) => unknown }
    const original = statics.setTimeoutFn
    statics.setTimeoutFn = (fn, ms) => {
      waits.push(ms)
      return setTimeout(fn, ms)
    }
    try {
      const real = new DefaultRateLimiter()
      const time = { now: t0 }
      const ours = new AdaptiveLimiter(() => time.now)
      // Throttle once: the bucket switches on with a low fill rate.
      real.updateClientSendingRate({ errorType: 'THROTTLING' })
      ours.update(true)
      for (let i = 0; i < 5; i++) {
        time.now += 100
        vi.setSystemTime(time.now)
        waits.length = 0
        const p = real.getSendToken()
        await vi.runAllTimersAsync()
        await p
        const realWaited = waits.reduce((a, b) => a + b, 0)
        // (Each drive has its own event queue: give it a dispatcher of its own.)
        const [ourWait] = drive([ours.sendToken()], time, [ours.dispatch()])
        expect(ourWait as number).toBeCloseTo(realWaited, 3)
        expect(time.now).toBeCloseTo(Date.now(), 3)
        expect(ours.availableTokens).toBeCloseTo((real as unknown as { availableTokens: number }).availableTokens, 6)
      }
    } finally {
      statics.setTimeoutFn = original
    }
  })

  it('sends at once while off; once on, hands tokens to waiting requests in order at the fill rate', () => {
    // (The SDK treats a timestamp of 0 as "never refilled": start at a real epoch.)
    const time = { now: Date.UTC(2025, 0, 1) }
    const l = new AdaptiveLimiter(() => time.now)
    expect(drive([l.sendToken()], time)).toEqual([0])
    l.update(true)
    const period = 1000 / l.fillRate
    const waited = drive([l.sendToken(), l.sendToken(), l.sendToken()], time, [l.dispatch()]) as number[]
    expect(waited[0]).toBeCloseTo(period, 6)
    expect(waited[1]).toBeCloseTo(2 * period, 6)
    expect(waited[2]).toBeCloseTo(3 * period, 6)
    expect(l.waiting).toBe(0)
  })

  it('grants a token whose deficit is below the clock resolution instead of spinning on it', () => {
    const time = { now: Date.UTC(2026, 0, 1) }
    const l = new AdaptiveLimiter(() => time.now)
    l.update(true)
    const waiter = l.sendToken()
    expect(waiter.next().value).toMatchObject({ kind: 'wait' })
    const dispatcher = l.dispatch()
    // A refill that leaves the bucket a float error short of one token: its sleep (~1e-13 ms)
    // cannot move an epoch-ms clock, so a dispatcher that slept it would never wake to a token.
    l.availableTokens = 1 - 2 ** -52
    l.lastTimestamp = time.now / 1000
    let steps = 0
    let r = dispatcher.next()
    while (!r.done && r.value.kind === 'sleep' && steps++ < 1000) {
      time.now += r.value.ms
      r = dispatcher.next()
    }
    expect(steps).toBe(0)
    expect(waiter.next().done).toBe(true)
    expect(l.waiting).toBe(0)
  })
})
