import { describe, expect, it } from 'vitest'
import { LimiterSlot, windowAllowance, windowPlan } from './limiter.ts'

const T0 = Date.UTC(2025, 0, 1) // a whole epoch second (and a multiple of 10 s)

/** Offers `perSecond` evenly spaced calls in each of `seconds` seconds; returns accepted per second. */
function offer(slot: LimiterSlot, perSecond: number, seconds: number, start = T0): number[] {
  const out: number[] = []
  for (let s = 0; s < seconds; s++) {
    let ok = 0
    for (let i = 0; i < perSecond; i++) if (slot.tryTake(start + s * 1000 + (i * 1000) / perSecond, 1)) ok++
    out.push(ok)
  }
  return out
}

describe('windowPlan', () => {
  it('uses one-second windows for whole limits', () => {
    expect(windowPlan(10_000)).toEqual({ seconds: 1, whole: 10_000, frac: 0 })
    expect(windowPlan(0)).toEqual({ seconds: 1, whole: 0, frac: 0 })
  })

  it("reads AWS's fractional quotas as AWS words them: 0.5 = 1 per 2 s, 0.1 = 1 per 10 s, 0.25 = 1 per 4 s", () => {
    expect(windowPlan(0.5)).toEqual({ seconds: 2, whole: 1, frac: 0 })
    expect(windowPlan(0.1)).toEqual({ seconds: 10, whole: 1, frac: 0 })
    expect(windowPlan(0.25)).toEqual({ seconds: 4, whole: 1, frac: 0 })
    // 5/s scaled by 1/3 is 1.666...: no float noise may turn it into a 3-second window
    expect(windowPlan(5 / 3).seconds).toBe(1)
  })

  it('spreads a non-integer limit so that any run of windows admits it to within one request', () => {
    const plan = windowPlan(1.85)
    let total = 0
    for (let k = 1000; k < 1100; k++) {
      const a = windowAllowance(plan, k)
      expect(a === 1 || a === 2).toBe(true)
      total += a
    }
    expect(Math.abs(total - 185)).toBeLessThanOrEqual(1)
  })

  it('rejects negative and non-finite limits', () => {
    expect(() => windowPlan(-1)).toThrow(RangeError)
    expect(() => windowPlan(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => windowPlan(Number.NaN)).toThrow(RangeError)
  })
})

describe('LimiterSlot, fixed windows', () => {
  it('admits exactly the limit in each one-second window when offered twice as much', () => {
    // 100/s offered 200/s for 5 s: 100 accepted in every second (throttling.html: once the
    // quota is used, further calls in that same second are throttled).
    expect(offer(new LimiterSlot(100, 'fixed-window'), 200, 5)).toEqual([100, 100, 100, 100, 100])
  })

  it('resets on whole epoch seconds, not one second after the first call', () => {
    const slot = new LimiterSlot(3, 'fixed-window')
    // three calls at .900 use the window [T0, T0+1000); the fourth at .999 is throttled
    expect([900, 950, 990, 999].map((ms) => slot.tryTake(T0 + ms, 1))).toEqual([true, true, true, false])
    // a new second starts at T0+1000 exactly, 1 ms later: no sliding window
    expect(slot.tryTake(T0 + 1000, 1)).toBe(true)
  })

  it('has no burst and no carry-over from idle seconds', () => {
    const slot = new LimiterSlot(5, 'fixed-window')
    let ok = 0
    for (let i = 0; i < 50; i++) if (slot.tryTake(T0 + 10_000 + i, 1)) ok++
    expect(ok).toBe(5)
  })

  it('enforces 0.5/s as one call in each 2-second interval aligned to even seconds', () => {
    const slot = new LimiterSlot(0.5, 'fixed-window')
    // windows [T0, T0+2s), [T0+2s, T0+4s): one call each, wherever it falls in the window
    expect([1500, 1900, 2100, 3999, 4000].map((ms) => slot.tryTake(T0 + ms, 1))).toEqual([
      true,
      false,
      true,
      false,
      true,
    ])
  })

  it('keeps the throttle fraction of a scale model: 5/s × 0.1 offered 4/s × 0.1 is never throttled', () => {
    // full size: 4/s against 5/s is never throttled; scale 0.1: 0.4/s against 0.5/s
    const slot = new LimiterSlot(0.5, 'fixed-window')
    let throttled = 0
    for (let i = 0; i < 40; i++) if (!slot.tryTake(T0 + i * 2500, 1)) throttled++
    expect(throttled).toBe(0)
    // and 2× the scaled quota is throttled half the time, like 10/s against 5/s
    const slot2 = new LimiterSlot(0.5, 'fixed-window')
    let ok = 0
    for (let i = 0; i < 100; i++) if (slot2.tryTake(T0 + 200_000 + i * 1000, 1)) ok++
    expect(ok).toBe(50)
  })

  it('charges multi-count requests atomically', () => {
    const slot = new LimiterSlot(5, 'fixed-window')
    expect(slot.tryTake(T0, 2)).toBe(true)
    expect(slot.tryTake(T0, 2)).toBe(true)
    expect(slot.tryTake(T0, 2)).toBe(false) // only 1 left: nothing taken
    expect(slot.tryTake(T0, 1)).toBe(true)
    expect(slot.remaining()).toBe(0)
  })

  it('a zero limit throttles everything', () => {
    expect(offer(new LimiterSlot(0, 'fixed-window'), 10, 2)).toEqual([0, 0])
  })
})

describe('LimiterSlot, token bucket (what-if option)', () => {
  it('allows a burst of one second of quota, then refills at the limit', () => {
    const slot = new LimiterSlot(100, 'token-bucket')
    let burst = 0
    for (let i = 0; i < 1000; i++) if (slot.tryTake(T0, 1)) burst++
    expect(burst).toBe(100)
    // 0.5 s later, 50 tokens are back
    let later = 0
    for (let i = 0; i < 1000; i++) if (slot.tryTake(T0 + 500, 1)) later++
    expect(later).toBe(50)
  })

  it('admits the limit per second in the long run under 2× load', () => {
    const accepted = offer(new LimiterSlot(100, 'token-bucket'), 200, 10)
    const total = accepted.reduce((a, b) => a + b, 0)
    // full bucket (100) + 10 s × 100/s of refill, minus the refill of the last 1/200 s
    expect(total).toBeGreaterThanOrEqual(1099)
    expect(total).toBeLessThanOrEqual(1100)
    expect(accepted[0]).toBeGreaterThan(100) // the burst: unlike AWS's fixed windows
  })

  it('straddles a second boundary where fixed windows would not', () => {
    const fixed = new LimiterSlot(10, 'fixed-window')
    const bucket = new LimiterSlot(10, 'token-bucket')
    // 10 at .999 and 10 at 1.000: fixed windows admit all 20 (two windows), the bucket only 10
    const times = [...Array<number>(10).fill(T0 + 999), ...Array<number>(10).fill(T0 + 1000)]
    expect(times.filter((t) => fixed.tryTake(t, 1)).length).toBe(20)
    expect(times.filter((t) => bucket.tryTake(t, 1)).length).toBe(10)
  })
})
