/**
 * The charts of the HTML report, built from a summary: latency percentile spectrum, per-second
 * throughput against the quota, KMS calls by operation, quota utilisation over time, and cost.
 * Each chart comes with its legend and a data table (its text alternative).
 */
import type { RunSummary, VariantSummary } from '../load/summary.ts'
import { busiestPool, poolKey } from './facts.ts'
import { fmtInt, fmtMs, fmtPct, fmtRate, fmtUsd } from './format.ts'
import { decodeHistogram, percentileSpectrum, US_PER_MS } from './histogram.ts'
import { barChart, lineChart, type BarChartSpec, type LineChartSpec, type LineSeries, type Tick } from './svg.ts'
import type { TextTable } from './tables.ts'

/** A legend entry. */
export interface LegendEntry {
  readonly name: string
  readonly color: string
  readonly dash?: string
  /** shown after the name, e.g. `(no samples)` */
  readonly note?: string
}

/**
 * One chart drawn twice: for wide screens and print, and for phones. SVG text scales with the
 * chart, so a phone gets a narrower viewBox (its text then stays about as large as body text)
 * instead of a desktop chart shrunk to unreadable labels. CSS shows one of the two.
 */
export interface ChartPanel {
  readonly heading?: string
  /** `<svg>` with a 640-unit-wide viewBox */
  readonly svg: string
  /** `<svg>` with a 400-unit-wide viewBox */
  readonly svgNarrow: string
}

/** viewBox widths of the two renderings. */
export const WIDE = 640
export const NARROW = 400

function linePanel(spec: Omit<LineChartSpec, 'width'>, heading?: string): ChartPanel {
  return {
    ...(heading !== undefined ? { heading } : {}),
    svg: lineChart({ ...spec, width: WIDE }),
    svgNarrow: lineChart({
      ...spec,
      id: `${spec.id}-n`,
      width: NARROW,
      height: Math.round((spec.height ?? 340) * 0.95),
    }),
  }
}

function barPanel(spec: Omit<BarChartSpec, 'width'>): ChartPanel {
  return {
    svg: barChart({ ...spec, width: WIDE }),
    svgNarrow: barChart({ ...spec, id: `${spec.id}-n`, width: NARROW }),
  }
}

/** A chart of the report, ready to place. */
export interface ReportChart {
  readonly id: string
  readonly title: string
  /** one or two sentences under the chart: how to read it */
  readonly caption: string
  /** one or more panels (small multiples), each with its heading when there are several */
  readonly panels: readonly ChartPanel[]
  readonly legend: readonly LegendEntry[]
  /** the chart's data as a table (text alternative) */
  readonly table: TextTable
}

/**
 * Colour-blind-safe palette (Okabe & Ito, then Paul Tol's muted scheme); beyond it colours
 * repeat with a dash pattern so 20 variants stay distinguishable.
 */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#882255',
  '#44AA99',
  '#999933',
  '#332288',
  '#AA4499',
] as const
const DASHES = ['', '7 4', '2 4', '10 4 2 4'] as const

/** Colour and dash of the i-th variant. */
export function variantStyle(i: number): { color: string; dash: string } {
  const color = PALETTE[i % PALETTE.length] ?? '#000000'
  const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length] ?? ''
  return { color, dash }
}

const PERCENTILE_TICKS: readonly Tick[] = [
  { value: 2, label: '50%' },
  { value: 10, label: '90%' },
  { value: 100, label: '99%' },
  { value: 1e3, label: '99.9%' },
  { value: 1e4, label: '99.99%' },
  { value: 1e5, label: '99.999%' },
]

function msTick(v: number): string {
  if (v >= 1000) return `${new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(v / 1000)}k`
  return new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(v)
}

