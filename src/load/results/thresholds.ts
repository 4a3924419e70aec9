/**
 * Thresholds (gates) over a variant's figures, as scenario files and the CLI write them:
 *
 * ```
 * throttleRate < 0.001            every variant: under 0.1 % of requests throttled
 * latencyMs.p99 < 50              p99 from the intended send time, in ms
 * cached: kms.callsPerRequest <= 0.02   only the variant named `cached`
 * quota[symmetric].utilization < 0.8    the symmetric pool's peak second under 80 % of its quota
 * ```
 *
 * Grammar: `[VARIANT ':'] METRIC OP NUMBER`, OP one of `< <= > >= == !=`, NUMBER a decimal
 * (`0.001`, `1e-3`, `10_000`) or a percentage (`0.1%` = 0.001). METRIC is a numeric path of
 * the variant summary (`summary.json` → `variants[]`, see {@link METRICS}), a per-operation
 * counter (`kms.byOperation.Encrypt.calls`), a quota pool figure (`quota[symmetric].peakPerSecond`)
 * or a derived figure (`throughput`, `incompleteRate`, `quota.maxUtilization`). Counters of
 * things that did not happen (an operation never called, a pool never used) read as 0.
 *
 * `kms-bench compare` also takes the relative forms of {@link parseCompareRule}
 * (`latencyMs.p99 +10%`: fail when p99 rises more than 10 % over the baseline).
 *
 * Pure: no I/O. Lives in `load/` because scenario files are validated with it.
 */
import { OPERATION_NAMES } from '../../kms/index.ts'
import { closestName } from '../../suggest.ts'
import type { RunSummary, ThresholdResult, VariantSummary } from './summary.ts'
import { at } from '../../util/index.ts'

/** A threshold (or compare rule) that cannot be parsed, or names an unknown metric or variant. */
export class ThresholdError extends Error {
  override readonly name = 'ThresholdError'
}

/** A comparison operator of a threshold. */
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!='

/**
 * What a metric is read from: a variant summary, or the lighter per-run record of a repeated
 * run (`summary.runs[].variants[]`), which keeps every figure but the histograms and timeline.
 */
export type MetricSource = Omit<VariantSummary, 'timeline' | 'histogram' | 'serviceTimeHistogram'>

/** Run-level facts some derived metrics need. */
export interface MetricContext {
  /** the run's duration in seconds (for `throughput`) */
  readonly durationSeconds: number
}

/** A metric a threshold can name. */
export interface Metric {
  /** the path as written (`latencyMs.p99`, `quota[symmetric].utilization`) */
  readonly path: string
  /** what it measures, with its unit */
  readonly description: string
  /** reads the metric; always a finite number */
  read(v: MetricSource, ctx: MetricContext): number
}

/** A parsed absolute threshold: `[variant:] metric op value`. */
export interface Threshold {
  /** the expression without its variant prefix, as written (trimmed) */
  readonly expression: string
  /** the variant it applies to; every variant when absent */
  readonly variant?: string
  readonly metric: Metric
  readonly operator: ComparisonOperator
  readonly value: number
  /** true when `actual` passes (`actual OP value` holds) */
  test(actual: number): boolean
}

const finite = (x: number | undefined): number => (x !== undefined && Number.isFinite(x) ? x : 0)
const div = (a: number, b: number): number => (b !== 0 && Number.isFinite(a / b) ? a / b : 0)

const LATENCY_FIELDS = ['p50', 'p90', 'p99', 'p999', 'max', 'mean', 'count'] as const
const OUTCOMES = ['succeeded', 'throttled', 'failed'] as const
const POOL_FIELDS = ['limit', 'accepted', 'throttled', 'peakPerSecond', 'utilization', 'throttledSeconds'] as const
type PoolField = (typeof POOL_FIELDS)[number]
const OP_FIELDS = ['calls', 'throttled', 'failed'] as const

type Reader = (v: MetricSource, ctx: MetricContext) => number

