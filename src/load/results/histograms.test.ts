import { describe, expect, it } from 'vitest'
import {
  decodeHistogram,
  encodeHistogram,
  initHistograms,
  LatencyRecorder,
  latencyStats,
  newHistogram,
  toMicros,
} from './histograms.ts'

describe('histograms', () => {
  it('batches equal values without changing what is recorded', async () => {
    await initHistograms()
    const batched = new LatencyRecorder()
    const direct = newHistogram()
    const values = [0, 0, 0, 5, 5, 1200, 0, 0, 99_999, 99_999, 3]
    for (const v of values) {
      batched.record(v)
      direct.recordValue(v)
    }
    const h = batched.flush()
    expect(h.totalCount).toBe(values.length)
    expect(h.outputPercentileDistribution()).toBe(direct.outputPercentileDistribution())
    batched.destroy()
    direct.destroy()
  })

  it('round-trips through compressed base64 with 64-bit counts', async () => {
    await initHistograms()
    const h = newHistogram()
    h.recordValueWithCount(7, 5_000_000_000)
    h.recordValue(20_000)
    const back = decodeHistogram(encodeHistogram(h))
    expect(back.totalCount).toBe(5_000_000_001)
    expect(latencyStats(back)).toMatchObject({ p50: 0.007, count: 5_000_000_001 })
    expect(latencyStats(back).max).toBeCloseTo(20, 1)
    h.destroy()
  })

  it('records integer microseconds', () => {
    expect(toMicros(1.2345)).toBe(1235)
    expect(toMicros(0)).toBe(0)
    expect(toMicros(-3)).toBe(0)
  })
})
