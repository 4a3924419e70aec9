/**
 * The tables both reports print, as plain text cells (each renderer escapes them for its
 * format): the side-by-side variant comparison, the quota pools, KMS calls by operation, and
 * the thresholds.
 */
import type { RunSummary, VariantSummary } from '../load/index.ts'
import { busiestPool, mitigationLabel, multiScope, poolLabel } from './facts.ts'
import {
  fmtBytes,
  fmtInt,
  fmtLimit,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtRate,
  fmtSeconds,
  fmtUsd,
  isUnbounded,
  MISSING,
  safeDiv,
} from './format.ts'
import { describeExposure } from './rank.ts'
import { costAtFullService, lossCauses, lostRequests, servedLatency, timeToFailure } from './service.ts'

/** A table: header cells and rows of text cells; `numeric[i]` right-aligns column i. */
export interface TextTable {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
  readonly numeric: readonly boolean[]
}

/** A row of the comparison: a metric and its value for each variant. */
export interface ComparisonRow {
  readonly label: string
  /** what the metric means (a tooltip / footnote) */
  readonly help: string
  readonly values: readonly string[]
  /** prose rather than a number: left-aligned and wrapped */
  readonly text?: boolean
}

function served(v: VariantSummary, f: 'p50' | 'p90' | 'p99' | 'p999' | 'max'): string {
  return v.completed.succeeded > 0 ? fmtMs(servedLatency(v)[f]) : MISSING
}

function countAndPct(count: number, of: number): string {
  return count === 0 ? '0' : `${fmtInt(count)} (${fmtPct(safeDiv(count, of))})`
}

/** The side-by-side comparison of variants: one row per metric, one column per variant. */
export function comparisonRows(variants: readonly VariantSummary[]): ComparisonRow[] {
  const row = (label: string, help: string, f: (v: VariantSummary) => string, text = false): ComparisonRow => ({
    label,
    help,
    values: variants.map(f),
    ...(text ? { text } : {}),
  })
  return [
    row('Mitigations', 'what this variant changes', (v) => mitigationLabel(v), true),
    row(
      'Offered',
      'application requests scheduled (rate)',
      (v) => `${fmtInt(v.offered.requests)} (${fmtRate(v.offered.ratePerSecond)})`,
    ),
    row(
      'Achieved',
      'application requests actually sent (rate); late: sent after the lateness tolerance (real-time runs)',
      (v) =>
        `${fmtInt(v.achieved.requests)} (${fmtRate(v.achieved.ratePerSecond)})${v.achieved.late !== undefined && v.achieved.late > 0 ? `, ${fmtInt(v.achieved.late)} late` : ''}`,
    ),
    row('Succeeded', 'application requests that completed successfully', (v) =>
      countAndPct(v.completed.succeeded, v.offered.requests),
    ),
    row('Lost requests', 'requests not served: throttled + failed + timed out + dropped (share of offered)', (v) =>
      countAndPct(lostRequests(v), v.offered.requests),
    ),
    row('Throttled requests', 'application requests that ended in ThrottlingException (share of offered)', (v) =>
      countAndPct(v.completed.throttled, v.offered.requests),
    ),
    row('Timed out', 'requests stopped at their deadline (their retries and waits ended there)', (v) =>
      countAndPct(v.completed.timedOut, v.offered.requests),
    ),
    row(
      'Failed / dropped',
      'requests that failed otherwise / could not be sent on time',
      (v) => `${fmtInt(v.completed.failed)} / ${fmtInt(v.completed.dropped)}`,
    ),
    row(
      'Causes',
      'why requests were lost, biggest first, by AWS error code',
      (v) => lossCauses(v).join('; ') || 'none',
      true,
    ),
    row('KMS calls', 'KMS API calls made, all attempts', (v) => fmtInt(v.kms.calls)),
    row('KMS calls per request', 'KMS calls per offered application request', (v) => fmtNum(v.kms.callsPerRequest)),
    row('Throttled KMS calls', 'KMS calls answered with ThrottlingException (share of calls)', (v) =>
      countAndPct(v.kms.throttled, v.kms.calls),
    ),
    row('Retries', 'KMS-call retries made by the client retry strategy', (v) => fmtInt(v.retries)),
    row('p50 (succeeded)', 'latency of succeeded requests from the intended send time, 50th percentile', (v) =>
      served(v, 'p50'),
    ),
    row('p90 (succeeded)', '90th percentile of succeeded requests', (v) => served(v, 'p90')),
    row('p99 (succeeded)', '99th percentile of succeeded requests', (v) => served(v, 'p99')),
    row('p99.9 (succeeded)', '99.9th percentile of succeeded requests', (v) => served(v, 'p999')),
    row('max (succeeded)', 'slowest succeeded request', (v) => served(v, 'max')),
    row(
      'Time to failure',
      'how long lost requests took to fail, from the intended send time, per outcome',
      (v) => timeToFailure(v) || MISSING,
      true,
    ),
    row('Busiest quota pool', 'peak calls/s against the limit of the pool closest to (or over) its limit', (v) => {
      const q = busiestPool(v)
      return q === undefined
        ? 'none used'
        : isUnbounded(q.limit)
          ? `${q.pool}: no limit`
          : `${q.pool}: ${fmtPct(q.utilization, 0)} of ${fmtRate(q.limit)}`
    }),
    row('Cost per month', "KMS requests + keys billed, extrapolated to a 730-hour month at this run's rate", (v) =>
      fmtUsd(v.costUsd.monthly.total),
    ),
    ...(variants.some((v) => v.dynamodb !== undefined)
      ? [
          row('DynamoDB per month', 'DynamoDB reads a mitigation makes (branch key store), on-demand prices', (v) =>
            v.dynamodb !== undefined ? fmtUsd(v.dynamodb.costUsd.monthly) : MISSING,
          ),
        ]
      : []),
    row(
      'Cost per month at full service',
      'every offered request priced at this variant’s cost per succeeded request, plus keys (730-hour month)',
      (v) => fmtUsd(costAtFullService(v)),
    ),
    row('Cost of this run', 'KMS requests + keys for the run itself (a scale model: as it ran)', (v) =>
      fmtUsd(v.asRun?.costUsd.total ?? v.costUsd.total),
    ),
    row('Messages per data key', 'most messages one data key protected (1 without caching)', (v) =>
      fmtInt(v.exposure.maxMessagesPerDataKey),
    ),
    row('Bytes per data key', 'most bytes one data key protected', (v) =>
      v.exposure.maxBytesPerDataKey > 0 ? fmtBytes(v.exposure.maxBytesPerDataKey) : MISSING,
    ),
    row('Data key lifetime', 'longest time one data key was in use', (v) =>
      v.exposure.maxSecondsPerDataKey > 0 ? fmtSeconds(v.exposure.maxSecondsPerDataKey) : MISSING,
    ),
    row(
      'Security exposure',
      'what the mitigation widens, in words',
      (v) => describeExposure(v) || 'one data key per message',
      true,
    ),
  ]
}