function table(): Map<string, { description: string; read: Reader }> {
  const m = new Map<string, { description: string; read: Reader }>()
  const add = (path: string, description: string, read: Reader): void => {
    m.set(path, { description, read: (v, ctx) => finite(read(v, ctx)) })
  }
  add('offered.requests', 'application requests scheduled', (v) => v.offered.requests)
  add('offered.ratePerSecond', 'application requests scheduled per second', (v) => v.offered.ratePerSecond)
  add('achieved.requests', 'application requests actually sent', (v) => v.achieved.requests)
  add('achieved.ratePerSecond', 'application requests sent per second', (v) => v.achieved.ratePerSecond)
  add('achieved.late', 'sends later than the lateness tolerance (real time)', (v) => v.achieved.late ?? 0)
  for (const f of ['succeeded', 'failed', 'dropped', 'throttled', 'timedOut'] as const)
    add(`completed.${f}`, `application requests ${f}`, (v) => v.completed[f] ?? 0)
  add('kms.calls', 'KMS calls, all attempts', (v) => v.kms.calls)
  add('kms.throttled', 'KMS calls answered with ThrottlingException', (v) => v.kms.throttled)
  add('kms.failed', 'KMS calls that failed otherwise', (v) => v.kms.failed)
  add('kms.callsPerRequest', 'KMS calls per offered application request', (v) => v.kms.callsPerRequest)
  add('retries', 'KMS-call retries made by the client', (v) => v.retries)
  add('throttleRate', 'throttled application requests / offered requests (0..1)', (v) => v.throttleRate)
  const lost = (v: MetricSource): number =>
    v.completed.throttled + v.completed.failed + (v.completed.timedOut ?? 0) + v.completed.dropped
  add('incompleteRate', 'lost (throttled + failed + timed out + dropped) requests / offered requests (0..1)', (v) =>
    div(lost(v), v.offered.requests),
  )
  add('lostRate', 'requests not served (throttled + failed + timed out + dropped) / offered requests (0..1)', (v) =>
    div(lost(v), v.offered.requests),
  )
  add(
    'costAtFullService',
    'monthly cost with every offered request priced at the cost per succeeded request (USD)',
    (v) =>
      v.completed.succeeded > 0
        ? v.costUsd.monthly.keys + (v.costUsd.monthly.requests * v.offered.requests) / v.completed.succeeded
        : v.costUsd.monthly.total,
  )
  add('throughput', 'application requests that succeeded, per second of the run', (v, ctx) =>
    div(v.completed.succeeded, ctx.durationSeconds),
  )
  for (const f of LATENCY_FIELDS) {
    const unit = f === 'count' ? 'samples' : 'ms'
    add(
      `latencyMs.${f}`,
      `latency of succeeded requests from the intended send time, ${f} (${unit})`,
      (v) => v.latencyMs[f],
    )
    add(`serviceTimeMs.${f}`, `service time from the actual send, ${f} (${unit})`, (v) => v.serviceTimeMs[f])
    add(
      `kmsCallLatency.latencyMs.${f}`,
      `latency of individual KMS calls, ${f} (${unit})`,
      (v) => v.kmsCallLatency.latencyMs[f],
    )
    for (const o of OUTCOMES)
      add(`outcomes.${o}.latencyMs.${f}`, `latency of ${o} requests, ${f} (${unit})`, (v) => v.outcomes[o].latencyMs[f])
  }
  for (const f of ['requests', 'keys', 'total'] as const) {
    add(`costUsd.${f}`, `cost of the run: ${f} (USD)`, (v) => v.costUsd[f])
    add(`costUsd.monthly.${f}`, `cost extrapolated to a month: ${f} (USD)`, (v) => v.costUsd.monthly[f])
  }
  add('costUsd.billedKeys', 'keys billed', (v) => v.costUsd.billedKeys)
  add(
    'dynamodb.costUsd.total',
    'DynamoDB requests a mitigation made, cost of the run (USD; 0 without any)',
    (v) => v.dynamodb?.costUsd.total ?? 0,
  )
  add(
    'dynamodb.costUsd.monthly',
    'DynamoDB reads a mitigation makes, per month at this rate (USD; 0 without any)',
    (v) => v.dynamodb?.costUsd.monthly ?? 0,
  )
  add(
    'dynamodb.getItem',
    'DynamoDB GetItem requests a mitigation made (0 without any)',
    (v) => v.dynamodb?.getItem ?? 0,
  )
  for (const f of [
    'maxMessagesPerDataKey',
    'maxBytesPerDataKey',
    'maxSecondsPerDataKey',
    'plaintextKeysInMemory',
    'principalsPerBucketKey',
  ] as const) {
    add(`exposure.${f}`, `security exposure: ${f}`, (v) => v.exposure[f])
  }
  add('quota.maxUtilization', 'highest utilisation of any quota pool (peak second / limit)', (v) =>
    Math.max(0, ...v.quota.map((q) => q.utilization)),
  )
  add('quota.throttledSeconds', 'seconds with a throttled call, summed over pools', (v) =>
    v.quota.reduce((a, q) => a + q.throttledSeconds, 0),
  )
  add('quota.throttled', 'calls throttled by any quota pool', (v) => v.quota.reduce((a, q) => a + q.throttled, 0))
  return m
}

