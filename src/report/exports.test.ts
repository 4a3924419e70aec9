import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/results/index.ts'
import { bencherMetrics, customSmallerIsBetter, renderBencherJson, renderCustomSmallerIsBetterJson } from './exports.ts'
import { FIXTURE_NAMES, loadFixture } from './fixtures/load.ts'

describe('Bencher Metric Format', () => {
  const s3 = loadFixture('s3-throttling.summary.json')

  it('matches the BMF schema: benchmark → measure → { value, lower_value?, upper_value? } with numbers', () => {
    for (const name of FIXTURE_NAMES) {
      const bmf = JSON.parse(renderBencherJson(loadFixture(name))) as Record<
        string,
        Record<string, Record<string, unknown>>
      >
      expect(Object.keys(bmf).length).toBeGreaterThan(0)
      for (const [benchmark, measures] of Object.entries(bmf)) {
        expect(benchmark.length).toBeLessThanOrEqual(1024)
        for (const [measure, metric] of Object.entries(measures)) {
          expect(measure.length).toBeLessThanOrEqual(64)
          expect(Object.keys(metric).every((k) => ['value', 'lower_value', 'upper_value'].includes(k))).toBe(true)
          expect(typeof metric['value']).toBe('number')
          for (const v of Object.values(metric)) expect(Number.isFinite(v)).toBe(true)
        }
      }
    }
  })

  it("names benchmarks scenario/variant and carries the run's numbers", () => {
    const bmf = bencherMetrics(s3)
    const base = bmf['s3-sse-kms-uploads/baseline']
    expect(base?.['kms-throttled-calls']?.value).toBe(s3.variants[0]?.kms.throttled)
    expect(base?.['latency-p99-ms']).toEqual({ value: s3.variants[0]?.latencyMs.p99 })
    // The full-size monthly cost of the 0.1 scale model (asRun keeps the scaled $4,881.92).
    expect(bmf['s3-sse-kms-uploads/bucket-keys']?.['cost-usd-per-month']?.value).toBe(48810.784)
  })

  it('writes zero, never null, for a value that is not finite', () => {
    const odd: RunSummary = structuredClone(s3)
    odd.variants[0]!.throttleRate = Number.NaN
    expect(bencherMetrics(odd)['s3-sse-kms-uploads/baseline']?.['throttled-requests-percent']?.value).toBe(0)
  })
})

describe('github-action-benchmark customSmallerIsBetter', () => {
  it('is an array of { name, unit, value, range?, extra? } with unique names', () => {
    for (const name of FIXTURE_NAMES) {
      const entries = JSON.parse(renderCustomSmallerIsBetterJson(loadFixture(name))) as Record<string, unknown>[]
      expect(Array.isArray(entries)).toBe(true)
      for (const e of entries) {
        expect(typeof e['name']).toBe('string')
        expect(typeof e['unit']).toBe('string')
        expect(Number.isFinite(e['value'])).toBe(true)
        for (const k of Object.keys(e)) expect(['name', 'unit', 'value', 'range', 'extra']).toContain(k)
        if ('range' in e) expect(typeof e['range']).toBe('string')
        if ('extra' in e) expect(typeof e['extra']).toBe('string')
      }
      expect(new Set(entries.map((e) => e['name'])).size).toBe(entries.length)
    }
  })

  it('exports only metrics where smaller is better', () => {
    const entries = customSmallerIsBetter(loadFixture('s3-throttling.summary.json'))
    expect(entries.map((e) => e.name.replace(/^s3-sse-kms-uploads\/baseline /, '')).slice(0, 6)).toEqual([
      'p50 latency',
      'p99 latency',
      'KMS calls per request',
      'throttled KMS calls',
      'throttled requests',
      'lost requests',
    ])
    expect(entries.find((e) => e.name === 's3-sse-kms-uploads/bucket-keys monthly cost')).toMatchObject({
      unit: 'USD/month',
      value: 48810.784,
    })
  })
})
