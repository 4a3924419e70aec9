/**
 * The charts of the HTML report, built from a summary: latency percentile spectrum, per-second
 * throughput against the quota, KMS calls by operation, quota utilisation over time, and cost.
 * Each chart comes with its legend and a data table (its text alternative).
 */
import type { RunSummary, VariantSummary } from '../load/index.ts'
import { busiestPool, poolKey } from './facts.ts'
import { fmtInt, fmtLimit, isFiniteNumber, fmtMs, fmtPct, fmtRate, fmtUsd, isUnbounded, plural } from './format.ts'
import { decodeHistogram, percentileSpectrum, US_PER_MS } from './histogram.ts'
import {
  barChart,
  coincidentSeries,
  lineChart,
  type BarChartSpec,
  type LineChartSpec,
  type LineSeries,
  type Tick,
} from './svg.ts'
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
  /** a line under the heading, e.g. which series coincide */
  readonly note?: string
  /** `<svg>` with a 640-unit-wide viewBox */
  readonly svg: string
  /** `<svg>` with a 400-unit-wide viewBox */
  readonly svgNarrow: string
}

/** viewBox widths of the two renderings. */
export const WIDE = 640
export const NARROW = 400

/** A line chart as a panel: its wide and its narrow rendering. */
export function linePanel(spec: Omit<LineChartSpec, 'width'>, heading?: string, note?: string): ChartPanel {
  return {
    ...(heading !== undefined ? { heading } : {}),
    ...(note !== undefined && note !== '' ? { note } : {}),
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

/** "same as X" legend notes of the series of a line chart that coincide with an earlier one. */
function sameAsNotes(spec: LineChartSpec): Map<string, string> {
  return new Map(
    [...coincidentSeries({ ...spec, width: WIDE })].map(([name, earlier]) => [name, `(same as ${earlier})`]),
  )
}

/** Latency by percentile of every variant on HdrHistogram's `1/(1-p)` axis. */
export function latencySpectrumChart(summary: RunSummary): ReportChart {
  const decoded = summary.variants.map((v) => decodeHistogram(v.histogram))
  const spectra = decoded.map((d) => percentileSpectrum(d.histogram, { maxX: 1e5 }))
  const values = spectra.flatMap((s) => s.map((p) => p.valueMs))
  const allY = values.filter((y) => y > 0)
  const minY = allY.length > 0 ? Math.min(...allY) : 1
  const maxY = allY.length > 0 ? Math.max(...allY) : 1
  const hasZero = values.some((y) => y <= 0)
  // A log y axis when variants differ by orders of magnitude (a cache hit vs a throttled retry),
  // which a linear axis would flatten to zero; linear otherwise, as HdrHistogram's plotter draws.
  // On a log axis 0 ms has no place: those points lie on the axis floor, whose tick reads `≤floor`.
  const logY = maxY / minY > 100
  // Up to 99.999% (1/(1-p) = 1e5): enough for any run here, and six labels fit a phone.
  const maxX = Math.max(1e4, ...spectra.map((s) => s[s.length - 1]?.x ?? 1))
  const xMax = 10 ** Math.min(5, Math.ceil(Math.log10(maxX) - 1e-9))
  // Every request took 0 ms (no latency model): an empty plot says so instead of flat lines on the axis.
  const allZero = allY.length === 0 && values.length > 0
  const series: LineSeries[] = summary.variants.map((v, i) => ({
    name: v.name,
    ...variantStyle(i),
    points: allZero ? [] : (spectra[i] ?? []).map((p) => ({ x: p.x, y: p.valueMs })),
  }))
  const withData = summary.variants.filter((_, i) => (spectra[i]?.length ?? 0) > 0)
  const description =
    withData.length === 0
      ? 'No variant completed any request, so there is no latency to plot.'
      : allZero
        ? 'Every completed request took 0 ms (the run modelled no KMS latency), so there is no latency to plot.'
        : `Latency (ms, ${logY ? 'log' : 'linear'} scale) against percentile for ${plural(withData.length, 'variant')}. p99: ${withData.map((v) => `${v.name} ${fmtMs(v.latencyMs.p99)}`).join(', ')}.`
  const spec: Omit<LineChartSpec, 'width'> = {
    id: 'chart-latency',
    title: 'Latency by percentile',
    description,
    x: { label: 'Percentile', scale: 'log', min: 1, max: xMax, ticks: PERCENTILE_TICKS.filter((t) => t.value <= xMax) },
    y: logY
      ? { label: 'Latency, ms (log)', scale: 'log', format: msTick }
      : { label: 'Latency (ms)', min: 0, format: msTick },
    series,
    emptyText: allZero ? 'Every request took 0 ms: no latency to plot' : 'No completed requests',
  }
  const same = sameAsNotes(spec)
  const legend = summary.variants.map((v, i): LegendEntry => {
    const d = decoded[i]
    const note =
      d?.error !== undefined
        ? '(histogram unreadable)'
        : (d?.histogram.totalCount ?? 0) === 0
          ? '(no samples)'
          : same.get(v.name)
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
  return {
    id: 'latency',
    title: 'Latency by percentile',
    caption: `Every completed application request, from its intended send time. The x axis is HdrHistogram's 1/(1−p) scale: each step right is ten times rarer. Lines end where the sample count runs out, at the maximum.${logY && hasZero ? ' A log axis has no zero: requests that took 0 ms (a cache hit, or virtual time without a latency model) lie on the bottom line, marked ≤.' : ''}`,
    panels: [linePanel(spec)],
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

/**
 * The y-axis top of a chart of `dataMax` with a reference line at `ref`: the reference line is
 * kept on the chart only while the data still fill a fifth of the height under it; otherwise the
 * axis follows the data and the line is labelled as above the chart.
 */
export function axisTop(dataMax: number, ref: number | undefined): number {
  if (ref !== undefined && isFiniteNumber(ref) && ref > 0 && !isUnbounded(ref) && ref <= 5 * dataMax)
    return niceMax(Math.max(dataMax, ref) * 1.05)
  return niceMax(dataMax)
}

/** The busiest pool of a variant when it has a real (bounded) limit. */
function boundedPool(v: VariantSummary): ReturnType<typeof busiestPool> {
  const q = busiestPool(v)
  return q !== undefined && q.limit > 0 && !isUnbounded(q.limit) ? q : undefined
}

/** Panel note naming the series drawn on top of another. */
function coincidenceNote(spec: Omit<LineChartSpec, 'width'>): string {
  return [...coincidentSeries({ ...spec, width: WIDE })]
    .map(([name, earlier]) => `${name}: same as ${earlier}`)
    .join('; ')
}

/**
 * Offered vs achieved vs throttled per second, with the quota line: one small chart per variant.
 * Panels share one y scale unless a panel's data would fill under a tenth of it (it then gets
 * its own, and its note says so).
 */
export function throughputChart(summary: RunSummary): ReportChart {
  const dataMax = (v: VariantSummary): number =>
    Math.max(0, ...v.timeline.map((e) => Math.max(e.offered, e.achieved, e.kmsCalls, e.kmsThrottled)))
  const quotaOf = (v: VariantSummary): number | undefined => boundedPool(v)?.limit
  const sharedTop = Math.max(1, ...summary.variants.map((v) => axisTop(dataMax(v), quotaOf(v))))
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
    const q = boundedPool(v)
    const own = axisTop(dataMax(v), q?.limit)
    const ownScale = dataMax(v) > 0 && dataMax(v) < sharedTop / 10
    const throttledSeconds = entries.filter((e) => e.kmsThrottled > 0).length
    const spec: Omit<LineChartSpec, 'width'> = {
      id: `chart-throughput-${i}`,
      title: `${v.name}: requests and KMS calls per second`,
      description:
        entries.length === 0
          ? `${v.name}: no per-second data.`
          : `${v.name}: offered up to ${fmtRate(Math.max(...entries.map((e) => e.offered)))}, KMS calls up to ${fmtRate(Math.max(...entries.map((e) => e.kmsCalls)))}${q !== undefined ? ` against a ${q.pool} quota of ${fmtRate(q.limit)}` : ''}; KMS calls throttled in ${throttledSeconds} of ${plural(entries.length, 'second')}.`,
      x: { label: 'Time (s)', min: 0, max: duration },
      y: { label: 'Per second', min: 0, max: ownScale ? own : sharedTop },
      series,
      refLines: q !== undefined ? [{ y: q.limit, label: `${q.pool} quota ${fmtRate(q.limit)}` }] : [],
      emptyText: 'No per-second data',
      height: 300,
    }
    const note = [ownScale ? 'own y scale' : '', coincidenceNote(spec)].filter((t) => t !== '').join('; ')
    return linePanel(spec, v.name, note)
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
      q !== undefined ? fmtLimit(q.limit, '/s') : '–',
      fmtInt(v.timeline.filter((e) => e.kmsThrottled > 0).length),
    ]
  })
  return {
    id: 'throughput',
    title: 'Requests and KMS calls per second against the quota',
    caption: `Application requests offered and actually sent, the KMS calls they cost and how many of those were throttled, each second; the dashed red line is the limit of the variant's busiest quota pool (labelled at the top when it lies far above the data). Panels share one y scale unless noted; runs longer than ${MAX_TIME_POINTS} s plot the peak of each group of seconds.`,
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

/** A utilisation tick: whole percent, or up to two significant digits below 10%. */
function fmtPctTick(v: number): string {
  return v >= 10 || v === 0
    ? String(Math.round(v))
    : new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 }).format(v)
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
    formatTotal: (t) => plural(t, 'call'),
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
    const q = boundedPool(v)
    if (q === undefined) return { name: v.name, ...variantStyle(i), points: [] }
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
  // Scaled to the data: a workload at 0.5% of its quota is drawn as a shape, with the 100% line
  // labelled above the chart, not as a flat line on the floor of a 0-120% axis.
  const dataMax = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y)))
  const yTop = dataMax >= 20 ? niceMax(Math.max(120, dataMax)) : axisTop(dataMax, 100)
  const duration = Math.max(
    1,
    summary.durationSeconds,
    ...summary.variants.flatMap((v) => v.timeline.map((e) => e.second + 1)),
  )
  const used = summary.variants.filter((v) => busiestPool(v) !== undefined)
  const spec: Omit<LineChartSpec, 'width'> = {
    id: 'chart-utilization',
    title: 'Quota utilisation over time',
    description:
      used.length === 0
        ? 'No call counted against a quota pool.'
        : `Calls offered to the busiest quota pool each second, as a share of its limit. Peak: ${used.map((v) => `${v.name} ${fmtPct(busiestPool(v)?.utilization ?? 0, 0)}`).join(', ')}.`,
    x: { label: 'Time (s)', min: 0, max: duration },
    y: { label: 'Utilisation (% of limit)', min: 0, max: yTop, format: (v) => `${fmtPctTick(v)}%` },
    series,
    refLines: [{ y: 100, label: '100% = quota limit' }],
    emptyText: 'No quota usage recorded',
  }
  const panel = linePanel(spec)
  const same = sameAsNotes(spec)
  const legend = summary.variants.map((v, i): LegendEntry => {
    const q = busiestPool(v)
    const note = q === undefined ? '(no quota pool used)' : `(${q.pool})`
    const sameAs = same.get(v.name)
    return { name: v.name, ...variantStyle(i), note: sameAs !== undefined ? `${note} ${sameAs}` : note }
  })
  const rows = summary.variants.map((v) => {
    const q = busiestPool(v)
    return q === undefined
      ? [v.name, '–', '–', '–', '–']
      : [v.name, q.pool, fmtLimit(q.limit, '/s'), fmtPct(q.utilization, 0), fmtInt(q.throttledSeconds)]
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
