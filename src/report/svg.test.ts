import { describe, expect, it } from 'vitest'
import { barChart, compact, coord, lineChart, logTicks, niceTicks } from './svg.ts'

const NON_FINITE = /NaN|Infinity|undefined/

describe('axis helpers', () => {
  it('niceTicks covers the data with round steps', () => {
    expect(niceTicks(0, 95_581)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000])
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(0, 0).length).toBeGreaterThanOrEqual(2)
    expect(niceTicks(Number.NaN, 5)).toEqual([0, 1])
  })

  it('logTicks gives powers of ten, denser over short spans', () => {
    expect(logTicks(0.01, 10_000)).toEqual([0.01, 0.1, 1, 10, 100, 1000, 10_000])
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100])
  })

  it('coord and compact never print NaN or Infinity', () => {
    expect(coord(Number.NaN)).toBe('0')
    expect(coord(Number.POSITIVE_INFINITY)).toBe('0')
    expect(coord(-0.01)).toBe('0')
    expect(coord(12.345)).toBe('12.3')
    expect(compact(Number.NaN)).toBe('')
    expect(compact(1500)).toBe('1.5k')
    expect(compact(20_000_000)).toBe('20M')
  })
})

describe('lineChart', () => {
  const base = { id: 'c', title: 'T <1>', description: 'D & d', x: { label: 'Time (s)' }, y: { label: 'Per second' } }

  it('draws one path per series with its points, axes, title and description', () => {
    const svg = lineChart({
      ...base,
      series: [
        {
          name: 'a',
          color: '#000',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 3 },
            { x: 2, y: 2 },
          ],
        },
        {
          name: 'b',
          color: '#111',
          dash: '4 2',
          points: [
            { x: 0, y: 0 },
            { x: 2, y: 5 },
          ],
        },
      ],
      refLines: [{ y: 4, label: 'limit' }],
    })
    expect(svg).toMatch(/^<svg class="chart"/)
    expect(svg).toContain('role="img"')
    expect(svg).toContain('<title id="c-title">T &lt;1&gt;</title>')
    expect(svg).toContain('<desc id="c-desc">D &amp; d</desc>')
    expect(svg.match(/<path class="series"/g)).toHaveLength(2)
    expect(svg).toContain('data-series="a" data-points="3"')
    expect(svg).toContain('stroke-dasharray="4 2"')
    expect(svg).toContain('class="ref-line" data-value="4"')
    expect(svg).toContain('>Time (s)</text>')
    expect(svg).toContain('>Per second</text>')
    expect(svg).not.toMatch(NON_FINITE)
  })

  it('keeps every coordinate inside the viewBox, also for non-finite or out-of-range data', () => {
    const svg = lineChart({
      ...base,
      x: { label: 'x', min: 0, max: 10 },
      y: { label: 'y', scale: 'log' },
      series: [
        {
          name: 'a',
          color: '#000',
          points: [
            { x: -5, y: 0 },
            { x: Number.NaN, y: Number.POSITIVE_INFINITY },
            { x: 50, y: 1e9 },
            { x: 5, y: 1 },
          ],
        },
      ],
    })
    expect(svg).not.toMatch(NON_FINITE)
    const d = /<path class="series"[^>]* d="([^"]+)"/.exec(svg)?.[1] ?? ''
    for (const [, x, y] of d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)) {
      expect(Number(x)).toBeGreaterThanOrEqual(0)
      expect(Number(x)).toBeLessThanOrEqual(640)
      expect(Number(y)).toBeGreaterThanOrEqual(0)
      expect(Number(y)).toBeLessThanOrEqual(340)
    }
  })

  it('says so when there is no data, and marks a single point', () => {
    const empty = lineChart({ ...base, series: [{ name: 'a', color: '#000', points: [] }], emptyText: 'No samples' })
    expect(empty).toContain('No samples')
    expect(empty).not.toContain('class="series"')
    expect(empty).not.toMatch(NON_FINITE)
    const one = lineChart({ ...base, series: [{ name: 'a', color: '#000', points: [{ x: 3, y: 3 }] }] })
    expect(one).toContain('<circle class="series-point"')
    expect(one).not.toMatch(NON_FINITE)
  })

  it('never lets x tick labels overlap', () => {
    const ticks = [1, 2, 10, 100, 1000, 10_000, 100_000].map((v) => ({ value: v, label: `${v}.000%` }))
    for (const width of [640, 400, 200]) {
      const svg = lineChart({ ...base, width, x: { label: 'p', scale: 'log', min: 1, max: 1e5, ticks }, series: [] })
      const xs = [...svg.matchAll(/class="tick tick-x" x="([\d.]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]*)</g)].map(
        (m) => {
          const w = (m[3] ?? '').length * 9
          const x = Number(m[1])
          return (m[2] === 'end' ? [x - w, x] : m[2] === 'start' ? [x, x + w] : [x - w / 2, x + w / 2]) as [
            number,
            number,
          ]
        },
      )
      expect(xs.length).toBeGreaterThan(0)
      for (let i = 1; i < xs.length; i++) expect(xs[i]![0]).toBeGreaterThan(xs[i - 1]![1])
      for (const [l, r] of xs) {
        expect(l).toBeGreaterThanOrEqual(0)
        expect(r).toBeLessThanOrEqual(width)
      }
    }
  })
})

