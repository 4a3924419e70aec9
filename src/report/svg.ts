/**
 * Small, dependency-free SVG chart builders for the HTML report: line charts (linear or log
 * axes, reference lines) and horizontal stacked bar charts. Output is plain SVG text with a
 * `viewBox`, so it scales to any width; every chart carries `<title>` and `<desc>` for screen
 * readers, and every number written into the markup goes through {@link coord}, so a chart
 * can never contain `NaN` or `Infinity`, whatever the data.
 */
import { escapeHtml as esc, isFiniteNumber } from './format.ts'
import { at } from '../util/index.ts'

/** A point in data units. */
export interface Point {
  readonly x: number
  readonly y: number
}

/** A tick on an axis. */
export interface Tick {
  readonly value: number
  readonly label: string
}

/** An axis. */
export interface AxisSpec {
  /** axis title, with the unit: `Latency (ms)` */
  readonly label: string
  /**
   * Scale type.
   * @default 'linear'
   */
  readonly scale?: 'linear' | 'log'
  /** domain start; derived from the data when absent (0 for linear axes of non-negative data) */
  readonly min?: number
  /** domain end; derived from the data when absent */
  readonly max?: number
  /** explicit ticks; derived (nice round values) when absent */
  readonly ticks?: readonly Tick[]
  /**
   * Tick label format for derived ticks.
   * @default compact SI (`1.5k`, `20M`)
   */
  readonly format?: (value: number) => string
}

/** One line of a line chart. */
export interface LineSeries {
  readonly name: string
  readonly color: string
  /** SVG `stroke-dasharray`, e.g. `6 3` */
  readonly dash?: string
  readonly points: readonly Point[]
  /**
   * Stroke width in user units.
   * @default 2.5
   */
  readonly width?: number
}

/** A horizontal reference line (a quota limit, 100% utilisation). */
export interface RefLine {
  readonly y: number
  readonly label: string
  /**
   * Line colour.
   * @default '#b00020'
   */
  readonly color?: string
  /**
   * Where the label sits: at the right end, or at the left (for a second line close to another).
   * @default 'end'
   */
  readonly labelAt?: 'start' | 'end'
}

/** A line chart. */
export interface LineChartSpec {
  /** unique within the page: used for the ids `title`/`desc` refer to */
  readonly id: string
  readonly title: string
  /** the text alternative: what the chart shows and its main finding */
  readonly description: string
  readonly x: AxisSpec
  readonly y: AxisSpec
  readonly series: readonly LineSeries[]
  readonly refLines?: readonly RefLine[]
  /**
   * Text drawn when no series has points.
   * @default 'No data'
   */
  readonly emptyText?: string
  /**
   * viewBox width.
   * @default 640
   */
  readonly width?: number
  /**
   * viewBox height.
   * @default 340
   */
  readonly height?: number
}

/** One stacked segment kind of a bar chart (e.g. one KMS operation), with a value per bar. */
export interface BarSegment {
  readonly name: string
  readonly color: string
  /** one value per category, in category order */
  readonly values: readonly number[]
}

/** A horizontal stacked bar chart: one bar per category, labelled above the bar. */
export interface BarChartSpec {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly categories: readonly string[]
  readonly segments: readonly BarSegment[]
  /** x-axis title with unit */
  readonly xLabel: string
  /** formats a bar's total for its label */
  readonly formatTotal: (total: number) => string
  /**
   * Tick label format.
   * @default compact SI
   */
  readonly tickFormat?: (value: number) => string
  /**
   * viewBox width.
   * @default 640
   */
  readonly width?: number
}

/** A data value for an attribute: 6 significant digits, so a small non-zero value never reads as 0 (unlike {@link coord}). */
function dataValue(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : '0'
}

/** A finite coordinate rounded to 0.1 user unit (0 for anything non-finite). */
export function coord(x: number): string {
  if (!Number.isFinite(x)) return '0'
  const r = Math.round(x * 10) / 10
  return Object.is(r, -0) ? '0' : String(r)
}

/** Compact tick labels: `0`, `0.05`, `250`, `1.5k`, `20M`. */
export function compact(v: number): string {
  if (!isFiniteNumber(v)) return ''
  const abs = Math.abs(v)
  const fmt = (x: number, suffix: string): string =>
    `${new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(x)}${suffix}`
  if (abs >= 1e9) return fmt(v / 1e9, 'G')
  if (abs >= 1e6) return fmt(v / 1e6, 'M')
  if (abs >= 1e3) return fmt(v / 1e3, 'k')
  return fmt(v, '')
}

