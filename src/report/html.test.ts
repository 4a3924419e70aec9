import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/results/index.ts'
import { FIXTURE_NAMES, loadFixture } from './fixtures/load.ts'
import { renderHtml } from './html.ts'

const NON_FINITE = /\bNaN\b|\bundefined\b|Infinity/

describe('renderHtml', () => {
  const s3 = loadFixture('s3-throttling.summary.json')
  const html = renderHtml(s3)

  it('is one self-contained document: inline CSS and SVG, no script, nothing fetched', () => {
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true)
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
    expect(html).toMatch(/<style>[\s\S]*@media print[\s\S]*<\/style>/)
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i)
    expect(html).not.toMatch(/\ssrc=/i)
    // the only links are the .hgrm files written beside the report
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^[\w.-]+\.hgrm$/)
  })

  it('draws the five charts, each with a title, a description, a legend and a data table', () => {
    for (const id of ['latency', 'throughput', 'operations', 'utilization', 'cost', 'cloudwatch'])
      expect(html).toContain(`<figure id="fig-${id}"`)
    const svgs = html.match(/<svg class="chart"[^>]*>/g) ?? []
    // latency, utilisation, operations, cost once each, throughput and the CloudWatch view once per
    // variant; wide + narrow
    expect(svgs).toHaveLength(2 * (4 + 2 * s3.variants.length))
    for (const svg of svgs) {
      const id = /id="([^"]+)"/.exec(svg)?.[1] ?? ''
      expect(svg).toContain(`role="img" aria-labelledby="${id}-title ${id}-desc"`)
      expect(html).toContain(`<title id="${id}-title">`)
      expect(html).toContain(`<desc id="${id}-desc">`)
    }
    expect(html.match(/<ul class="legend"/g)).toHaveLength(6)
    expect(html.match(/<details><summary>Data table/g)).toHaveLength(6)
    expect(html.match(/<path class="series" data-series="baseline"/g)?.length).toBeGreaterThanOrEqual(4)
  })

  it('states the verdict, the ranking with reasons, and the tables', () => {
    expect(html).toContain('<section class="verdict"')
    expect(html).toContain('baseline: lost 69,050 of 370,000 requests (18.7%): 69,050 throttled (ThrottlingException)')
    expect(html).toMatch(
      /<ol class="ranking">\s*<li><span class="tier tier-clean">serves every request<\/span><strong>bucket-keys<\/strong>: removes all throttling/,
    )
    // 2,300 throttled KMS calls, and 87,640 requests lost at their deadline.
    expect(html).toContain('<span class="tier tier-throttles">still throttles</span><strong>retry-adaptive</strong>')
    // Throttled calls that retries absorbed, with every request served.
    const absorbed = structuredClone(s3)
    absorbed.variants[3]!.kms.throttled = 500
    absorbed.variants[3]!.retries = 500
    expect(renderHtml(absorbed)).toContain(
      '<span class="tier tier-absorbed">retries absorb throttling</span><strong>quota-increase</strong>',
    )
    expect(html).toContain('<table class="compare">')
    expect(html).toContain('<section id="quota"><h2>Quota pools</h2>')
    expect(html).toContain('<tr class="fail"><td>FAIL</td><td>baseline</td>')
    expect(html).toContain('schedule ramp 9000/s → 14000/s over 20s')
  })

  it('labels the percentile axis as HdrHistogram does and the other axes with units', () => {
    for (const label of ['50%', '90%', '99%', '99.9%', '99.99%']) expect(html).toContain(`>${label}</text>`)
    for (const label of [
      'Percentile',
      'Latency, ms (log)',
      'Time (s)',
      'Per second',
      'Utilisation (% of limit)',
      'KMS calls (all attempts)',
      'US dollars per month',
    ]) {
      expect(html).toContain(`>${label}</text>`)
    }
  })

  it('never shows NaN, undefined or Infinity, for every fixture', () => {
    for (const name of FIXTURE_NAMES) expect(renderHtml(loadFixture(name)), name).not.toMatch(NON_FINITE)
    // A run of no time at all (the engine never makes one; a hand-edited or truncated file might).
    const instant = { ...loadFixture('zero-requests.summary.json'), durationSeconds: 0 }
    expect(renderHtml(instant)).not.toMatch(NON_FINITE)
  })

  it('renders an empty run: no lines, and says why', () => {
    const empty = renderHtml(loadFixture('zero-requests.summary.json'))
    expect(empty).toContain('No completed requests')
    expect(empty).toContain('(no samples)')
    expect(empty).not.toContain('class="series" data-series="baseline" data-points="0"')
  })

  it('escapes every name and text taken from the summary', () => {
    const evil: RunSummary = structuredClone(s3)
    evil.scenario = '<img src=x onerror=alert(1)>'
    evil.variants[1]!.name = '"><script>alert(1)</script>'
    evil.assumptions = ['<b>bold</b>']
    const out = renderHtml(evil)
    expect(out).not.toMatch(/<script|<img|<b>/)
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('keeps 20 variants apart: every variant gets its own colour-and-dash style', () => {
    const many = renderHtml(loadFixture('many-variants.summary.json'))
    const latency = /<svg class="chart" data-chart="line" id="chart-latency"[\s\S]*?<\/svg>/.exec(many)?.[0] ?? ''
    const styles = new Map<string, string>()
    for (const m of latency.matchAll(
      /<path class="series" data-series="([^"]+)"[^>]*? stroke="([^"]+)"[^>]*?(?: stroke-dasharray="([^"]+)")?><title>/g,
    )) {
      styles.set(m[1] ?? '', `${m[2]}|${m[3] ?? ''}`)
    }
    expect(styles.size).toBe(20)
    expect(new Set(styles.values()).size).toBe(20)
  })
})