/** Every fixed metric path, with its description (patterns: `kms.byOperation.OP.FIELD`, `quota[POOL].FIELD`). */
export const METRICS: ReadonlyMap<string, { readonly description: string; readonly read: Reader }> = table()

const POOL_PATH = /^quota\[([^\]\s]+)\]\.([A-Za-z]+)$/
const OP_PATH = /^kms\.byOperation\.([A-Za-z]+)\.([A-Za-z]+)$/

/** The metric a path names; throws {@link ThresholdError} naming the path (with a suggestion). */
export function resolveMetric(path: string): Metric {
  const fixed = METRICS.get(path)
  if (fixed !== undefined) return { path, description: fixed.description, read: fixed.read }
  const op = OP_PATH.exec(path)
  if (op !== null) {
    const [, name, field] = op as unknown as [string, string, string]
    if (!(OPERATION_NAMES as readonly string[]).includes(name)) {
      const hint = closestName(name, OPERATION_NAMES)
      throw new ThresholdError(
        `unknown metric '${path}': '${name}' is not a KMS operation${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`,
      )
    }
    if (!(OP_FIELDS as readonly string[]).includes(field))
      throw new ThresholdError(`unknown metric '${path}': kms.byOperation.${name} has ${OP_FIELDS.join(', ')}`)
    const f = field as (typeof OP_FIELDS)[number]
    return { path, description: `${name} calls: ${f}`, read: (v) => finite(v.kms.byOperation[name]?.[f]) }
  }
  const pool = POOL_PATH.exec(path)
  if (pool !== null) {
    const [, name, field] = pool as unknown as [string, string, string]
    if (!(POOL_FIELDS as readonly string[]).includes(field))
      throw new ThresholdError(`unknown metric '${path}': a quota pool has ${POOL_FIELDS.join(', ')}`)
    const f = field as PoolField
    // A pool name may cover several accounts and Regions: counts add up, rates and limits take the highest.
    const sum = f === 'accepted' || f === 'throttled' || f === 'throttledSeconds'
    return {
      path,
      description: `quota pool ${name}: ${f}`,
      read: (v) => {
        const values = v.quota
          .filter(
            (q) => q.pool === name || `${q.region}/${q.pool}` === name || `${q.account}/${q.region}/${q.pool}` === name,
          )
          .map((q) => q[f])
        return finite(sum ? values.reduce((a, b) => a + b, 0) : Math.max(0, ...values))
      },
    }
  }
  const hint = closestName(path, METRICS.keys())
  throw new ThresholdError(
    `unknown metric '${path}'${hint !== undefined ? ` (did you mean ${hint}?)` : ''}; metrics are numeric paths of a variant summary such as throttleRate, latencyMs.p99, kms.callsPerRequest, costUsd.monthly.total, completed.failed, throughput, kms.byOperation.Encrypt.calls, quota[symmetric].utilization`,
  )
}

/** Parses a number: `0.001`, `1e-3`, `10_000`, `-5`, or a percentage `0.1%` (= 0.001). */
export function parseThresholdNumber(text: string): number | undefined {
  const t = text.trim().replaceAll('_', '')
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(%?)$/.exec(t)
  if (m === null) return undefined
  const n = Number(m[1])
  if (!Number.isFinite(n)) return undefined
  return m[2] === '%' ? n / 100 : n
}

const VARIANT_PREFIX = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*:\s*([\s\S]*)$/
const ABSOLUTE = /^([^\s<>=!]+)\s*(<=|>=|==|!=|<|>)\s*(\S+)$/

function splitVariant(text: string): { variant?: string; body: string } {
  const t = text.trim()
  const m = VARIANT_PREFIX.exec(t)
  if (m === null) return { body: t }
  return { variant: at(m, 1), body: at(m, 2).trim() }
}

/**
 * Parses `[VARIANT:] METRIC OP NUMBER`. Throws {@link ThresholdError} naming the expression
 * and what is wrong with it.
 */
