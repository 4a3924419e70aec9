import { describe, expect, it } from 'vitest'
import { MeterEntry } from './meter.ts'

const T0 = Date.UTC(2025, 0, 1)
const S0 = T0 / 1000

describe('MeterEntry', () => {
  it('meters accepted and throttled calls per second, the peak, utilization and throttled seconds', () => {
    const m = new MeterEntry('111122223333', 'us-east-1', 'symmetric', 100, 1)
    // second 0: 80 accepted; second 1: 100 accepted + 50 throttled; second 3: 10 accepted
    for (let i = 0; i < 80; i++) m.accept(T0 + i, 1)
    for (let i = 0; i < 100; i++) m.accept(T0 + 1000 + i, 1)
    m.reject(T0 + 1500, 50)
    m.accept(T0 + 3000, 10)
    expect(m.usage()).toEqual({
      pool: 'symmetric',
      account: '111122223333',
      region: 'us-east-1',
      limit: 100,
      accepted: 190,
      throttled: 50,
      peakPerSecond: 150,
      utilization: 1.5,
      throttledSeconds: 1,
    })
    expect(m.series()).toEqual([
      { epochSecond: S0, key: '111122223333/us-east-1/symmetric', accepted: 80, throttled: 0 },
      { epochSecond: S0 + 1, key: '111122223333/us-east-1/symmetric', accepted: 100, throttled: 50 },
      { epochSecond: S0 + 3, key: '111122223333/us-east-1/symmetric', accepted: 10, throttled: 0 },
    ])
  })

  it('expresses the peak of a multi-second window as a rate per second', () => {
    // 0.5/s: windows of 2 s; 1 accepted + 1 throttled in one window = 1/s, utilization 2
    const m = new MeterEntry('111122223333', 'us-east-1', 'key-pair:RSA_3072', 0.5, 2)
    m.accept(T0 + 100, 1)
    m.reject(T0 + 1900, 1)
    expect(m.usage()).toMatchObject({ peakPerSecond: 1, utilization: 2, throttledSeconds: 2 })
    expect(m.series()).toEqual([
      { epochSecond: S0, key: '111122223333/us-east-1/key-pair:RSA_3072', accepted: 1, throttled: 1 },
    ])
  })

  it('keeps a bounded series however long the run, and whole-run totals', () => {
    const m = new MeterEntry('111122223333', 'us-east-1', 'symmetric', 10, 1, 60)
    for (let s = 0; s < 10_000; s++) m.accept(T0 + s * 1000, 1)
    expect(m.retainedWindows).toBeLessThanOrEqual(60)
    const series = m.series()
    expect(series).toHaveLength(60 + 1) // 60 closed windows + the one in progress
    expect(series[0]?.epochSecond).toBe(S0 + 10_000 - 61)
    expect(series.at(-1)?.epochSecond).toBe(S0 + 9999)
    expect(m.usage().accepted).toBe(10_000)
  })
})
