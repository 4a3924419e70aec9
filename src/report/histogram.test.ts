import * as hdr from 'hdr-histogram-js'
import { describe, expect, it } from 'vitest'
import { decodeHistogram, percentileSpectrum } from './histogram.ts'

function encoded(valuesUs: number[]): string {
  const h = hdr.build({ numberOfSignificantValueDigits: 3 })
  for (const v of valuesUs) h.recordValue(v)
  return hdr.encodeIntoCompressedBase64(h)
}

describe('decodeHistogram', () => {
  it('decodes a compressed base64 HDR histogram', () => {
    const d = decodeHistogram(encoded([1000, 2000, 3000]))
    expect(d.error).toBeUndefined()
    expect(d.histogram.totalCount).toBe(3)
  })

  it('treats an empty string as an empty histogram', () => {
    const d = decodeHistogram('')
    expect(d.error).toBeUndefined()
    expect(d.histogram.totalCount).toBe(0)
  })

  it('reports unreadable text instead of throwing', () => {
    const d = decodeHistogram('not a histogram')
    expect(d.error).toMatch(/not a readable HDR histogram/)
    expect(d.histogram.totalCount).toBe(0)
  })
})

describe('percentileSpectrum', () => {
  it('is empty for an empty histogram', () => {
    expect(percentileSpectrum(decodeHistogram('').histogram)).toEqual([])
  })

  it('rises monotonically on the 1/(1-p) axis, in ms, and ends at the maximum', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 100 + i * 10)
    const { histogram } = decodeHistogram(encoded(values))
    const points = percentileSpectrum(histogram)
    expect(points[0]?.x).toBe(1)
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.x).toBeGreaterThanOrEqual(points[i - 1]!.x)
      expect(points[i]!.valueMs).toBeGreaterThanOrEqual(points[i - 1]!.valueMs)
      expect(points[i]!.x).toBeCloseTo(1 / (1 - points[i]!.percentile / 100), 6)
    }
    // 10,000 samples resolve up to 1/(1-p) = 10,000 (99.99%).
    expect(points[points.length - 1]!.x).toBeCloseTo(10_000, 6)
    expect(points[points.length - 1]!.valueMs).toBeCloseTo(histogram.maxValue / 1000, 6)
    const p50 = points.find((p) => Math.abs(p.x - 2) < 0.05)
    expect(p50?.valueMs).toBeGreaterThan(49)
    expect(p50?.valueMs).toBeLessThan(52)
  })

  it('caps the axis at maxX', () => {
    const { histogram } = decodeHistogram(encoded(Array.from({ length: 5000 }, (_, i) => i + 1)))
    const points = percentileSpectrum(histogram, { maxX: 100 })
    expect(Math.max(...points.map((p) => p.x))).toBeCloseTo(100, 6)
  })
})
