/**
 * Renders report.html in a real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) and checks what a reader sees: the charts are drawn with data, axes are
 * labelled, nothing shows NaN/undefined/Infinity, the page works at a phone viewport and in
 * print, and it fetches nothing. Also checks that junit.xml parses as XML in the browser.
 *
 * Writes a desktop screenshot to docs/report-screenshot.png when KMS_BENCH_UPDATE_SCREENSHOT=1.
 */
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as hdr from 'hdr-histogram-js'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeRunOutputs } from '../src/cli/output.ts'
import { defineScenario, runScenario, sdkRetry } from '../src/load/index.ts'
import type { RunSummary, VariantSummary } from '../src/load/results/index.ts'
import { FIXTURE_NAMES, loadFixture } from '../src/report/fixtures/load.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const NON_FINITE = /\bNaN\b|\bundefined\b|Infinity/
const SCREENSHOT = fileURLToPath(new URL('../docs/report-screenshot.png', import.meta.url))

/** A histogram of `count` requests that all took 0 µs (a cache hit in virtual time). */
function zeroHistogram(count: number): string {
  const h = hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3 })
  h.recordValueWithCount(0, count)
  return hdr.encodeIntoCompressedBase64(h)
}

function scaled(v: VariantSummary, f: number, name: string): VariantSummary {
  return {
    ...v,
    name,
    timeline: v.timeline.map((e) => ({
      ...e,
      offered: e.offered * f,
      achieved: e.achieved * f,
      kmsCalls: e.kmsCalls * f,
      kmsThrottled: e.kmsThrottled * f,
      poolAccepted: Object.fromEntries(Object.entries(e.poolAccepted).map(([k, n]) => [k, n * f])),
      ...(e.poolThrottled !== undefined
        ? { poolThrottled: Object.fromEntries(Object.entries(e.poolThrottled).map(([k, n]) => [k, n * f])) }
        : {}),
    })),
  }
}

/**
 * Summaries derived from the fixtures to exercise what misled readers before: a variant whose
 * requests all took 0 ms beside slow ones (retry-storm's no-retries), two identical variants
 * (the shootout's quota-increase / multi-region), a pool with no limit, a variant far under a
 * high quota (esdk-caching-example at 0.5% of 100,000/s), and a very long variant name.
 */
const EDGE_CASES: Record<string, () => RunSummary> = {
  'chart-edges.summary.json': () => {
    const s = loadFixture('s3-throttling.summary.json')
    const [base, second] = s.variants as [VariantSummary, VariantSummary]
    return {
      ...s,
      variants: [
        ...s.variants,
        { ...base, name: 'zero-ms', histogram: zeroHistogram(base.offered.requests) },
        { ...second, name: 'same-as-bucket-keys' },
        {
          ...scaled(base, 0.004, 'tiny-traffic-under-an-unbounded-pool-with-a-very-long-variant-name-that-must-wrap'),
          quota: base.quota.map((q) => ({ ...q, limit: Number.MAX_SAFE_INTEGER })),
        },
      ],
    }
  },
  // A result without the CloudWatch view (written before it existed): no such chart.
  'no-cloudwatch.summary.json': () => {
    const s = loadFixture('s3-throttling.summary.json')
    return { ...s, variants: s.variants.map(({ cloudwatch: _, ...v }) => v) }
  },
  'low-traffic.summary.json': () => {
    const s = loadFixture('s3-throttling.summary.json')
    return {
      ...s,
      variants: s.variants.slice(0, 2).map((v, i) => ({
        ...scaled(v, 0.04, i === 0 ? 'no-cache' : 'cached'),
        histogram: zeroHistogram(v.offered.requests),
        quota: v.quota.map((q) => ({ ...q, limit: 100_000 })),
      })),
    }
  },
}