/** Quota pools of every variant: limit, peak, utilisation, throttled seconds and calls. */
export function quotaTable(summary: RunSummary): TextTable {
  const scoped = multiScope(summary)
  const rows: string[][] = []
  for (const v of summary.variants) {
    for (const q of v.quota) {
      rows.push([
        v.name,
        poolLabel(q, scoped),
        fmtLimit(q.limit, '/s'),
        fmtRate(q.peakPerSecond),
        fmtPct(q.utilization, 0),
        fmtInt(q.throttledSeconds),
        fmtInt(q.accepted),
        fmtInt(q.throttled),
      ])
    }
  }
  return {
    header: [
      'Variant',
      'Pool',
      'Limit',
      'Peak',
      'Utilisation',
      'Throttled seconds',
      'Accepted calls',
      'Throttled calls',
    ],
    rows,
    numeric: [false, false, true, true, true, true, true, true],
  }
}

/** The host groups of a mixed fleet, per variant: what each group's hosts completed and how fast. */
export function groupsTable(summary: RunSummary): TextTable {
  const rows: string[][] = []
  for (const v of summary.variants)
    for (const g of v.groups ?? [])
      rows.push([
        v.name,
        g.name,
        fmtInt(g.hosts),
        fmtInt(g.requests),
        countAndPct(g.completed.succeeded, g.requests),
        countAndPct(g.completed.throttled, g.requests),
        fmtInt(g.completed.failed + g.completed.timedOut),
        g.completed.succeeded > 0 ? fmtMs(g.latencyMs.p50) : MISSING,
        g.completed.succeeded > 0 ? fmtMs(g.latencyMs.p99) : MISSING,
      ])
  return {
    header: [
      'Variant',
      'Group',
      'Hosts',
      'Requests',
      'Succeeded',
      'Throttled',
      'Failed / timed out',
      'p50 (succeeded)',
      'p99 (succeeded)',
    ],
    rows,
    numeric: [false, false, true, true, true, true, true, true, true],
  }
}

/** KMS calls by operation and variant. */
export function operationsTable(summary: RunSummary): TextTable {
  const rows: string[][] = []
  for (const v of summary.variants) {
    const ops = Object.entries(v.kms.byOperation).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    for (const [op, c] of ops) rows.push([v.name, op, fmtInt(c.calls), fmtInt(c.throttled), fmtInt(c.failed)])
  }
  return {
    header: ['Variant', 'Operation', 'Calls', 'Throttled', 'Failed'],
    rows,
    numeric: [false, false, true, true, true],
  }
}

/** The thresholds (gates) and their results. */
export function thresholdsTable(summary: RunSummary): TextTable {
  return {
    header: ['Result', 'Variant', 'Threshold', 'Actual'],
    rows: summary.thresholds.map((t) => [t.passed ? 'pass' : 'FAIL', t.variant, t.expression, fmtNum(t.actual, 6)]),
    numeric: [false, false, false, true],
  }
}