export function parseThreshold(text: string): Threshold {
  if (typeof text !== 'string' || text.trim() === '')
    throw new ThresholdError('empty threshold: write METRIC OP NUMBER, e.g. throttleRate < 0.001')
  const { variant, body } = splitVariant(text)
  const m = ABSOLUTE.exec(body)
  if (m === null) {
    if (/^[^\s<>=!]+\s*=\s*[^=]/.test(body))
      throw new ThresholdError(`threshold '${text.trim()}': '=' is not an operator (did you mean '=='?)`)
    throw new ThresholdError(
      `threshold '${text.trim()}' is not METRIC OP NUMBER (OP one of < <= > >= == !=), e.g. 'throttleRate < 0.001' or 'cached: latencyMs.p99 <= 50'`,
    )
  }
  const [, path, op, num] = m as unknown as [string, string, ComparisonOperator, string]
  const value = parseThresholdNumber(num)
  if (value === undefined)
    throw new ThresholdError(`threshold '${text.trim()}': '${num}' is not a number (write 0.001, 1e-3, 10_000 or 0.1%)`)
  let metric: Metric
  try {
    metric = resolveMetric(path)
  } catch (e) {
    throw new ThresholdError(`threshold '${text.trim()}': ${e instanceof Error ? e.message : String(e)}`)
  }
  return {
    expression: body,
    ...(variant !== undefined ? { variant } : {}),
    metric,
    operator: op,
    value,
    test: (actual) => holds(actual, op, value),
  }
}

/** True when `actual OP value` holds. */
export function holds(actual: number, operator: ComparisonOperator, value: number): boolean {
  switch (operator) {
    case '<':
      return actual < value
    case '<=':
      return actual <= value
    case '>':
      return actual > value
    case '>=':
      return actual >= value
    case '==':
      return actual === value
    case '!=':
      return actual !== value
  }
}

/**
 * Throws {@link ThresholdError} when a threshold names a variant that is not among `variants`
 * (the variants a run includes).
 */
export function checkThresholdVariants(thresholds: readonly Threshold[], variants: readonly string[]): void {
  for (const t of thresholds) {
    if (t.variant !== undefined && !variants.includes(t.variant)) {
      const hint = closestName(t.variant, variants)
      throw new ThresholdError(
        `threshold '${t.variant}: ${t.expression}' names variant '${t.variant}', which this run does not include (variants: ${variants.join(', ')})${hint !== undefined ? `; did you mean ${hint}?` : ''}`,
      )
    }
  }
}

/**
 * Evaluates thresholds against a run: one result per threshold and variant it applies to (a
 * threshold without a variant applies to every variant), in the order given.
 */
export function evaluateThresholds(
  summary: Pick<RunSummary, 'variants' | 'durationSeconds'>,
  thresholds: readonly Threshold[],
): ThresholdResult[] {
  checkThresholdVariants(
    thresholds,
    summary.variants.map((v) => v.name),
  )
  const ctx: MetricContext = { durationSeconds: summary.durationSeconds }
  const out: ThresholdResult[] = []
  for (const t of thresholds) {
    for (const v of summary.variants) {
      if (t.variant !== undefined && t.variant !== v.name) continue
      const actual = t.metric.read(v, ctx)
      out.push({ expression: t.expression, variant: v.name, actual, passed: t.test(actual) })
    }
  }
  return out
}

/** A relative bound of a compare rule: the change must exceed it for the rule to fail. */
export interface RelativeBound {
  /** `rise`: higher is worse (`+10%`); `drop`: lower is worse (`-10%`) */
  readonly direction: 'rise' | 'drop'
  /** fraction of the baseline (0.1 for `+10%`) */
  readonly fraction?: number
  /** in the metric's own unit (1 for `+1` on a latency in ms) */
  readonly amount?: number
}

/**
 * A `kms-bench compare` rule: either an absolute threshold on the current result, or a
 * relative bound against the baseline.
 */
export type CompareRule =
  | {
      readonly kind: 'absolute'
      readonly text: string
      readonly variant?: string
      readonly metric: Metric
      readonly threshold: Threshold
    }
  | {
      readonly kind: 'relative'
      readonly text: string
      readonly variant?: string
      readonly metric: Metric
      readonly bound: RelativeBound
    }

const RELATIVE = /^([^\s<>=!+]+)\s*([+-][^\s]+)(?:\s+([+-][^\s]+))?$/