/** Latency by percentile of every variant on HdrHistogram's `1/(1-p)` axis. */
export function latencySpectrumChart(summary: RunSummary): ReportChart {
  const decoded = summary.variants.map((v) => decodeHistogram(v.histogram))
  const spectra = decoded.map((d) => percentileSpectrum(d.histogram, { maxX: 1e5 }))
  const allY = spectra.flatMap((s) => s.map((p) => p.valueMs)).filter((y) => y > 0)
  const minY = allY.length > 0 ? Math.min(...allY) : 1
  const maxY = allY.length > 0 ? Math.max(...allY) : 1
  // A log y axis when variants differ by orders of magnitude (a cache hit vs a throttled retry),
  // which a linear axis would flatten to zero; linear otherwise, as HdrHistogram's plotter draws.
  const logY = maxY / minY > 100
  // Up to 99.999% (1/(1-p) = 1e5): enough for any run here, and six labels fit a phone.
  const maxX = Math.max(1e4, ...spectra.map((s) => s[s.length - 1]?.x ?? 1))
  const xMax = 10 ** Math.min(5, Math.ceil(Math.log10(maxX) - 1e-9))
  const series: LineSeries[] = summary.variants.map((v, i) => ({
    name: v.name,
    ...variantStyle(i),
    points: (spectra[i] ?? []).map((p) => ({ x: p.x, y: logY ? Math.max(p.valueMs, minY) : p.valueMs })),
  }))
  const legend = summary.variants.map((v, i): LegendEntry => {
    const d = decoded[i]
    const note =
      d?.error !== undefined
        ? '(histogram unreadable)'
        : (d?.histogram.totalCount ?? 0) === 0
          ? '(no samples)'
          : undefined
    return { name: v.name, ...variantStyle(i), ...(note !== undefined ? { note } : {}) }
  })
  const rows = summary.variants.map((v, i) => {
    const h = decoded[i]?.histogram
    const at = (p: number): string =>
      h !== undefined && h.totalCount > 0 ? fmtMs(h.getValueAtPercentile(p) / US_PER_MS) : '–'
    return [
      v.name,
      fmtInt(h?.totalCount ?? 0),
      at(50),
      at(90),
      at(99),
      at(99.9),
      at(99.99),
      h !== undefined && h.totalCount > 0 ? fmtMs(h.maxValue / US_PER_MS) : '–',
    ]
  })
  const withData = summary.variants.filter((_, i) => (spectra[i]?.length ?? 0) > 0)
  const description =
    withData.length === 0
      ? 'No variant completed any request, so there is no latency to plot.'
      : `Latency (ms, ${logY ? 'log' : 'linear'} scale) against percentile for ${withData.length} variant${withData.length === 1 ? '' : 's'}. p99: ${withData.map((v) => `${v.name} ${fmtMs(v.latencyMs.p99)}`).join(', ')}.`
  const panel = linePanel({
    id: 'chart-latency',
    title: 'Latency by percentile',
    description,
    x: { label: 'Percentile', scale: 'log', min: 1, max: xMax, ticks: PERCENTILE_TICKS.filter((t) => t.value <= xMax) },
    y: logY
      ? { label: 'Latency, ms (log)', scale: 'log', format: msTick }
      : { label: 'Latency (ms)', min: 0, format: msTick },
    series,
    emptyText: 'No completed requests',
  })
  return {
    id: 'latency',
    title: 'Latency by percentile',
    caption:
      "Every completed application request, from its intended send time. The x axis is HdrHistogram's 1/(1−p) scale: each step right is ten times rarer. Lines end where the sample count runs out, at the maximum.",
    panels: [panel],
    legend,
    table: {
      header: ['Variant', 'Samples', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max'],
      rows,
      numeric: [false, true, true, true, true, true, true, true],
    },
  }
}

const THROUGHPUT_SERIES = [
  { key: 'offered', name: 'Offered requests/s', color: '#555555', dash: '7 4' },
  { key: 'achieved', name: 'Achieved requests/s', color: '#0072B2', dash: '' },
  { key: 'kms', name: 'KMS calls/s', color: '#009E73', dash: '' },
  { key: 'throttled', name: 'Throttled KMS calls/s', color: '#D55E00', dash: '' },
] as const

/** Offered vs achieved vs throttled per second, with the quota line: one small chart per variant on a shared y scale. */
export function throughputChart(summary: RunSummary): ReportChart {
  let yMax = 0
  for (const v of summary.variants) {
    for (const e of v.timeline) yMax = Math.max(yMax, e.offered, e.achieved, e.kmsCalls, e.kmsThrottled)
    const q = busiestPool(v)
    if (q !== undefined) yMax = Math.max(yMax, q.limit)
  }
  const duration = Math.max(
    1,
    summary.durationSeconds,
    ...summary.variants.flatMap((v) => v.timeline.map((e) => e.second + 1)),
  )
  const panels = summary.variants.map((v, i) => {
    const entries = v.timeline.slice().sort((a, b) => a.second - b.second)
    const pick = (key: (typeof THROUGHPUT_SERIES)[number]['key'], e: (typeof entries)[number]): number =>
      key === 'offered' ? e.offered : key === 'achieved' ? e.achieved : key === 'kms' ? e.kmsCalls : e.kmsThrottled
    const series: LineSeries[] = THROUGHPUT_SERIES.map((s) => ({
      name: s.name,
      color: s.color,
      dash: s.dash,
      width: 2,
      points: downsamplePeaks(entries.map((e) => ({ x: e.second, y: pick(s.key, e) }))),
    }))
    const q = busiestPool(v)
    const throttledSeconds = entries.filter((e) => e.kmsThrottled > 0).length
    return linePanel(
      {
        id: `chart-throughput-${i}`,
        title: `${v.name}: requests and KMS calls per second`,
        description:
          entries.length === 0
            ? `${v.name}: no per-second data.`
            : `${v.name}: offered up to ${fmtRate(Math.max(...entries.map((e) => e.offered)))}, KMS calls up to ${fmtRate(Math.max(...entries.map((e) => e.kmsCalls)))}${q !== undefined ? ` against a ${q.pool} quota of ${fmtRate(q.limit)}` : ''}; KMS calls throttled in ${throttledSeconds} of ${entries.length} seconds.`,
        x: { label: 'Time (s)', min: 0, max: duration },
        y: { label: 'Per second', min: 0, max: niceMax(yMax) },
        series,
        refLines: q !== undefined ? [{ y: q.limit, label: `${q.pool} quota ${fmtRate(q.limit)}` }] : [],
        emptyText: 'No per-second data',
        height: 300,
      },
      v.name,
    )
  })
  const rows = summary.variants.map((v) => {
    const peak = (f: (e: VariantSummary['timeline'][number]) => number): string =>
      fmtRate(v.timeline.length > 0 ? Math.max(...v.timeline.map(f)) : 0)
    const q = busiestPool(v)
    return [
      v.name,
      peak((e) => e.offered),
      peak((e) => e.achieved),
      peak((e) => e.kmsCalls),
      peak((e) => e.kmsThrottled),
      q !== undefined ? fmtRate(q.limit) : '–',
      fmtInt(v.timeline.filter((e) => e.kmsThrottled > 0).length),
    ]
  })
  return {
    id: 'throughput',
    title: 'Requests and KMS calls per second against the quota',
    caption: `Application requests offered and actually sent, the KMS calls they cost and how many of those were throttled, each second; the dashed red line is the limit of the variant's busiest quota pool. All panels share one y scale; runs longer than ${MAX_TIME_POINTS} s plot the peak of each group of seconds.`,
    panels,
    legend: [
      ...THROUGHPUT_SERIES.map((s) => ({ name: s.name, color: s.color, dash: s.dash })),
      { name: 'Quota limit (calls/s)', color: '#b00020', dash: '8 4' },
    ],
    table: {
      header: [
        'Variant',
        'Peak offered',
        'Peak achieved',
        'Peak KMS calls',
        'Peak throttled',
        'Quota limit',
        'Seconds throttled',
      ],
      rows,
      numeric: [false, true, true, true, true, true, true],
    },
  }
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1
  const mag = 10 ** Math.floor(Math.log10(v))
  const m = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((k) => k * mag >= v) ?? 10
  return m * mag
}

/** Most points a time-series line gets; longer runs are bucketed. */
export const MAX_TIME_POINTS = 600

/**
 * Thins a per-second series to at most `max` points by bucketing consecutive seconds and
 * keeping each bucket's peak (throttling happens at peaks, so a mean would hide it). The
 * point sits at the bucket's first second.
 */
export function downsamplePeaks(
  points: readonly { x: number; y: number }[],
  max = MAX_TIME_POINTS,
): { x: number; y: number }[] {
  if (points.length <= max) return [...points]
  const size = Math.ceil(points.length / max)
  const out: { x: number; y: number }[] = []
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size)
    out.push({ x: bucket[0]?.x ?? 0, y: Math.max(...bucket.map((p) => p.y)) })
  }
  return out
}

