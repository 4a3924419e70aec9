/**
 * `timeline.csv`: one row per variant × second, with a header row, quoted as RFC 4180 says
 * (https://www.rfc-editor.org/rfc/rfc4180: CRLF line ends; a field holding a comma, a double
 * quote or a line break is enclosed in double quotes, and its quotes are doubled).
 */
import type { RunSummary } from '../load/index.ts'

/** Quotes one CSV field when RFC 4180 requires it. */
export function csvField(value: string | number): string {
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** One CSV record (no line end). */
export function csvRecord(fields: readonly (string | number)[]): string {
  return fields.map(csvField).join(',')
}

/**
 * Renders `timeline.csv`. Fixed columns come first; then one `kms_calls:<Operation>` column per
 * operation, one `pool_accepted:<account/region/pool>` column per quota pool and (when the
 * summary has them) one `pool_throttled:<account/region/pool>` column per pool seen in any
 * variant (0 where a variant had none), so every row has the same columns.
 */
export function renderTimelineCsv(summary: RunSummary): string {
  const ops = new Set<string>()
  const pools = new Set<string>()
  const throttledPools = new Set<string>()
  for (const v of summary.variants) {
    for (const e of v.timeline) {
      for (const k of Object.keys(e.kmsByOperation)) ops.add(k)
      for (const k of Object.keys(e.poolAccepted)) pools.add(k)
      for (const k of Object.keys(e.poolThrottled ?? {})) throttledPools.add(k)
    }
  }
  const opCols = [...ops].sort()
  const poolCols = [...pools].sort()
  const throttledCols = [...throttledPools].sort()
  const header = [
    'variant',
    'second',
    'offered',
    'achieved',
    'late',
    'succeeded',
    'throttled',
    'failed',
    'timed_out',
    'dropped',
    'kms_calls',
    'kms_throttled',
    'p50_ms',
    'p99_ms',
    ...opCols.map((o) => `kms_calls:${o}`),
    ...poolCols.map((p) => `pool_accepted:${p}`),
    ...throttledCols.map((p) => `pool_throttled:${p}`),
  ]
  const lines = [csvRecord(header)]
  for (const v of summary.variants) {
    const entries = v.timeline.slice().sort((a, b) => a.second - b.second)
    for (const e of entries) {
      lines.push(
        csvRecord([
          v.name,
          e.second,
          e.offered,
          e.achieved,
          e.late ?? 0,
          e.succeeded,
          e.throttled,
          e.failed,
          e.timedOut ?? 0,
          e.dropped,
          e.kmsCalls,
          e.kmsThrottled,
          e.p50Ms,
          e.p99Ms,
          ...opCols.map((o) => e.kmsByOperation[o] ?? 0),
          ...poolCols.map((p) => e.poolAccepted[p] ?? 0),
          ...throttledCols.map((p) => e.poolThrottled?.[p] ?? 0),
        ]),
      )
    }
  }
  return `${lines.join('\r\n')}\r\n`
}
