import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/results/index.ts'
import {
  costChart,
  downsamplePeaks,
  latencySpectrumChart,
  MAX_TIME_POINTS,
  operationsChart,
  reportCharts,
  throughputChart,
  utilizationChart,
  variantStyle,
} from './charts.ts'
import { loadFixture } from './fixtures/load.ts'

const s3 = loadFixture('s3-throttling.summary.json')

describe('report charts', () => {
  it('come in reading order, each with a wide and a narrow rendering', () => {
    const charts = reportCharts(s3)
    expect(charts.map((c) => c.id)).toEqual(['latency', 'throughput', 'operations', 'utilization', 'cost'])
    for (const c of charts) {
      for (const p of c.panels) {
        expect(p.svg).toMatch(/viewBox="0 0 640 /)
        expect(p.svgNarrow).toMatch(/viewBox="0 0 400 /)
        expect(p.svgNarrow).toMatch(/id="[^"]+-n"/)
      }
      expect(c.table.rows.length).toBe(s3.variants.length)
      for (const r of c.table.rows) expect(r).toHaveLength(c.table.header.length)
    }
  })

  it('draws latency on a log axis when variants differ by orders of magnitude, linear otherwise', () => {
    expect(latencySpectrumChart(s3).panels[0]?.svg).toContain('>Latency, ms (log)</text>')
    // A cache with a 1 s max age: misses and hits within two orders of magnitude.
    const many = loadFixture('many-variants.summary.json')
    const similar: RunSummary = { ...many, variants: [many.variants[1]!] }
    expect(latencySpectrumChart(similar).panels[0]?.svg).toContain('>Latency (ms)</text>')
  })

  it('draws one throughput panel per variant with the quota line of its busiest pool', () => {
    const t = throughputChart(s3)
    expect(t.panels.map((p) => p.heading)).toEqual(s3.variants.map((v) => v.name))
    // A scale model's figures are at full size: the quotas it ran at ×10 (1,000/s and 2,000/s as run).
    expect(t.panels[0]?.svg).toContain('symmetric quota 10,000/s')
    expect(t.panels[3]?.svg).toContain('symmetric quota 20,000/s')
  })

  it('computes utilisation from accepted + throttled calls per pool', () => {
    const u = utilizationChart(s3)
    const baseline = /data-series="baseline" data-points="(\d+)"/.exec(u.panels[0]?.svg ?? '')
    expect(Number(baseline?.[1])).toBe(s3.variants[0]!.timeline.length)
    // (300,950 accepted + 161,980 throttled) over 30 s peaks at 18,360/s against 10,000/s.
    expect(u.table.rows[0]).toEqual(['baseline', 'symmetric', '10,000/s', '184%', '26'])
    // Without per-pool throttle counts, a single-pool variant's throttles are attributed to its pool.
    const old: RunSummary = structuredClone(s3)
    for (const v of old.variants) for (const e of v.timeline) delete e.poolThrottled
    expect(utilizationChart(old).panels[0]?.svg).toBe(u.panels[0]?.svg)
  })

  it('stacks KMS calls by operation and cost by kind', () => {
    expect(operationsChart(s3).legend.map((l) => l.name)).toEqual(['GenerateDataKey', 'Decrypt'])
    // 147,800 GenerateDataKey + 37,930 Decrypt; the quota increase bills all 370,000 calls plus its key.
    expect(operationsChart(s3).panels[0]?.svg).toContain('bucket-keys: 185,730 calls')
    expect(costChart(s3).panels[0]?.svg).toContain('quota-increase: $97,237/month')
  })

  it('gives 20 variants 20 different styles', () => {
    expect(new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(variantStyle(i)))).size).toBe(20)
  })
})

describe('downsamplePeaks', () => {
  it('keeps short series as they are and thins long ones without losing the peaks', () => {
    const short = [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
    ]
    expect(downsamplePeaks(short)).toEqual(short)
    const long = Array.from({ length: 3600 }, (_, i) => ({ x: i, y: i === 1234 ? 99_999 : i % 7 }))
    const thin = downsamplePeaks(long)
    expect(thin.length).toBeLessThanOrEqual(MAX_TIME_POINTS)
    expect(Math.max(...thin.map((p) => p.y))).toBe(99_999)
    expect(thin[0]?.x).toBe(0)
  })
})