const OP_PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#999933',
  '#882255',
  '#332288',
  '#44AA99',
] as const

/** KMS calls by operation per variant (stacked bars). */
export function operationsChart(summary: RunSummary): ReportChart {
  const totals = new Map<string, number>()
  for (const v of summary.variants)
    for (const [op, c] of Object.entries(v.kms.byOperation)) totals.set(op, (totals.get(op) ?? 0) + c.calls)
  const ops = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([op]) => op)
  const segments = ops.map((op, i) => ({
    name: op,
    color: OP_PALETTE[i % OP_PALETTE.length] ?? '#000000',
    values: summary.variants.map((v) => v.kms.byOperation[op]?.calls ?? 0),
  }))
  const panel = barPanel({
    id: 'chart-operations',
    title: 'KMS calls by operation',
    description: `KMS calls per variant, split by operation: ${summary.variants.map((v) => `${v.name} ${fmtInt(v.kms.calls)} calls (${fmtInt(v.kms.throttled)} throttled)`).join('; ')}.`,
    categories: summary.variants.map((v) => v.name),
    segments,
    xLabel: 'KMS calls (all attempts)',
    formatTotal: (t) => `${fmtInt(t)} calls`,
  })
  const rows = summary.variants.map((v) => [
    v.name,
    ...ops.map((op) => fmtInt(v.kms.byOperation[op]?.calls ?? 0)),
    fmtInt(v.kms.calls),
    fmtInt(v.kms.throttled),
  ])
  return {
    id: 'operations',
    title: 'KMS calls by operation',
    caption: 'What each variant costs in KMS calls (retries included). A mitigation works by shrinking these bars.',
    panels: [panel],
    legend: segments.map((s) => ({ name: s.name, color: s.color })),
    table: {
      header: ['Variant', ...ops, 'Total', 'Throttled'],
      rows,
      numeric: [false, ...ops.map(() => true), true, true],
    },
  }
}

