import { describe, expect, it } from 'vitest'
import { alarmInForce, cloudWatchView } from './cloudwatch.ts'
import type { TimelineEntry, VariantSummary } from './summary.ts'

const KEY = '111122223333/us-east-1/symmetric'
const entry = (second: number, accepted: number, throttled: number): TimelineEntry => ({
  second,
  offered: accepted + throttled,
  achieved: accepted + throttled,
  succeeded: accepted,
  throttled,
  failed: 0,
  dropped: 0,
  kmsCalls: accepted + throttled,
  kmsThrottled: throttled,
  kmsByOperation: {},
  poolAccepted: { [KEY]: accepted },
  poolThrottled: { [KEY]: throttled },
  p50Ms: 0,
  p99Ms: 0,
})
const quota = [
  {
    pool: 'symmetric',
    account: '111122223333',
    region: 'us-east-1',
    limit: 100,
    accepted: 0,
    throttled: 0,
    peakPerSecond: 0,
    utilization: 0,
    throttledSeconds: 0,
  },
] as VariantSummary['quota']

describe('cloudWatchView', () => {
  it('sums per minute, fires after N breaching minutes, counts throttling while silent', () => {
    // Minute 0: 10/s with a 3-second burst of 150/s (50 throttled each): 57·10 + 3·150 = 1020 calls, avg 17/s.
    // Minutes 1-2: 90/s steady (5400 calls, 90 % of the quota): the 80 % alarm for 2 minutes fires at the end of minute 2.
    const timeline: TimelineEntry[] = []
    for (let s = 0; s < 60; s++) timeline.push(s >= 20 && s < 23 ? entry(s, 100, 50) : entry(s, 10, 0))
    for (let s = 60; s < 180; s++) timeline.push(s === 150 ? entry(s, 100, 20) : entry(s, 90, 0))
    const v = cloudWatchView({ quota, timeline }, { percent: 80, minutes: 2 })
    const s = v.series[0]
    expect(s?.resource).toBe('CryptographicOperationsSymmetric')
    expect(s?.callCount).toEqual([1020, 5400, 5430])
    expect(s?.throttled).toEqual([150, 0, 20])
    expect(s?.peakPerSecond).toEqual([150, 90, 120])
    expect(s?.alarmMinutes).toEqual([2])
    expect(s?.firedAtSecond).toBe(180)
    // The burst of minute 0 throttled 150 calls in 3 s with the alarm silent, and so did second
    // 150: the alarm fires only when minute 2 ends, at 180 s, 30 s after that throttling.
    expect(s?.silentThrottledCalls).toBe(170)
    expect(s?.silentThrottledSeconds).toBe(4)
  })

  it('counts throttling inside a minute after an ALARM minute as covered, and before the alarm fires as silent', () => {
    // 90/s for 3 minutes (the 80 % alarm for 1 minute fires at 60 s, 120 s, 180 s); throttling
    // at second 30 (before it first fired) is silent, at second 90 (in ALARM since 60 s) it is not.
    const timeline: TimelineEntry[] = []
    for (let s = 0; s < 180; s++) timeline.push(s === 30 || s === 90 ? entry(s, 100, 7) : entry(s, 90, 0))
    const s = cloudWatchView({ quota, timeline }, { percent: 80, minutes: 1 }).series[0]
    expect(s?.alarmMinutes).toEqual([0, 1, 2])
    expect(s?.firedAtSecond).toBe(60)
    expect(s?.silentThrottledCalls).toBe(7)
    expect(s?.silentThrottledSeconds).toBe(1)
    expect([30, 59, 60, 90, 179].map((t) => alarmInForce(s!, t))).toEqual([false, false, true, true, true])
  })
})