/** Round tick values covering [min, max], about `count` of them (1-2-5 steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!isFiniteNumber(min) || !isFiniteNumber(max)) return [0, 1]
  if (max <= min) max = min + (min === 0 ? 1 : Math.abs(min))
  const raw = (max - min) / Math.max(1, count)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const first = Math.floor(min / step + 1e-9)
  const ticks: number[] = []
  // Until a tick reaches max, so the axis always covers the data; toPrecision drops binary
  // noise (0.6000000000000001).
  for (let i = first; ticks.length < 2 || at(ticks, ticks.length - 1) < max - step * 1e-9; i++) {
    ticks.push(Number((i * step).toPrecision(12)))
    if (ticks.length > 50) break
  }
  return ticks
}

/** Powers of ten covering [min, max] (min > 0), with 2× and 5× marks when the span is short. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min) + 1e-9)
  const hi = Math.ceil(Math.log10(max) - 1e-9)
  const out: number[] = []
  const dense = hi - lo <= 2
  for (let e = lo; e <= hi; e++) {
    for (const m of dense ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v)
    }
  }
  return out
}

interface Scale {
  (v: number): number
  readonly domain: readonly [number, number]
  readonly ticks: readonly Tick[]
  /** log axes: true when some values (0 included) lie below the domain and are drawn on its floor */
  readonly floored?: boolean
}

/**
 * The floor of a log axis: the power of ten at or below the smallest positive value, one decade
 * lower when values at or below zero exist and the smallest positive value sits exactly on it
 * (so a zero is never drawn at the height of a real value).
 */
export function logFloor(values: readonly number[]): number {
  const positive = values.filter((v) => isFiniteNumber(v) && v > 0)
  const min = positive.length > 0 ? Math.min(...positive) : 1
  const floor = 10 ** Math.floor(Math.log10(min) + 1e-9)
  const hasNonPositive = values.some((v) => isFiniteNumber(v) && v <= 0)
  return hasNonPositive && min <= floor * (1 + 1e-9) ? floor / 10 : floor
}

function makeLogScale(axis: AxisSpec, finite: readonly number[], range: readonly [number, number]): Scale {
  const fmt = axis.format ?? compact
  const positive = finite.filter((v) => v > 0)
  const dataMax = positive.length > 0 ? Math.max(...positive) : 10
  let d0 = axis.min !== undefined && axis.min > 0 ? axis.min : logFloor(finite)
  let d1 = axis.max !== undefined && axis.max > 0 ? axis.max : 10 ** Math.ceil(Math.log10(dataMax) - 1e-9)
  if (!(d1 > d0)) d1 = d0 * 10
  d0 = Math.max(d0, Number.MIN_VALUE)
  const l0 = Math.log10(d0)
  const l1 = Math.log10(d1)
  const f = (v: number): number => {
    const c = Math.min(Math.max(v > 0 ? v : d0, d0), d1)
    return range[0] + ((Math.log10(c) - l0) / (l1 - l0)) * (range[1] - range[0])
  }
  // A log axis has no 0: values at or below zero (a cache hit in 0 ms) are drawn on the floor,
  // and the floor's tick says so (`≤0.1`) instead of pretending they measured the floor value.
  const floored = finite.some((v) => v < d0 * (1 - 1e-9))
  const derived = logTicks(d0, d1)
  if (floored && (derived[0] ?? 0) > d0 * (1 + 1e-9)) derived.unshift(d0)
  const ticks =
    axis.ticks ?? derived.map((v, i) => ({ value: v, label: floored && i === 0 ? `\u2264${fmt(v)}` : fmt(v) }))
  return Object.assign(f, { domain: [d0, d1] as const, ticks, floored })
}

