import { describe, expect, it } from 'vitest'
import { Random } from '../../random.ts'
import {
  decodeHistogram,
  encodeHistogram,
  histogramSlot,
  initHistograms,
  LatencyRecorder,
  latencyStats,
  newHistogram,
  newMergeHistogram,
  toMicros,
} from './histograms.ts'

describe('histograms', () => {
  it('counts values in JavaScript without changing what is recorded: counts, max, min, encoding, .hgrm', async () => {
    await initHistograms()
    const random = new Random(11, 2)
    const slotted = new LatencyRecorder()
    const direct = newHistogram()
    const checks: string[] = []
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 500; i++) {
        // Every bucket from 0 to past 2^31 µs (where values go to the histogram at once), many repeats.
        const u = random.next()
        const v = u < 0.1 ? 0 : u < 0.2 ? 2047 + (i % 3) : Math.floor(2 ** (random.next() * 33))
        slotted.record(v)
        direct.recordValue(v)
      }
      const h = slotted.flush()
      const same =
        h.totalCount === direct.totalCount &&
        h.maxValue === direct.maxValue &&
        h.minNonZeroValue === direct.minNonZeroValue &&
        h.mean === direct.mean &&
        encodeHistogram(h) === encodeHistogram(direct) &&
        h.outputPercentileDistribution() === direct.outputPercentileDistribution()
      if (!same) checks.push(`round ${round}`)
    }
    expect(checks).toEqual([])
    expect(direct.totalCount).toBe(20_000)
    expect(direct.maxValue).toBeGreaterThan(2 ** 31)
    slotted.reset()
    expect(slotted.histogram.totalCount).toBe(0)
    slotted.destroy()
    direct.destroy()
  })

  it('puts two values in one slot exactly when the histogram counts them in one place', async () => {
    // The JavaScript build has the same layout and says which values are equivalent.
    const h = newMergeHistogram() as ReturnType<typeof newMergeHistogram> & {
      lowestEquivalentValue(v: number): number
      highestEquivalentValue(v: number): number
    }
    for (const v of [0, 1, 2047, 2048, 2049, 4095, 4096, 1_000_003, 2 ** 31 - 1]) {
      h.reset()
      h.recordValue(v)
      const low = h.lowestEquivalentValue(v)
      const high = h.highestEquivalentValue(v)
      expect([histogramSlot(low), histogramSlot(high)]).toEqual([histogramSlot(v), histogramSlot(v)])
      if (low > 0) expect(histogramSlot(low - 1)).toBe(histogramSlot(v) - 1)
      if (high < 2 ** 31 - 1) expect(histogramSlot(high + 1)).toBe(histogramSlot(v) + 1)
    }
    h.destroy()
  })

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
