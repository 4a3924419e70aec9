/**
 * The CLI side of thresholds (gates): `--threshold EXPR` arguments, the thresholds of a run
 * (the scenario's plus the command line's), the lines `run` prints about them, and the
 * result of a repeated run (`run --runs N`). Bad expressions, unknown metrics and unknown
 * variants are usage errors (exit 2) that name the expression.
 */
import {
  checkThresholdVariants,
  parseCompareRule,
  parseThreshold,
  scenarioThresholds,
  ThresholdError,
  type CompareRule,
  type Threshold,
  type RepetitionVariant,
  type RunSummary,
  type ThresholdResult,
  type VariantSummary,
} from '../load/index.ts'
import { usageError } from './cli-error.ts'

/** Parses repeated `--threshold` values; each bad one is a usage error naming it. */
export function parseThresholdArgs(texts: readonly string[] | undefined): Threshold[] {
  return parseEach(
    texts,
    parseThreshold,
    "write METRIC OP NUMBER, optionally prefixed by a variant: 'throttleRate < 0.001', 'cached: latencyMs.p99 <= 50'",
  )
}

/** Parses repeated `compare --threshold` values (absolute or relative forms). */
export function parseCompareArgs(texts: readonly string[] | undefined): CompareRule[] {
  return parseEach(
    texts,
    parseCompareRule,
    'write METRIC +10% (a rise beyond 10 % fails), METRIC -10% (a drop), METRIC +1 (an amount), or METRIC OP NUMBER',
  )
}

function parseEach<T>(texts: readonly string[] | undefined, parse: (text: string) => T, hint: string): T[] {
  return (texts ?? []).map((t) => {
    try {
      return parse(t)
    } catch (e) {
      if (e instanceof ThresholdError) throw usageError(`--threshold: ${e.message}`, hint)
      throw e
    }
  })
}

/**
 * The thresholds of a run: the scenario's, then the command line's. A threshold naming a
 * variant the run does not include is a usage error.
 */
export function runThresholds(
  scenario: Parameters<typeof scenarioThresholds>[0],
  cli: readonly Threshold[],
  runVariants: readonly string[],
): Threshold[] {
  // A scenario threshold on a variant left out by --variant has nothing to gate: skip it.
  const own = scenarioThresholds(scenario).filter((t) => t.variant === undefined || runVariants.includes(t.variant))
  try {
    checkThresholdVariants(cli, runVariants)
  } catch (e) {
    if (e instanceof ThresholdError) throw usageError(`--threshold: ${e.message}`)
    throw e
  }
  return [...own, ...cli]
}

/** Lines describing threshold results: failures first, each with the actual value. */
export function thresholdLines(results: readonly ThresholdResult[]): string[] {
  if (results.length === 0) return []
  const failed = results.filter((r) => !r.passed)
  const lines = [
    failed.length === 0
      ? `thresholds: all ${results.length} passed`
      : `thresholds: ${failed.length} of ${results.length} FAILED`,
  ]
  for (const r of failed) lines.push(`  FAIL ${r.variant}: ${r.expression} (actual ${fmt(r.actual)})`)
  return lines
}

function fmt(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(6)).toString()
}

/** A variant summary without its histograms and timeline (one repetition's record). */
export function repetitionVariant(v: VariantSummary): RepetitionVariant {
  const { histogram: _h, serviceTimeHistogram: _s, timeline: _t, ...rest } = v
  return rest
}

/**
 * Combines the results of a repeated run: the median repetition (by the first variant's p99;
 * the lower median for an even count) gives the top-level figures and reports; `runs` keeps
 * every repetition's figures for `kms-bench compare`'s statistical test.
 */
export function withRepetitions(results: readonly RunSummary[]): RunSummary {
  const first = results[0]
  if (first === undefined) throw new RangeError('withRepetitions needs at least one result')
  const p99 = (s: RunSummary): number => s.variants[0]?.latencyMs.p99 ?? 0
  const order = results.map((s, i) => ({ s, i })).sort((a, b) => p99(a.s) - p99(b.s) || a.i - b.i)
  const median = order[Math.floor((order.length - 1) / 2)] as { s: RunSummary; i: number }
  const runs = results.map((s, i) => ({
    index: i + 1,
    startedAt: s.startedAt,
    durationSeconds: s.durationSeconds,
    complete: s.complete,
    variants: s.variants.map(repetitionVariant),
  }))
  return {
    ...median.s,
    complete: results.every((s) => s.complete),
    assumptions: [
      ...median.s.assumptions,
      `Repeated ${results.length} times; the figures and reports shown are those of run ${median.i + 1}, the median by ${first.variants[0]?.name ?? 'the first variant'}'s p99; every run's figures are in \`runs\`.`,
    ],
    runs,
  }
}