/**
 * A real run in virtual time for the CloudWatch chart: 4 minutes against a 100/s quota with
 * retries off. Minute 0 averages 55/s with a 3-second burst to 150/s (150 calls throttled while
 * the 80 % alarm is silent); minute 1 runs at 90/s, so the alarm fires at 2:00; minute 2 has a
 * burst to 130/s at 2:50 (90 throttled, in ALARM); minute 3 runs at 40/s.
 */
async function cloudWatchRun(): Promise<RunSummary> {
  const s = defineScenario({
    name: 'cloudwatch-view',
    duration: 240,
    keys: [{ name: 'k' }],
    quotas: { symmetric: 100 },
    arrivals: {
      shape: 'steps',
      steps: [
        { rate: 50, duration: 20 },
        { rate: 150, duration: 3 },
        { rate: 50, duration: 37 },
        { rate: 90, duration: 110 },
        { rate: 130, duration: 3 },
        { rate: 90, duration: 7 },
        { rate: 40, duration: 60 },
      ],
    },
    requests: [{ kind: 'op', operation: 'Encrypt', key: 'k' }],
  })
  return runScenario(s, { retryLayer: sdkRetry, retry: { mode: 'none', maxAttempts: 1 }, latency: 'none' })
}

let work: string
let context: BrowserContext
const outDirs = new Map<string, string>()
/** Every request the pages made that was not for a local file. */
const foreignRequests: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium) to run the HTML report test; CI's .ci/run installs it`,
    )
  }
  work = await mkdtemp(join(tmpdir(), 'kms-bench-browser-'))
  for (const [name, summary] of [
    ...FIXTURE_NAMES.map((n) => [n, loadFixture(n)] as const),
    ...Object.entries(EDGE_CASES).map(([n, make]) => [n, make()] as const),
  ]) {
    const dir = join(work, name.replace('.summary.json', ''))
    await writeRunOutputs(summary, dir)
    outDirs.set(name, dir)
  }
  const cloudwatch = join(work, 'cloudwatch')
  await writeRunOutputs(await cloudWatchRun(), cloudwatch)
  outDirs.set('cloudwatch.summary.json', cloudwatch)
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    offline: true,
  })
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith('file:')) return route.continue()
    foreignRequests.push(url)
    return route.abort()
  })
})