describe('barChart', () => {
  it('stacks segments per category, labels each bar with its total, and keeps tiny values visible', () => {
    const svg = barChart({
      id: 'b',
      title: 'Calls',
      description: 'calls per variant',
      categories: ['baseline', 'cached'],
      segments: [
        { name: 'Decrypt', color: '#00f', values: [300, 1] },
        { name: 'GenerateDataKey', color: '#f00', values: [700, 0] },
      ],
      xLabel: 'KMS calls',
      formatTotal: (t) => `${t} calls`,
    })
    expect(svg.match(/<g class="bar"/g)).toHaveLength(2)
    expect(svg).toContain('baseline: 1000 calls')
    expect(svg).toContain('cached: 1 calls')
    expect(svg.match(/<rect class="bar-segment"/g)).toHaveLength(3)
    const widths = [...svg.matchAll(/class="bar-segment"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(1)
    expect(svg).toContain('>KMS calls</text>')
    expect(svg).not.toMatch(NON_FINITE)
  })

  it('renders an empty chart without NaN', () => {
    const svg = barChart({
      id: 'e',
      title: 'Cost',
      description: 'none',
      categories: ['a'],
      segments: [{ name: 's', color: '#000', values: [0] }],
      xLabel: 'USD',
      formatTotal: String,
    })
    expect(svg).not.toMatch(NON_FINITE)
  })
})

describe('honest axes', () => {
  const base = { id: 'c', title: 'T', description: 'D', x: { label: 'x' } }
  it('draws zeros on a log axis on its floor, labelled ≤floor, below every real value', () => {
    const svg = lineChart({
      ...base,
      y: { label: 'ms', scale: 'log' },
      series: [
        {
          name: 'zero',
          color: '#000',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
          ],
        },
        {
          name: 'slow',
          color: '#111',
          points: [
            { x: 0, y: 100 },
            { x: 1, y: 2000 },
          ],
        },
      ],
    })
    expect(svg).toContain('>≤10</text>')
    const zero = /data-series="zero"[^>]* d="M[\d.]+ ([\d.]+)/.exec(svg)
    const slow = /data-series="slow"[^>]* d="M[\d.]+ ([\d.]+)/.exec(svg)
    expect(Number(zero?.[1])).toBeGreaterThan(Number(slow?.[1]))
    expect(Number(zero?.[1])).toBe(340 - 64)
  })

  it('marks a series drawn exactly over an earlier one, and labels a reference line above the axis', () => {
    const pts = [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
    ]
    const svg = lineChart({
      ...base,
      y: { label: 'y', min: 0, max: 3 },
      series: [
        { name: 'a', color: '#000', points: pts },
        { name: 'b', color: '#111', points: pts },
      ],
      refLines: [{ y: 100, label: 'quota' }],
    })
    expect(svg).toContain('data-same-as="a"')
    expect(svg).toContain('<title>b (same as a)</title>')
    expect(svg).toContain('quota (above the chart)')
  })
})