/** Utilisation of each variant's busiest quota pool, second by second (100% = the limit). */
export function utilizationChart(summary: RunSummary): ReportChart {
  const series: LineSeries[] = summary.variants.map((v, i) => {
    const q = busiestPool(v)
    if (q === undefined || !(q.limit > 0)) return { name: v.name, ...variantStyle(i), points: [] }
    const key = poolKey(q)
    // Demand = accepted + throttled. Summaries without per-pool throttle counts
    // (`poolThrottled`) attribute the variant's throttled calls to the pool only when it used
    // a single pool.
    const attributeThrottles = v.quota.length === 1
    const throttledIn = (e: VariantSummary['timeline'][number]): number =>
      e.poolThrottled !== undefined ? (e.poolThrottled[key] ?? 0) : attributeThrottles ? e.kmsThrottled : 0
    const points = downsamplePeaks(
      v.timeline
        .slice()
        .sort((a, b) => a.second - b.second)
        .map((e) => ({ x: e.second, y: (100 * ((e.poolAccepted[key] ?? 0) + throttledIn(e))) / q.limit })),
    )
    return { name: v.name, ...variantStyle(i), points }
  })
  const yMax = Math.max(120, ...series.flatMap((s) => s.points.map((p) => p.y)))
  const duration = Math.max(
    1,
    summary.durationSeconds,
    ...summary.variants.flatMap((v) => v.timeline.map((e) => e.second + 1)),
  )
  const used = summary.variants.filter((v) => busiestPool(v) !== undefined)
  const panel = linePanel({
    id: 'chart-utilization',
    title: 'Quota utilisation over time',
    description:
      used.length === 0
        ? 'No call counted against a quota pool.'
        : `Calls offered to the busiest quota pool each second, as a share of its limit. Peak: ${used.map((v) => `${v.name} ${fmtPct(busiestPool(v)?.utilization ?? 0, 0)}`).join(', ')}.`,
    x: { label: 'Time (s)', min: 0, max: duration },
    y: { label: 'Utilisation (% of limit)', min: 0, max: niceMax(yMax), format: (v) => `${Math.round(v)}%` },
    series,
    refLines: [{ y: 100, label: '100% = quota limit' }],
    emptyText: 'No quota usage recorded',
  })
  const legend = summary.variants.map((v, i): LegendEntry => {
    const q = busiestPool(v)
    return { name: v.name, ...variantStyle(i), note: q === undefined ? '(no quota pool used)' : `(${q.pool})` }
  })
  const rows = summary.variants.map((v) => {
    const q = busiestPool(v)
    return q === undefined
      ? [v.name, '–', '–', '–', '–']
      : [v.name, q.pool, fmtRate(q.limit), fmtPct(q.utilization, 0), fmtInt(q.throttledSeconds)]
  })
  return {
    id: 'utilization',
    title: 'Quota utilisation over time',
    caption:
      "Calls offered each second to the variant's busiest quota pool (accepted + throttled), as a percentage of the pool's limit. Above 100% KMS throttles; below it is headroom.",
    panels: [panel],
    legend,
    table: {
      header: ['Variant', 'Pool', 'Limit', 'Peak utilisation', 'Throttled seconds'],
      rows,
      numeric: [false, false, true, true, true],
    },
  }
}