/**
 * Parses a compare rule. Besides the absolute form of {@link parseThreshold}, the relative
 * forms fail when the current result is worse than the baseline by more than the bound:
 *
 * - `METRIC +10%`: fails when the metric rises more than 10 % above the baseline (`+0%`: fails on every rise);
 * - `METRIC -10%`: fails when it drops more than 10 % below (for higher-is-better metrics
 *   such as `throughput`);
 * - `METRIC +1`: fails when it rises by more than 1 in its own unit (1 ms for a latency);
 * - `METRIC +10% +1`: fails only when the change exceeds both (a relative change with an
 *   absolute floor, so tiny values do not fail on tiny moves).
 *
 * With a baseline of 0, any rise exceeds a relative bound.
 */
export function parseCompareRule(text: string): CompareRule {
  if (typeof text !== 'string' || text.trim() === '')
    throw new ThresholdError('empty threshold: write METRIC +10% or METRIC OP NUMBER')
  const { variant, body } = splitVariant(text)
  const rel = RELATIVE.exec(body)
  if (rel === null) {
    const t = parseThreshold(text)
    return {
      kind: 'absolute',
      text: text.trim(),
      ...(variant !== undefined ? { variant } : {}),
      metric: t.metric,
      threshold: t,
    }
  }
  const [, path, first, second] = rel as unknown as [string, string, string, string | undefined]
  let metric: Metric
  try {
    metric = resolveMetric(path)
  } catch (e) {
    throw new ThresholdError(`threshold '${text.trim()}': ${e instanceof Error ? e.message : String(e)}`)
  }
  let direction: 'rise' | 'drop' | undefined
  let fraction: number | undefined
  let amount: number | undefined
  for (const part of [first, second]) {
    if (part === undefined) continue
    const d = part.startsWith('-') ? 'drop' : 'rise'
    if (direction !== undefined && d !== direction)
      throw new ThresholdError(
        `threshold '${text.trim()}': both bounds must have the same sign (+ for a rise, - for a drop)`,
      )
    direction = d
    const n = parseThresholdNumber(part.slice(1))
    if (n === undefined || n < 0 || part.slice(1).startsWith('+') || part.slice(1).startsWith('-')) {
      throw new ThresholdError(`threshold '${text.trim()}': '${part}' is not a bound (write +10%, -5% or +1)`)
    }
    if (part.endsWith('%')) {
      if (fraction !== undefined)
        throw new ThresholdError(
          `threshold '${text.trim()}': two relative bounds; give one percentage and at most one absolute amount`,
        )
      fraction = n
    } else {
      if (amount !== undefined)
        throw new ThresholdError(
          `threshold '${text.trim()}': two absolute bounds; give one percentage and at most one absolute amount`,
        )
      amount = n
    }
  }
  return {
    kind: 'relative',
    text: text.trim(),
    ...(variant !== undefined ? { variant } : {}),
    metric,
    bound: {
      direction: direction ?? 'rise',
      ...(fraction !== undefined ? { fraction } : {}),
      ...(amount !== undefined ? { amount } : {}),
    },
  }
}

/**
 * The default rules of `kms-bench compare`: a rise of any size in KMS calls per request, a rise in the
 * throttle rate or in the lost-request rate (throttled, failed, timed out, dropped: every
 * non-success is lost service) beyond 1 %, a p99 rise (succeeded requests) beyond 10 %. Real-time results add a throughput drop
 * beyond 10 % and give the p99 rule a 1 ms floor (a 10 % move of a sub-millisecond p99 is
 * scheduler noise, not a regression).
 */
export const DEFAULT_COMPARE_RULES: { readonly exact: readonly string[]; readonly statistical: readonly string[] } = {
  exact: ['kms.callsPerRequest +0%', 'throttleRate +1%', 'lostRate +1%', 'latencyMs.p99 +10%'],
  statistical: [
    'kms.callsPerRequest +0%',
    'throttleRate +1%',
    'lostRate +1%',
    'latencyMs.p99 +10% +1',
    'throughput -10%',
  ],
}

/**
 * A scenario's thresholds: its own (every variant, or one named by a prefix) and each
 * variant's (bound to that variant), parsed. Scenario validation has checked them already.
 */
export function scenarioThresholds(scenario: {
  readonly thresholds?: readonly string[] | undefined
  readonly variants: readonly { readonly name: string; readonly thresholds?: readonly string[] | undefined }[]
}): Threshold[] {
  const out = (scenario.thresholds ?? []).map((t) => parseThreshold(t))
  for (const v of scenario.variants)
    for (const t of v.thresholds ?? []) out.push({ ...parseThreshold(t), variant: v.name })
  return out
}
