/**
 * Reads a rate trace from CSV, for replaying production traffic. Accepted shapes:
 *
 * - the CloudWatch shape: a timestamp column (ISO 8601 or epoch seconds/ms; any order, e.g.
 *   GetMetricData's newest-first) and a value column (`Value`, `Sum`, `SampleCount`, or the
 *   one named by `column`). KMS usage metrics (AWS/Usage `CallCount`) are published per
 *   minute at best, so each value is a *sum per period* by default, spread evenly over the
 *   period's seconds; `values: 'rate'` reads them as requests per second instead;
 * - a single column of per-second rates (with or without a header).
 *
 * Gaps between timestamps count as zero traffic.
 */
import { at, splitCsvLine } from '../../util/index.ts'

/** Options of {@link parseRateTrace}. */
export interface RateTraceOptions {
  /** name of the value column. @default the first of Value, Sum, SampleCount, Average, or the last column */
  column?: string
  /** `sum` per period (CloudWatch Sum) or `rate` (requests/s). @default 'sum' */
  values?: 'sum' | 'rate'
}

/** Why a trace could not be read. */
export class RateTraceError extends Error {
  override readonly name = 'RateTraceError'
}

/** Parses CSV text into requests per second, one entry per second. */
export function parseRateTrace(csv: string, options: RateTraceOptions = {}, source = 'trace'): number[] {
  const lines = csv
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  if (lines.length === 0) throw new RateTraceError(`${source}: is empty`)
  const rows = lines.map((l) => splitCsvLine(l).map((f) => f.trim()))
  const first = at(rows, 0)
  const hasHeader = first.some((c) => c !== '' && !Number.isFinite(Number(c)) && Number.isNaN(Date.parse(c)))
  const header = hasHeader ? first.map((c) => c.trim()) : undefined
  const data = hasHeader ? rows.slice(1) : rows
  if (data.length === 0) throw new RateTraceError(`${source}: has a header but no rows`)
  const width = at(data, 0).length

  if (width === 1) {
    return data.map((r, i) => finiteRate(r[0], `${source}: row ${i + 1 + (hasHeader ? 1 : 0)}`))
  }

  const timeIndex = header !== undefined ? header.findIndex((h) => /time|date/i.test(h)) : 0
  if (timeIndex < 0) throw new RateTraceError(`${source}: no timestamp column (a header containing "time" or "date")`)
  let valueIndex: number
  if (options.column !== undefined) {
    valueIndex = header?.indexOf(options.column) ?? -1
    if (valueIndex < 0)
      throw new RateTraceError(
        `${source}: no column named '${options.column}' (columns: ${header?.join(', ') ?? 'none'})`,
      )
  } else {
    valueIndex =
      header !== undefined
        ? (['Value', 'Sum', 'SampleCount', 'Average'].map((n) => header.indexOf(n)).find((i) => i >= 0) ?? width - 1)
        : width - 1
    if (valueIndex === timeIndex) valueIndex = timeIndex === 0 ? 1 : 0
  }

  const points = data.map((r, i) => {
    const line = i + 1 + (hasHeader ? 1 : 0)
    return {
      t: parseTime(r[timeIndex] ?? '', `${source}: row ${line}`),
      v: finiteRate(r[valueIndex], `${source}: row ${line}`),
    }
  })
  points.sort((a, b) => a.t - b.t)
  const t0 = (points[0] as { t: number }).t
  let period = Infinity
  for (let i = 1; i < points.length; i++) {
    const d = (points[i] as { t: number }).t - (points[i - 1] as { t: number }).t
    if (d === 0)
      throw new RateTraceError(
        `${source}: two rows share the timestamp ${new Date((points[i] as { t: number }).t * 1000).toISOString()}`,
      )
    period = Math.min(period, d)
  }
  if (!Number.isFinite(period)) period = 1
  if (period < 1 || !Number.isInteger(period))
    throw new RateTraceError(`${source}: timestamps must be whole seconds apart (smallest gap ${period}s)`)
  const last = points[points.length - 1] as { t: number }
  const seconds = last.t - t0 + period
  const rates = new Array<number>(seconds).fill(0)
  const perSecond = options.values === 'rate' ? (v: number): number => v : (v: number): number => v / period
  for (const p of points) {
    const start = p.t - t0
    for (let s = 0; s < period; s++) rates[start + s] = perSecond(p.v)
  }
  return rates
}

function finiteRate(text: string | undefined, where: string): number {
  const v = Number(text)
  if (text === undefined || text === '' || !Number.isFinite(v) || v < 0)
    throw new RateTraceError(`${where}: '${text ?? ''}' is not a non-negative number`)
  return v
}

/** Epoch seconds of an ISO 8601 time or an epoch number (seconds, or ms when > 1e11). */
function parseTime(text: string, where: string): number {
  const n = Number(text)
  if (text !== '' && Number.isFinite(n)) return Math.round(n > 1e11 ? n / 1000 : n)
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new RateTraceError(`${where}: '${text}' is not a timestamp`)
  return Math.round(ms / 1000)
}