function makeScale(axis: AxisSpec, values: readonly number[], range: readonly [number, number]): Scale {
  const fmt = axis.format ?? compact
  const finite = values.filter(isFiniteNumber)
  if (axis.scale === 'log') return makeLogScale(axis, finite, range)
  const dataMin = finite.length > 0 ? Math.min(...finite) : 0
  const dataMax = finite.length > 0 ? Math.max(...finite) : 1
  const lo = axis.min ?? Math.min(0, dataMin)
  const hiRaw = axis.max ?? dataMax
  const nice = axis.ticks === undefined ? niceTicks(lo, hiRaw > lo ? hiRaw : lo + 1) : []
  const d0 = axis.min ?? nice[0] ?? lo
  let d1 = axis.max ?? nice[nice.length - 1] ?? hiRaw
  if (!(d1 > d0)) d1 = d0 + 1
  const f = (v: number): number => {
    const c = Math.min(Math.max(isFiniteNumber(v) ? v : d0, d0), d1)
    return range[0] + ((c - d0) / (d1 - d0)) * (range[1] - range[0])
  }
  const ticks =
    axis.ticks ?? nice.filter((t) => t >= d0 - 1e-9 && t <= d1 + 1e-9).map((v) => ({ value: v, label: fmt(v) }))
  return Object.assign(f, { domain: [d0, d1] as const, ticks })
}

/** Plot-area margins in user units: room for tick labels and axis titles, also at phone text size. */
const MARGIN = { top: 18, right: 34, bottom: 64, left: 84 }

/** Rough text width in user units at the report's chart font size (15), for label placement. */
function textWidth(text: string): number {
  return text.length * 15 * 0.6
}

function svgOpen(id: string, width: number, height: number, title: string, description: string, kind: string): string {
  return (
    `<svg class="chart" data-chart="${esc(kind)}" id="${esc(id)}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${esc(id)}-title ${esc(id)}-desc" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${esc(id)}-title">${esc(title)}</title><desc id="${esc(id)}-desc">${esc(description)}</desc>`
  )
}

interface Geometry {
  readonly width: number
  readonly height: number
  readonly plot: { x0: number; x1: number; y0: number; y1: number }
  readonly sx: Scale
  readonly sy: Scale
}

function geometry(spec: LineChartSpec): Geometry {
  const width = spec.width ?? 640
  const height = spec.height ?? 340
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top }
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x))
  const ys = [...spec.series.flatMap((s) => s.points.map((p) => p.y)), ...(spec.refLines ?? []).map((r) => r.y)]
  return {
    width,
    height,
    plot,
    sx: makeScale(spec.x, xs, [plot.x0, plot.x1]),
    sy: makeScale(spec.y, ys, [plot.y0, plot.y1]),
  }
}

