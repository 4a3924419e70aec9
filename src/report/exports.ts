/**
 * Exports for continuous-benchmarking trackers, so a run's numbers can be charted across
 * commits:
 * - Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format/): an
 *   object of benchmarks, each an object of measures, each `{ value, lower_value?, upper_value? }`.
 *   Benchmarks are `<scenario>/<variant>`; measures are named with their unit because a
 *   measure Bencher creates from a name has no unit of its own (its built-in `latency` is in
 *   nanoseconds, so it is not reused for milliseconds).
 * - github-action-benchmark's `customSmallerIsBetter` tool
 *   (https://github.com/benchmark-action/github-action-benchmark): an array of
 *   `{ name, unit, value, range?, extra? }`; every metric exported there is one where smaller
 *   is better.
 */
import type { RunSummary, VariantSummary } from '../load/index.ts'
import { fmtInt, fmtNum, fmtPct, fmtRate, safeDiv } from './format.ts'
import { incompleteRequests } from './rank.ts'
import { lossCauses, lostShare } from './service.ts'

/** One Bencher metric. */
export interface BencherMetric {
  readonly value: number
  readonly lower_value?: number
  readonly upper_value?: number
}

/** Bencher Metric Format: benchmark → measure → metric. */
export type BencherMetricFormat = Record<string, Record<string, BencherMetric>>

/** One github-action-benchmark entry. */
export interface CustomBenchmarkEntry {
  readonly name: string
  readonly unit: string
  readonly value: number
  readonly range?: string
  readonly extra?: string
}

/** Zero for a value that is not finite: tracker formats require numbers, and JSON has no NaN. */
function num(x: number): number {
  return Number.isFinite(x) ? x : 0
}

function benchmarkName(summary: RunSummary, v: VariantSummary): string {
  return `${summary.scenario}/${v.name}`
}

/** Builds the Bencher Metric Format object of a run. */
export function bencherMetrics(summary: RunSummary): BencherMetricFormat {
  const out: BencherMetricFormat = {}
  for (const v of summary.variants) {
    out[benchmarkName(summary, v)] = {
      'latency-p50-ms': { value: num(v.latencyMs.p50) },
      // No lower/upper values: BMF means them as bounds of the measurement (a confidence
      // interval), which a single run's percentile does not have.
      'latency-p99-ms': { value: num(v.latencyMs.p99) },
      'latency-p99.9-ms': { value: num(v.latencyMs.p999) },
      'latency-max-ms': { value: num(v.latencyMs.max) },
      'kms-calls': { value: num(v.kms.calls) },
      'kms-calls-per-request': { value: num(v.kms.callsPerRequest) },
      'kms-throttled-calls': { value: num(v.kms.throttled) },
      'throttled-requests-percent': { value: num(v.throttleRate * 100) },
      'incomplete-requests': { value: incompleteRequests(v) },
      'lost-requests-percent': { value: num(lostShare(v) * 100) },
      'timed-out-requests': { value: num(v.completed.timedOut) },
      retries: { value: num(v.retries) },
      'achieved-requests-per-second': { value: num(v.achieved.ratePerSecond) },
      'cost-usd-per-month': { value: num(v.costUsd.monthly.total) },
    }
  }
  return out
}

/** Renders `bencher.json` (Bencher Metric Format). */
export function renderBencherJson(summary: RunSummary): string {
  return `${JSON.stringify(bencherMetrics(summary), null, 2)}\n`
}

/** Builds github-action-benchmark `customSmallerIsBetter` entries of a run. */
export function customSmallerIsBetter(summary: RunSummary): CustomBenchmarkEntry[] {
  const out: CustomBenchmarkEntry[] = []
  for (const v of summary.variants) {
    const base = benchmarkName(summary, v)
    const lost = lossCauses(v).join(', ')
    const extra = `offered ${fmtInt(v.offered.requests)} requests at ${fmtRate(v.offered.ratePerSecond)}; ${fmtPct(lostShare(v))} lost${lost !== '' ? ` (${lost})` : ''}; ${fmtPct(safeDiv(v.completed.throttled, v.offered.requests))} throttled; ${fmtNum(v.kms.callsPerRequest)} KMS calls per request; ${summary.clock} clock, seed ${summary.seed}`
    out.push(
      { name: `${base} p50 latency`, unit: 'ms', value: num(v.latencyMs.p50), extra },
      // No `range`: the tool means it as the variance of repeated measurements, which one run lacks.
      { name: `${base} p99 latency`, unit: 'ms', value: num(v.latencyMs.p99), extra },
      { name: `${base} KMS calls per request`, unit: 'calls/request', value: num(v.kms.callsPerRequest), extra },
      { name: `${base} throttled KMS calls`, unit: 'calls', value: num(v.kms.throttled), extra },
      { name: `${base} throttled requests`, unit: '%', value: num(v.throttleRate * 100), extra },
      { name: `${base} lost requests`, unit: '%', value: num(lostShare(v) * 100), extra },
      { name: `${base} monthly cost`, unit: 'USD/month', value: num(v.costUsd.monthly.total), extra },
    )
  }
  return out
}

/** Renders `github-action-benchmark.json` (`customSmallerIsBetter`). */
export function renderCustomSmallerIsBetterJson(summary: RunSummary): string {
  return `${JSON.stringify(customSmallerIsBetter(summary), null, 2)}\n`
}