afterAll(async () => {
  await context?.close()
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

async function open(fixture: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  await page.setViewportSize(viewport)
  await page.goto(pathToFileURL(join(outDirs.get(fixture) ?? '', 'report.html')).href)
  expect(errors).toEqual([])
  return page
}

interface ChartInfo {
  id: string
  kind: string
  width: number
  right: number
  title: string
  desc: string
  seriesWithData: number
  bars: number
  axisLabels: string[]
  tickLabels: string[]
  minTickFontPx: number
}

/*
 * In-page code is passed as source text: the project compiles without the DOM library, and
 * these run in the browser, not in Node.
 */

/** What the visible charts show, measured in the page. */
const VISIBLE_CHARTS = `(() => {
  const shown = (el) => el.getBoundingClientRect().width > 0
  return [...document.querySelectorAll('svg.chart')].filter(shown).map((svg) => {
    const rect = svg.getBoundingClientRect()
    const texts = (sel) => [...svg.querySelectorAll(sel)].filter(shown)
    const ticks = texts('.tick')
    return {
      id: svg.id,
      kind: svg.getAttribute('data-chart') || '',
      width: rect.width,
      right: rect.right,
      title: (svg.querySelector('title') || {}).textContent || '',
      desc: (svg.querySelector('desc') || {}).textContent || '',
      seriesWithData: [...svg.querySelectorAll('path.series')].filter((p) => (p.getAttribute('d') || '').split('L').length >= 2 && p.getBoundingClientRect().width + p.getBoundingClientRect().height > 0).length,
      bars: [...svg.querySelectorAll('rect.bar-segment')].filter(shown).length,
      axisLabels: texts('.axis-label').map((t) => t.textContent || ''),
      tickLabels: ticks.map((t) => t.textContent || ''),
      minTickFontPx: Math.min(...ticks.map((t) => t.getBoundingClientRect().height)),
    }
  })
})()`

interface ChartGeometry {
  id: string
  axisY: number
  topY: number
  figureText: string
  paths: { name: string; d: string; sameAs: string; yMax: string; top: number; bottom: number }[]
}

/** Geometry of every visible line chart, in the SVG's own units. */
const CHART_GEOMETRY = `(() => {
  const shown = (el) => el.getBoundingClientRect().width > 0
  return [...document.querySelectorAll('svg.chart[data-chart="line"]')].filter(shown).map((svg) => {
    const axes = svg.querySelectorAll('.axis-line')
    const paths = [...svg.querySelectorAll('path.series, circle.series-point')].map((p) => {
      const b = p.getBBox()
      return {
        name: p.getAttribute('data-series') || (p.querySelector('title') || {}).textContent || '',
        d: p.getAttribute('d') || ('circle ' + p.getAttribute('cx') + ' ' + p.getAttribute('cy')),
        sameAs: p.getAttribute('data-same-as') || '',
        yMax: p.getAttribute('data-y-max') || '',
        top: b.y,
        bottom: b.y + b.height,
      }
    })
    const fig = svg.closest('figure')
    return {
      id: svg.id,
      axisY: Number(axes[0].getAttribute('y1')),
      topY: Number(axes[1].getAttribute('y2')),
      figureText: fig ? fig.textContent : '',
      paths,
    }
  })
})()`

async function visibleCharts(page: Page): Promise<ChartInfo[]> {
  return page.evaluate<ChartInfo[]>(VISIBLE_CHARTS)
}

/** Text a reader can see plus every SVG attribute value: where NaN would show up. */
async function renderedText(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const attrs = [...document.querySelectorAll('svg *')].flatMap((el) => [...el.attributes].map((a) => a.name + '=' + a.value))
    return document.body.innerText + '\\n' + attrs.join('\\n')
  })()`)
}

/** True when the page does not scroll sideways. */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')
}

describe('report.html in headless Chromium', () => {
  it('draws every chart with data and labelled axes at desktop size', async () => {
    const page = await open('s3-throttling.summary.json', { width: 1280, height: 900 })
    const charts = await visibleCharts(page)
    // latency, 5 throughput panels, operations, utilisation, cost, 5 CloudWatch panels: the wide renderings
    expect(charts.map((c) => c.id)).toEqual([
      'chart-latency',
      ...[0, 1, 2, 3, 4].map((i) => `chart-throughput-${i}`),
      'chart-operations',
      'chart-utilization',
      'chart-cost',
      ...[0, 1, 2, 3, 4].map((i) => `chart-cloudwatch-${i}`),
    ])
    for (const c of charts) {
      expect(c.title, c.id).not.toBe('')
      expect(c.desc.length, c.id).toBeGreaterThan(20)
      expect(c.axisLabels.length, c.id).toBeGreaterThanOrEqual(c.kind === 'line' ? 2 : 1)
      expect(
        c.axisLabels.every((l) => l.trim() !== ''),
        c.id,
      ).toBe(true)
      expect(c.tickLabels.length, c.id).toBeGreaterThanOrEqual(3)
      if (c.kind === 'line') expect(c.seriesWithData, c.id).toBeGreaterThanOrEqual(1)
      else expect(c.bars, c.id).toBeGreaterThanOrEqual(5)
      expect(c.minTickFontPx, c.id).toBeGreaterThanOrEqual(10)
    }
    const latency = charts[0]!
    expect(latency.seriesWithData).toBe(5)
    expect(latency.axisLabels).toEqual(['Percentile', 'Latency, ms (log)'])
    for (const p of ['50%', '90%', '99%', '99.9%', '99.99%']) expect(latency.tickLabels).toContain(p)
    expect(await renderedText(page)).not.toMatch(NON_FINITE)
    expect(await fitsWidth(page)).toBe(true)
    // the legend names every variant, the verdict leads
    const legend = await page.locator('#fig-latency .legend li').allTextContents()
    expect(legend).toEqual(['baseline', 'bucket-keys', 'esdk-cache', 'quota-increase', 'retry-adaptive'])
    expect(await page.textContent('.verdict')).toContain('Best: bucket-keys')

    // The README screenshot: from the title down to the end of the latency chart.
    const bottom = await page.evaluate<number>(
      "Math.ceil(document.getElementById('fig-latency').getBoundingClientRect().bottom + window.scrollY + 16)",
    )
    const clip = { x: 0, y: 0, width: 1280, height: bottom }
    const png = await page.screenshot({ fullPage: true, clip })
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(png.length).toBeGreaterThan(20_000)
    if (process.env['KMS_BENCH_UPDATE_SCREENSHOT'] === '1') {
      await mkdir(join(SCREENSHOT, '..'), { recursive: true })
      const file = join(work, 'shot.png')
      await page.screenshot({ path: file, fullPage: true, clip })
      await copyFile(file, SCREENSHOT)
    }
    await page.close()
  })

  it('works on a phone (390×844): one chart per row, narrow renderings, readable text, no sideways scrolling', async () => {
    const page = await open('s3-throttling.summary.json', { width: 390, height: 844 })
    const charts = await visibleCharts(page)
    expect(charts).toHaveLength(14)
    for (const c of charts) {
      expect(c.id, 'the phone gets the narrow rendering').toMatch(/-n$/)
      expect(c.right, c.id).toBeLessThanOrEqual(390)
      expect(c.width, c.id).toBeGreaterThan(300)
      expect(c.minTickFontPx, `${c.id}: tick labels readable`).toBeGreaterThanOrEqual(11)
      expect(c.axisLabels.length, c.id).toBeGreaterThanOrEqual(1)
      expect(c.seriesWithData + c.bars, c.id).toBeGreaterThan(0)
    }
    expect(await fitsWidth(page)).toBe(true)
    expect(await renderedText(page)).not.toMatch(NON_FINITE)
    await page.close()
  })

  it('prints: wide charts, no disclosure widgets, and a PDF of a few pages', async () => {
    const page = await open('s3-throttling.summary.json', { width: 1280, height: 900 })
    await page.emulateMedia({ media: 'print' })
    const charts = await visibleCharts(page)
    expect(charts.length).toBe(14)
    expect(charts.every((c) => !c.id.endsWith('-n'))).toBe(true)
    expect(
      await page.evaluate<boolean>(
        "[...document.querySelectorAll('details > summary')].every((x) => x.getBoundingClientRect().height === 0)",
      ),
    ).toBe(true)
    const pdf = await page.pdf({ format: 'A4', printBackground: false })
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
    expect(pages).toBeGreaterThanOrEqual(3)
    expect(pages).toBeLessThanOrEqual(20)
    await page.close()
  })

  it('renders the edge cases without NaN: an empty run, a single scaled variant, 20 variants', async () => {
    for (const [fixture, viewport] of [
      ['zero-requests.summary.json', { width: 1280, height: 900 }],
      ['single-variant.summary.json', { width: 390, height: 844 }],
      ['many-variants.summary.json', { width: 1280, height: 900 }],
      ['many-variants.summary.json', { width: 390, height: 844 }],
    ] as const) {
      const page = await open(fixture, viewport)
      expect(await renderedText(page), `${fixture} at ${viewport.width}px`).not.toMatch(NON_FINITE)
      expect(await fitsWidth(page), `${fixture} at ${viewport.width}px`).toBe(true)
      const charts = await visibleCharts(page)
      expect(charts.length).toBeGreaterThanOrEqual(5)
      if (fixture === 'zero-requests.summary.json') {
        expect(await page.textContent('#fig-latency')).toContain('No completed requests')
      } else {
        expect(charts.find((c) => c.id.startsWith('chart-latency'))?.seriesWithData).toBe(
          loadFixture(fixture).variants.length,
        )
      }
      if (fixture === 'single-variant.summary.json') {
        expect(await page.textContent('body')).toContain('Scale model: this run ran at 0.01× full size')
        expect(await page.textContent('body')).toContain('This run did not complete')
      }
      await page.close()
    }
  })

  it('fetches nothing from the network, and its .hgrm links point at files that exist', async () => {
    expect(foreignRequests).toEqual([])
    const dir = outDirs.get('s3-throttling.summary.json') ?? ''
    const html = await readFile(join(dir, 'report.html'), 'utf8')
    for (const [, href] of html.matchAll(/href="([^"]+)"/g))
      expect((await stat(join(dir, decodeURIComponent(href ?? '')))).size).toBeGreaterThan(0)
  })

  it('junit.xml is well-formed XML with one test case per threshold', async () => {
    const page = await context.newPage()
    const xml = await readFile(join(outDirs.get('s3-throttling.summary.json') ?? '', 'junit.xml'), 'utf8')
    const result = await page.evaluate<{ error: string | null; cases: number; failures: number }>(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml')
      const error = doc.querySelector('parsererror')
      return { error: error ? error.textContent : null, cases: doc.querySelectorAll('testcase').length, failures: doc.querySelectorAll('testcase > failure').length }
    })()`)
    // 3 thresholds (1 failed) and one service case per variant (the baseline and retry-adaptive lost requests).
    expect(result).toEqual({ error: null, cases: 8, failures: 3 })
    await page.close()
  })
  it('charts never mislead: zeros on the floor, data filling the plot, coincident series marked, long names wrapped', async () => {
    for (const fixture of [
      's3-throttling.summary.json',
      'chart-edges.summary.json',
      'low-traffic.summary.json',
      'cloudwatch.summary.json',
    ]) {
      const page = await open(fixture, { width: 1280, height: 900 })
      const charts = await page.evaluate<ChartGeometry[]>(CHART_GEOMETRY)
      expect(charts.length, fixture).toBeGreaterThanOrEqual(4)
      for (const c of charts) {
        const where = `${fixture} ${c.id}`
        const plotHeight = c.axisY - c.topY
        for (const p of c.paths) {
          // every point inside the plot area
          expect(p.top, `${where} ${p.name}`).toBeGreaterThanOrEqual(c.topY - 1)
          expect(p.bottom, `${where} ${p.name}`).toBeLessThanOrEqual(c.axisY + 1)
          // a series of zeros lies on the axis floor, never above it
          if (p.yMax === '0' || (c.id === 'chart-latency' && p.name === 'zero-ms'))
            expect(c.axisY - p.top, `${where}: zero series ${p.name} drawn above the floor`).toBeLessThanOrEqual(1)
        }
        // the data occupy at least 5% of the plot height (not squashed against a far-away quota)
        const drawn = c.paths.filter((p) => p.yMax !== '0')
        if (drawn.length > 0) {
          const highest = Math.max(...drawn.map((p) => c.axisY - p.top))
          expect(highest / plotHeight, `${where}: data fill under 5% of the height`).toBeGreaterThanOrEqual(0.05)
        }
        // two series drawn on the same path: the later one says so
        const seen = new Set<string>()
        for (const p of c.paths) {
          if (seen.has(p.d)) expect(p.sameAs, `${where}: ${p.name} hides behind another series unmarked`).not.toBe('')
          seen.add(p.d)
        }
        if (c.paths.some((p) => p.sameAs !== '')) expect(c.figureText, where).toMatch(/same as/)
      }
      const text = await renderedText(page)
      expect(text).not.toMatch(/9,007,199,254,740,991|9007199254740991/)
      expect(text).not.toMatch(/started 2025-01-01/)
      // no table cell wider than about a third of the page: long names wrap
      const widest = await page.evaluate<number>(
        "Math.max(...[...document.querySelectorAll('th, td')].map((c) => c.getBoundingClientRect().width))",
      )
      expect(widest, fixture).toBeLessThanOrEqual(420)
      await page.close()
    }
    const edges = await open('chart-edges.summary.json', { width: 1280, height: 900 })
    expect(await edges.textContent('#fig-latency .legend')).toContain('same-as-bucket-keys(same as bucket-keys)')
    expect(await edges.textContent('#fig-latency')).toMatch(/\u2264/)
    expect(await edges.textContent('#quota')).toContain('none')
    await edges.close()
    const low = await open('low-traffic.summary.json', { width: 1280, height: 900 })
    expect(await low.textContent('#fig-latency')).toContain('Every request took 0 ms')
    expect(await low.textContent('#fig-throughput')).toContain('above the chart')
    await low.close()
  })

  it('plots the per-minute CloudWatch series beside the per-second one, scaled to its data, with the alarm line', async () => {
    // Results without the CloudWatch view have no such chart.
    const plain = await open('no-cloudwatch.summary.json', { width: 1280, height: 900 })
    expect(await plain.locator('#fig-cloudwatch').count()).toBe(0)
    await plain.close()
    const page = await open('cloudwatch.summary.json', { width: 1280, height: 900 })
    const charts = (await page.evaluate<ChartGeometry[]>(CHART_GEOMETRY)).filter((c) =>
      c.id.startsWith('chart-cloudwatch'),
    )
    expect(charts.map((c) => c.id)).toEqual(['chart-cloudwatch-0'])
    const c = charts[0]!
    const byName = new Map(c.paths.map((p) => [p.name, p]))
    // Peak second 150 calls, busiest minute 92/s (5,520 calls), throttled 50/s silent and 30/s in ALARM.
    expect(byName.get('Calls/s the quota judges (per second)')?.yMax).toBe('150')
    expect(byName.get('CallCount ÷ 60 (what the alarm sees, per minute)')?.yMax).toBe('92')
    expect(byName.get('Throttled calls/s, alarm silent')?.yMax).toBe('50')
    expect(byName.get('Throttled calls/s, alarm in ALARM')?.yMax).toBe('30')
    // Scaled to its data: the per-second peak reaches at least two thirds of the plot height.
    const peak = byName.get('Calls/s the quota judges (per second)')!
    expect((c.axisY - peak.top) / (c.axisY - c.topY)).toBeGreaterThan(2 / 3)
    // Quota and alarm lines are drawn on the chart (not "above" it), at 100/s and 80/s.
    const lines = await page.evaluate<{ value: string; above: boolean; label: string }[]>(
      `[...document.querySelectorAll('#chart-cloudwatch-0 .ref-line')].map((g) => ({ value: g.getAttribute('data-value'), above: g.classList.contains('ref-above'), label: g.textContent }))`,
    )
    expect(lines).toEqual([
      { value: '100', above: false, label: 'quota 100/s' },
      { value: '80', above: false, label: 'alarm 80 % = 80/s' },
    ])
    const figure = await page.textContent('#fig-cloudwatch')
    expect(figure).toContain('the alarm fired at 2:00; 150 throttled while silent')
    expect(figure).toContain('150 calls in 3 seconds')
    expect(await renderedText(page)).not.toMatch(NON_FINITE)
    // Who uses the quota, with the source of the attribution.
    const who = await page.textContent('#attribution')
    expect(who).toContain("Source: the embedded emulator's call path")
    expect(who).toContain('arn:aws:iam::111122223333:role/app')
    await page.close()
    // report.md says it too, as text.
    const md = await readFile(join(outDirs.get('cloudwatch.summary.json') ?? '', 'report.md'), 'utf8')
    expect(md).toContain('CallCount per minute (minute: calls) 0: 3,300, 1: 5,400 (ALARM), 2: 5,520 (ALARM), 3: 2,400')
    expect(md).toContain('it first fires at 2:00')
    expect(md).toContain('0:20–0:23 150 throttled, alarm silent; 2:50–2:53 90 throttled, alarm in ALARM')
  })
})
