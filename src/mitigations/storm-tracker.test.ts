import { describe, expect, it } from 'vitest'
import { StormTracker } from './storm-tracker.ts'

// The spec's defaults in ms: grace period 10 s, grace interval 1 s, fan-out 20, in-flight TTL 20 s.
const tracker = (fanOut = 20) =>
  new StormTracker({ gracePeriodMs: 10_000, graceIntervalMs: 1000, fanOut, inFlightTtlMs: 20_000 })

describe('storm tracker (GetCacheEntry decisions)', () => {
  it('cold key: the first caller fetches, the next ones block until the grace interval has passed', () => {
    const t = tracker()
    expect(t.decide('k', undefined, 0, 0)).toBe('fetch')
    expect(t.decide('k', undefined, 500, 0)).toBe('block')
    expect(t.decide('k', undefined, 999, 300)).toBe('block')
    // 1 s after the fetch began the key is no longer in flight: one more caller fetches.
    expect(t.decide('k', undefined, 1000, 500)).toBe('fetch')
    expect(t.decide('k', undefined, 1500, 0)).toBe('block')
    t.put('k')
    expect(t.inFlightCount(1500)).toBe(0)
  })

  it('an entry outside the grace period is a hit; inside it one caller per grace interval refreshes ahead', () => {
    const t = tracker()
    const expiry = 60_000
    expect(t.decide('k', expiry, 49_999, 0)).toBe('hit')
    // (expiry − gracePeriod) <= now: within the grace period
    expect(t.decide('k', expiry, 50_000, 0)).toBe('fetch')
    expect(t.decide('k', expiry, 50_500, 0)).toBe('hit')
    expect(t.decide('k', expiry, 51_000, 0)).toBe('fetch')
    t.put('k')
    expect(t.decide('k', 120_000, 51_001, 0)).toBe('hit')
  })

  it('fan-out: with 2 keys in flight a third cold key blocks, a cached one is served', () => {
    const t = tracker(2)
    expect(t.decide('a', undefined, 0, 0)).toBe('fetch')
    expect(t.decide('b', undefined, 0, 0)).toBe('fetch')
    expect(t.decide('c', undefined, 10, 0)).toBe('block')
    // within its grace period, but the fan-out is full: served from the cache, no refresh
    expect(t.decide('d', 5000, 500, 0)).toBe('hit')
    t.put('a')
    expect(t.decide('c', undefined, 20, 10)).toBe('fetch')
    expect(t.peakInFlight).toBe(2)
  })

  it('a caller blocked longer than the in-flight TTL fails', () => {
    // A 30 s grace interval keeps the key in flight: the waiter gives up after 20 s.
    const t = new StormTracker({ gracePeriodMs: 60_000, graceIntervalMs: 30_000, fanOut: 20, inFlightTtlMs: 20_000 })
    expect(t.decide('k', undefined, 0, 0)).toBe('fetch')
    expect(t.decide('k', undefined, 20_000, 20_000)).toBe('block')
    expect(t.decide('k', undefined, 20_020, 20_020)).toBe('fail')
  })
})
