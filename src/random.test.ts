import { describe, expect, it } from 'vitest'
import { deriveSeed, Random, randomFor } from './random.ts'

describe('Random', () => {
  it('is deterministic per (seed, stream) and streams differ', () => {
    const a = new Random(42)
    const b = new Random(42)
    const c = new Random(42, 1)
    const sa = Array.from({ length: 8 }, () => a.uint32())
    expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(sa)
    expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(sa)
  })

  it('draws uniform numbers in [0, 1) and integers in [0, n)', () => {
    const r = new Random(1)
    const buckets = new Array<number>(10).fill(0)
    let inRange = true
    for (let i = 0; i < 100_000; i++) {
      const u = r.next()
      if (!(u >= 0 && u < 1)) inRange = false
      ;(buckets as number[])[Math.floor(u * 10)]!++
    }
    expect(inRange).toBe(true)
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500)
    for (let i = 0; i < 1000; i++) expect(r.int(7)).toBeLessThan(7)
  })

  it('samples exponential and Poisson counts with the right mean', () => {
    const r = new Random(9)
    let sum = 0
    for (let i = 0; i < 50_000; i++) sum += r.exponential(4)
    expect(sum / 50_000).toBeCloseTo(0.25, 2)
    for (const mean of [3, 50, 2000]) {
      let total = 0
      let sq = 0
      const n = 4000
      for (let i = 0; i < n; i++) {
        const k = r.poisson(mean)
        total += k
        sq += k * k
      }
      const m = total / n
      const variance = sq / n - m * m
      expect(Math.abs(m - mean) / mean).toBeLessThan(0.03)
      expect(Math.abs(variance - mean) / mean).toBeLessThan(0.15)
    }
  })

  it('derives unrelated seeds from labels', () => {
    expect(deriveSeed(1, 'arrivals', 0)).toBe(deriveSeed(1, 'arrivals', 0))
    expect(deriveSeed(1, 'arrivals', 0)).not.toBe(deriveSeed(1, 'arrivals', 1))
    expect(deriveSeed(1, 'arrivals')).not.toBe(deriveSeed(2, 'arrivals'))
    expect(randomFor(5, 'x').uint32()).toBe(randomFor(5, 'x').uint32())
  })
})