function pathData(s: LineSeries, g: Geometry): string {
  return s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${coord(g.sx(p.x))} ${coord(g.sy(p.y))}`).join('')
}

/**
 * Series drawn exactly on top of an earlier one (the same path once on screen): name → the
 * earlier series' name. A reader would otherwise count fewer lines than the legend lists.
 */
export function coincidentSeries(spec: LineChartSpec): Map<string, string> {
  const g = geometry(spec)
  const first = new Map<string, string>()
  const same = new Map<string, string>()
  for (const s of spec.series) {
    if (s.points.length === 0) continue
    const d = pathData(s, g)
    const earlier = first.get(d)
    if (earlier === undefined) first.set(d, s.name)
    else same.set(s.name, earlier)
  }
  return same
}

/** Renders a line chart as an `<svg>` element. */
export function lineChart(spec: LineChartSpec): string {
  const g = geometry(spec)
  const { width, height, plot, sx, sy } = g
  const parts: string[] = [svgOpen(spec.id, width, height, spec.title, spec.description, 'line')]

  // Grid and ticks.
  parts.push('<g class="grid" aria-hidden="true">')
  for (const t of sy.ticks) {
    const y = coord(sy(t.value))
    parts.push(`<line x1="${plot.x0}" x2="${plot.x1}" y1="${y}" y2="${y}"/>`)
  }
  for (const t of sx.ticks) {
    const x = coord(sx(t.value))
    parts.push(`<line x1="${x}" x2="${x}" y1="${plot.y1}" y2="${plot.y0}"/>`)
  }
  parts.push('</g>')
  parts.push(axes(plot, sx, sy, spec.x.label, spec.y.label, width, height))
  parts.push(refLines(spec.refLines ?? [], g))

  const drawn = spec.series.filter((s) => s.points.length > 0)
  const same = coincidentSeries(spec)
  parts.push('<g class="series-group">')
  drawn.forEach((s) => {
    const d = pathData(s, g)
    const sameAs = same.get(s.name)
    // A series hidden under another is drawn dashed on top of it, so both colours show.
    const dashValue = sameAs !== undefined ? '5 7' : s.dash
    const dash = dashValue !== undefined && dashValue !== '' ? ` stroke-dasharray="${esc(dashValue)}"` : ''
    const ysOf = s.points.map((p) => p.y).filter(isFiniteNumber)
    const yMax = ysOf.length > 0 ? Math.max(...ysOf) : 0
    const label = sameAs !== undefined ? `${s.name} (same as ${sameAs})` : s.name
    parts.push(
      `<path class="series" data-series="${esc(s.name)}" data-points="${s.points.length}" data-y-max="${dataValue(yMax)}"${sameAs !== undefined ? ` data-same-as="${esc(sameAs)}"` : ''} d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="${coord(s.width ?? 2.5)}" stroke-linejoin="round" stroke-linecap="round"${dash}><title>${esc(label)}</title></path>`,
    )
    if (s.points.length === 1) {
      const p = at(s.points, 0)
      parts.push(
        `<circle class="series-point" cx="${coord(sx(p.x))}" cy="${coord(sy(p.y))}" r="4" fill="${esc(s.color)}"><title>${esc(label)}</title></circle>`,
      )
    }
  })
  parts.push('</g>')
  if (drawn.length === 0) {
    parts.push(
      `<text class="empty" x="${coord((plot.x0 + plot.x1) / 2)}" y="${coord((plot.y0 + plot.y1) / 2)}" text-anchor="middle">${esc(spec.emptyText ?? 'No data')}</text>`,
    )
  }
  parts.push('</svg>')
  return parts.join('')
}

/**
 * Reference lines, drawn under the data and labelled at the right end. A line above the axis
 * (the y axis is scaled to the data, not to a far-away quota) becomes a label at the top edge
 * saying where it is, instead of squashing the data against the bottom.
 */
function refLines(lines: readonly RefLine[], g: Geometry): string {
  const out: string[] = []
  const { plot, sy } = g
  for (const r of lines) {
    if (!isFiniteNumber(r.y)) continue
    const color = r.color ?? '#b00020'
    const start = r.labelAt === 'start'
    const lx = coord(start ? plot.x0 + 4 : plot.x1 - 4)
    const anchor = start ? 'start' : 'end'
    if (r.y > sy.domain[1] * (1 + 1e-9)) {
      out.push(
        `<g class="ref-line ref-above" data-value="${coord(r.y)}"><text class="ref-label" x="${lx}" y="${coord(plot.y1 + 14)}" text-anchor="${anchor}" fill="${esc(color)}">\u2191 ${esc(r.label)} (above the chart)</text></g>`,
      )
      continue
    }
    const y = sy(r.y)
    out.push(
      `<g class="ref-line" data-value="${coord(r.y)}"><line x1="${plot.x0}" x2="${plot.x1}" y1="${coord(y)}" y2="${coord(y)}" stroke="${esc(color)}" stroke-width="2" stroke-dasharray="8 4"/>` +
        `<text class="ref-label" x="${lx}" y="${coord(y - 6)}" text-anchor="${anchor}" fill="${esc(color)}">${esc(r.label)}</text></g>`,
    )
  }
  return out.join('')
}

function axes(
  plot: { x0: number; x1: number; y0: number; y1: number },
  sx: Scale,
  sy: Scale,
  xLabel: string,
  yLabel: string,
  width: number,
  height: number,
): string {
  const out: string[] = ['<g class="axis">']
  out.push(`<line class="axis-line" x1="${plot.x0}" x2="${plot.x1}" y1="${plot.y0}" y2="${plot.y0}"/>`)
  out.push(`<line class="axis-line" x1="${plot.x0}" x2="${plot.x0}" y1="${plot.y0}" y2="${plot.y1}"/>`)
  out.push(
    xTickLabels(
      sx.ticks.map((t) => ({ x: sx(t.value), label: t.label })),
      plot.y0 + 8,
      width,
    ),
  )
  for (const t of sy.ticks)
    out.push(
      `<text class="tick tick-y" x="${coord(plot.x0 - 8)}" y="${coord(sy(t.value))}" text-anchor="end" dominant-baseline="middle">${esc(t.label)}</text>`,
    )
  out.push(
    `<text class="axis-label axis-label-x" x="${coord((plot.x0 + plot.x1) / 2)}" y="${coord(height - 8)}" text-anchor="middle">${esc(xLabel)}</text>`,
  )
  out.push(
    `<text class="axis-label axis-label-y" transform="translate(4 ${coord((plot.y0 + plot.y1) / 2)}) rotate(-90)" text-anchor="middle" dominant-baseline="hanging">${esc(yLabel)}</text>`,
  )
  out.push('</g>')
  return out.join('')
}

/**
 * x-axis tick labels: centred under their tick, kept inside the viewBox (start/end-anchored at
 * the edges), and thinned so no two overlap (a label that would touch the previous one is left
 * out; its grid line stays).
 */
function xTickLabels(ticks: readonly { x: number; label: string }[], y: number, width: number): string {
  const out: string[] = []
  let lastRight = -Infinity
  for (const t of ticks) {
    const w = textWidth(t.label)
    let left = t.x - w / 2
    let anchor = 'middle'
    let ax = t.x
    if (left < 2) {
      left = 2
      anchor = 'start'
      ax = 2
    } else if (t.x + w / 2 > width - 2) {
      left = width - 2 - w
      anchor = 'end'
      ax = width - 2
    }
    if (left < lastRight + 6) continue
    lastRight = left + w
    out.push(
      `<text class="tick tick-x" x="${coord(ax)}" y="${coord(y)}" text-anchor="${anchor}" dominant-baseline="hanging">${esc(t.label)}</text>`,
    )
  }
  return out.join('')
}

/** Renders a horizontal stacked bar chart (one bar per category, its name and total above it). */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 640
  const rowHeight = 50
  const top = 10
  const left = 12
  const right = 22
  const axisHeight = 64
  const n = spec.categories.length
  const height = top + Math.max(1, n) * rowHeight + axisHeight
  const totals = spec.categories.map((_, i) =>
    spec.segments.reduce((sum, s) => sum + Math.max(0, finite(s.values[i])), 0),
  )
  const plotBottom = top + Math.max(1, n) * rowHeight
  const sx = makeScale(
    { label: spec.xLabel, min: 0, ...(spec.tickFormat !== undefined ? { format: spec.tickFormat } : {}) },
    [0, ...totals],
    [left, width - right],
  )
  const parts: string[] = [svgOpen(spec.id, width, height, spec.title, spec.description, 'bar')]
  parts.push('<g class="grid" aria-hidden="true">')
  for (const t of sx.ticks)
    parts.push(`<line x1="${coord(sx(t.value))}" x2="${coord(sx(t.value))}" y1="${top}" y2="${plotBottom}"/>`)
  parts.push('</g>')
  spec.categories.forEach((cat, i) => {
    const y = top + i * rowHeight
    const total = totals[i] ?? 0
    parts.push(`<g class="bar" data-category="${esc(cat)}" data-total="${coord(total)}">`)
    parts.push(
      `<text class="bar-label" x="${left}" y="${coord(y + 16)}">${esc(cat)}: ${esc(spec.formatTotal(total))}</text>`,
    )
    let acc = 0
    for (const s of spec.segments) {
      const v = Math.max(0, finite(s.values[i]))
      if (v <= 0) continue
      const x0 = sx(acc)
      const x1 = sx(acc + v)
      acc += v
      // At least one unit wide, so a tiny but non-zero value stays visible.
      parts.push(
        `<rect class="bar-segment" data-segment="${esc(s.name)}" data-value="${coord(v)}" x="${coord(x0)}" y="${coord(y + 24)}" width="${coord(Math.max(1, x1 - x0))}" height="18" fill="${esc(s.color)}"><title>${esc(`${cat}, ${s.name}: ${spec.formatTotal(v)}`)}</title></rect>`,
      )
    }
    parts.push('</g>')
  })
  if (n === 0)
    parts.push(
      `<text class="empty" x="${coord(width / 2)}" y="${coord(top + rowHeight / 2)}" text-anchor="middle">No data</text>`,
    )
  parts.push('<g class="axis">')
  parts.push(
    `<line class="axis-line" x1="${left}" x2="${coord(width - right)}" y1="${plotBottom}" y2="${plotBottom}"/>`,
  )
  parts.push(
    xTickLabels(
      sx.ticks.map((t) => ({ x: sx(t.value), label: t.label })),
      plotBottom + 8,
      width,
    ),
  )
  parts.push(
    `<text class="axis-label axis-label-x" x="${coord((left + width - right) / 2)}" y="${coord(height - 8)}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
  )
  parts.push('</g></svg>')
  return parts.join('')
}

function finite(x: number | undefined): number {
  return isFiniteNumber(x) ? x : 0
}
