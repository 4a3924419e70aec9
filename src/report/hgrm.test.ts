import { describe, expect, it } from 'vitest'
import { loadFixture } from './fixtures/load.ts'
import { decodeHistogram } from './histogram.ts'
import { renderHgrm, renderVariantHgrm, variantFileNames } from './hgrm.ts'

/** Parses HdrHistogram's percentile distribution text the way its plotter does. */
function parseHgrm(text: string): { value: number; percentile: number; count: number }[] {
  return text
    .split('\n')
    .filter((l) => /^\s*\d/.test(l))
    .map((l) => {
      const [value, percentile, count] = l.trim().split(/\s+/).map(Number)
      return { value: value ?? Number.NaN, percentile: percentile ?? Number.NaN, count: count ?? Number.NaN }
    })
}

describe('renderHgrm', () => {
  const s3 = loadFixture('s3-throttling.summary.json')
  const baseline = s3.variants[0]!

  it("prints HdrHistogram's percentile distribution in milliseconds", () => {
    const text = renderVariantHgrm(baseline)
    expect(text.split('\n')[0]).toBe('       Value     Percentile TotalCount 1/(1-Percentile)')
    expect(text).toMatch(/#\[Mean {4}=\s+[\d.]+, StdDeviation {3}=\s+[\d.]+\]/)
    // The succeeded requests as they ran (30,095 of the scale model's 37,000; 300,950 at full size).
    expect(text).toMatch(/#\[Max {5}=\s+[\d.]+, Total count {4}=\s+30095\]/)
    const rows = parseHgrm(text)
    expect(rows.length).toBeGreaterThan(50)
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.value).toBeGreaterThanOrEqual(rows[i - 1]!.value)
      expect(rows[i]!.percentile).toBeGreaterThanOrEqual(rows[i - 1]!.percentile)
    }
    const last = rows[rows.length - 1]!
    expect(last.percentile).toBe(1)
    expect(last.count).toBe(30_095)
    // values are ms: the last row is the max (3.013 s), give or take HDR's 3 significant digits
    expect(last.value).toBeGreaterThan(baseline.latencyMs.max * 0.999)
    expect(last.value).toBeLessThan(baseline.latencyMs.max * 1.001)
    const median = rows.find((r) => r.percentile >= 0.5)!
    const h = decodeHistogram(baseline.histogram).histogram
    expect(median.value).toBeCloseTo(h.getValueAtPercentile(50) / 1000, 3)
  })

  it('prints an empty distribution for an empty or unreadable histogram', () => {
    for (const text of [renderHgrm(''), renderHgrm('garbage')]) {
      expect(parseHgrm(text)).toEqual([])
      expect(text).toContain('Total count    =            0')
    }
  })
})

describe('variantFileNames', () => {
  it('makes names file-safe, unique (also case-insensitively) and keeps them off the reserved outputs', () => {
    expect(
      variantFileNames([
        { name: 'baseline' },
        { name: 'cache 5s/60%' },
        { name: '../etc/passwd' },
        { name: '' },
        { name: 'Baseline' },
        { name: 'report' },
        { name: 'ünïcode ✓' },
      ]),
    ).toEqual(['baseline', 'cache-5s-60', 'etc-passwd', 'variant', 'Baseline-2', 'variant-report', 'unicode'])
  })
})