/** Monthly cost per variant (KMS requests and keys, stacked). */
export function costChart(summary: RunSummary): ReportChart {
  const segments = [
    { name: 'KMS requests', color: '#0072B2', values: summary.variants.map((v) => v.costUsd.monthly.requests) },
    { name: 'KMS keys', color: '#E69F00', values: summary.variants.map((v) => v.costUsd.monthly.keys) },
  ]
  const panel = barPanel({
    id: 'chart-cost',
    title: 'Cost per month',
    description: `Monthly KMS cost at this run's rate: ${summary.variants.map((v) => `${v.name} ${fmtUsd(v.costUsd.monthly.total)}`).join('; ')}.`,
    categories: summary.variants.map((v) => v.name),
    segments,
    xLabel: 'US dollars per month',
    formatTotal: (t) => `${fmtUsd(t)}/month`,
    tickFormat: (t) =>
      `$${new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 }).format(t)}`,
  })
  const rows = summary.variants.map((v) => [
    v.name,
    fmtUsd(v.costUsd.monthly.requests),
    fmtUsd(v.costUsd.monthly.keys),
    fmtUsd(v.costUsd.monthly.total),
    fmtUsd(v.costUsd.total),
    fmtInt(v.costUsd.billedKeys),
  ])
  return {
    id: 'cost',
    title: 'Cost per month',
    caption:
      "KMS request and key charges, extrapolated from this run's rate to a 730-hour month (AWS KMS pricing: https://aws.amazon.com/kms/pricing/).",
    panels: [panel],
    legend: segments.map((s) => ({ name: s.name, color: s.color })),
    table: {
      header: ['Variant', 'Requests / month', 'Keys / month', 'Total / month', 'This run', 'Billed keys'],
      rows,
      numeric: [false, true, true, true, true, true],
    },
  }
}

/** Every chart of the report, in reading order. */
export function reportCharts(summary: RunSummary): ReportChart[] {
  return [
    latencySpectrumChart(summary),
    throughputChart(summary),
    operationsChart(summary),
    utilizationChart(summary),
    costChart(summary),
  ]
}
