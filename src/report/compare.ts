/**
 * `kms-bench compare`: a baseline result against a current one, variant by variant, as a
 * Markdown diff (KMS calls per request, throttle rate, p50/p99, cost, with deltas) and a
 * verdict on each rule.
 *
 * Virtual-time results are deterministic: they are compared exactly (a change is a change).
 * Real-time results are noisy: each side should hold repeated runs (`run --runs N`, kept in
 * `summary.runs`), and each relative rule is decided by the statistical gate of `gates.ts`
 * (one-sided Mann-Whitney U on the per-run values plus a minimum shift of the medians), so
 * noise alone never fails a build. The output says which test ran and why each rule passed or
 * failed. Mixing a virtual-time and a real-time result is refused: they measure different things.
 *
 * Pure: summaries and parsed rules in, a comparison out. Rules carry their own metric readers
 * (load/results/thresholds.ts parses them), so this module imports only types from `load/`.
 */
import type { RunSummary, CompareRule, MetricContext, MetricSource } from '../load/index.ts'
import { escapeMarkdown, fmtInt, fmtMs, fmtNum, fmtPct, fmtUsd, plural } from './format.ts'
import { boundText, changeText, exactGate, median, runsNeeded, statisticalGate } from './gates.ts'
import { costAtFullService, lossCauses, lostShare, servedLatency } from './service.ts'
import { at } from '../util/index.ts'

/** Results that cannot be compared (a virtual-time result against a real-time one, a rule naming an unknown variant). */
export class ComparisonError extends Error {
  override readonly name = 'ComparisonError'
}

/** Options of {@link compareSummaries}. */
export interface CompareOptions {
  /**
   * The user's rules (`--threshold`); each replaces the default on its metric for the
   * variants it covers.
   * @default []
   */
  readonly rules?: readonly CompareRule[]
  /**
   * Rules applied unless a user rule on the same metric covers the variant (the CLI passes
   * the parsed `DEFAULT_COMPARE_RULES` of the mode).
   * @default []
   */
  readonly defaults?: readonly CompareRule[]
  /**
   * Significance level of the statistical test (real-time results).
   * @default 0.01
   */
  readonly alpha?: number
  /**
   * Compare results of different scenarios or variant sets (variants are then matched by
   * name; one missing from the current result fails). Refused otherwise: such a diff compares
   * different workloads, not a change of code.
   * @default false
   */
  readonly allowDifferent?: boolean
}

/** How one rule came out for one variant. */
export interface RuleOutcome {
  readonly rule: string
  readonly variant: string
  readonly passed: boolean
  /** too few runs for the test to decide; passed with a warning */
  readonly inconclusive: boolean
  /** which test ran and why it passed or failed */
  readonly reason: string
  /** a default rule (not given on the command line) */
  readonly isDefault: boolean
}

/** One row of a variant's diff table. */
export interface DiffRow {
  readonly label: string
  readonly baseline: string
  readonly current: string
  readonly change: string
}

/** One variant of the comparison. */
export interface VariantComparison {
  readonly name: string
  /** `missing`: in the baseline only (a failure); `new`: in the current result only (not gated) */
  readonly status: 'matched' | 'missing' | 'new'
  readonly rows: readonly DiffRow[]
  readonly outcomes: readonly RuleOutcome[]
  /** the biggest causes of lost requests on each side, in words (empty when none were lost) */
  readonly causes?: { readonly baseline: string; readonly current: string }
}

/** The whole comparison. */
export interface Comparison {
  readonly mode: 'exact' | 'statistical'
  readonly passed: boolean
  /** how the results were compared, in one paragraph */
  readonly method: string
  /** per-run samples on each side (statistical mode; 1 in exact mode) */
  readonly samples: { readonly baseline: number; readonly current: number }
  readonly alpha: number
  /** things the reader should know (different seeds, incomplete results, too few runs) */
  readonly notes: readonly string[]
  readonly variants: readonly VariantComparison[]
  readonly scenario: { readonly baseline: string; readonly current: string }
}

interface Sample {
  readonly v: MetricSource
  readonly ctx: MetricContext
}

/**
 * The per-run samples of a variant: `runs` when the result has repetitions (and they hold the
 * variant), else the result itself. Never empty for a variant of `s.variants`.
 */
function samplesOf(s: RunSummary, name: string): Sample[] {
  const fromRuns = (s.runs ?? []).flatMap((r) => {
    const v = r.variants.find((x) => x.name === name)
    return v === undefined ? [] : [{ v, ctx: { durationSeconds: r.durationSeconds } }]
  })
  if (fromRuns.length > 0) return fromRuns
  const v = s.variants.find((x) => x.name === name)
  return v === undefined ? [] : [{ v, ctx: { durationSeconds: s.durationSeconds } }]
}

const ROWS: readonly {
  label: string
  path: string
  read: (v: MetricSource, ctx: MetricContext) => number
  fmt: (x: number) => string
  realOnly?: boolean
}[] = [
  {
    label: 'KMS calls per request',
    path: 'kms.callsPerRequest',
    read: (v) => v.kms.callsPerRequest,
    fmt: (x) => fmtNum(x, 4),
  },
  { label: 'KMS calls', path: 'kms.calls', read: (v) => v.kms.calls, fmt: fmtInt },
  { label: 'Throttled KMS calls', path: 'kms.throttled', read: (v) => v.kms.throttled, fmt: fmtInt },
  { label: 'Throttle rate', path: 'throttleRate', read: (v) => v.throttleRate, fmt: (x) => fmtPct(x, 3) },
  {
    label: 'Lost requests (throttled, failed, timed out, dropped)',
    path: 'lostRate',
    read: (v) => lostShare(v),
    fmt: (x) => fmtPct(x, 3),
  },
  { label: 'Timed out', path: 'completed.timedOut', read: (v) => v.completed.timedOut ?? 0, fmt: fmtInt },
  { label: 'Failed', path: 'completed.failed', read: (v) => v.completed.failed, fmt: fmtInt },
  { label: 'Dropped', path: 'completed.dropped', read: (v) => v.completed.dropped, fmt: fmtInt },
  { label: 'p50 (succeeded)', path: 'outcomes.succeeded.latencyMs.p50', read: (v) => servedLatency(v).p50, fmt: fmtMs },
  { label: 'p99 (succeeded)', path: 'outcomes.succeeded.latencyMs.p99', read: (v) => servedLatency(v).p99, fmt: fmtMs },
  {
    label: 'Throughput (succeeded/s)',
    path: 'throughput',
    read: (v, ctx) => (ctx.durationSeconds > 0 ? v.completed.succeeded / ctx.durationSeconds : 0),
    fmt: (x) => fmtNum(x, 1),
    realOnly: true,
  },
  {
    label: 'Cost per month (billed)',
    path: 'costUsd.monthly.total',
    read: (v) => v.costUsd.monthly.total,
    fmt: fmtUsd,
  },
  {
    label: 'Cost per month at full service',
    path: 'costAtFullService',
    read: (v) => costAtFullService(v) ?? Number.NaN,
    fmt: fmtUsd,
  },
]

function deltaText(b: number, c: number, fmt: (x: number) => string): string {
  if (b === c) return '±0'
  if (!Number.isFinite(b) || !Number.isFinite(c)) return '–'
  const d = c - b
  return `${d > 0 ? '+' : '−'}${fmt(Math.abs(d))} (${changeText(b, c)})`
}

/** The rules that apply to a variant: user rules naming it or every variant, then defaults on metrics no user rule covers. */
function rulesFor(
  variant: string,
  user: readonly CompareRule[],
  defaults: readonly CompareRule[],
): { rule: CompareRule; isDefault: boolean }[] {
  const mine = user.filter((r) => r.variant === undefined || r.variant === variant)
  const covered = new Set(mine.map((r) => r.metric.path))
  return [
    ...mine.map((rule) => ({ rule, isDefault: false })),
    ...defaults
      .filter((r) => (r.variant === undefined || r.variant === variant) && !covered.has(r.metric.path))
      .map((rule) => ({ rule, isDefault: true })),
  ]
}

/** Throws when the two results ran different scenarios or different sets of variants. */
function refuseDifferent(baseline: RunSummary, current: RunSummary): void {
  if (baseline.scenario !== current.scenario)
    throw new ComparisonError(
      `the results come from different scenarios (${baseline.scenario} and ${current.scenario}): comparing them measures the workload, not a change; pass --allow-different to compare them anyway (variants matched by name)`,
    )
  const b = baseline.variants.map((v) => v.name)
  const c = current.variants.map((v) => v.name)
  const onlyB = b.filter((n) => !c.includes(n))
  const onlyC = c.filter((n) => !b.includes(n))
  if (onlyB.length > 0 || onlyC.length > 0)
    throw new ComparisonError(
      `the results ran different variants (${[...onlyB.map((n) => `${n} only in the baseline`), ...onlyC.map((n) => `${n} only in the current result`)].join('; ')}): run the same variants on both sides, or pass --allow-different to compare those they share (a variant missing from the current result then fails)`,
    )
}

/**
 * Compares two results. Throws {@link ComparisonError} when they cannot be compared.
 */
export function compareSummaries(baseline: RunSummary, current: RunSummary, options: CompareOptions = {}): Comparison {
  if (baseline.clock !== current.clock) {
    throw new ComparisonError(
      `cannot compare a ${baseline.clock}-time baseline with a ${current.clock}-time result: virtual time is exact and real time is measured; compare results of the same clock`,
    )
  }
  const mode: Comparison['mode'] = baseline.clock === 'virtual' ? 'exact' : 'statistical'
  const alpha = options.alpha ?? 0.01
  if (!(alpha > 0 && alpha < 1)) throw new ComparisonError(`alpha must be between 0 and 1, got ${alpha}`)
  const user = options.rules ?? []
  const defaults = options.defaults ?? []
  const baseNames = baseline.variants.map((v) => v.name)
  const curNames = current.variants.map((v) => v.name)
  for (const r of user) {
    if (r.variant !== undefined && !baseNames.includes(r.variant) && !curNames.includes(r.variant)) {
      throw new ComparisonError(
        `threshold '${r.text}' names variant '${r.variant}', which neither result has (variants: ${[...new Set([...baseNames, ...curNames])].join(', ')})`,
      )
    }
  }

  if (options.allowDifferent !== true) refuseDifferent(baseline, current)
  const notes: string[] = []
  if (baseline.scenario !== current.scenario)
    notes.push(
      `The results come from different scenarios (${baseline.scenario} and ${current.scenario}); variants are matched by name.`,
    )
  const same = (k: 'seed' | 'durationSeconds' | 'scale' | 'target' | 'region'): boolean => baseline[k] === current[k]
  const differing = (['seed', 'durationSeconds', 'scale', 'target', 'region'] as const).filter((k) => !same(k))
  if (differing.length > 0) {
    notes.push(
      `The runs differ in ${differing.map((k) => `${k} (${String(baseline[k])} → ${String(current[k])})`).join(', ')}: ${mode === 'exact' ? 'virtual-time results are only identical for the same scenario, seed, duration and scale, so differences are expected' : 'the comparison may measure that difference rather than a change of code'}.`,
    )
  }
  if (!baseline.complete) notes.push('The baseline result is incomplete (interrupted or failed part-way).')
  if (!current.complete) notes.push('The current result is incomplete (interrupted or failed part-way).')
  const nRuns = (s: RunSummary): number => (s.runs !== undefined && s.runs.length > 0 ? s.runs.length : 1)
  const samples = { baseline: nRuns(baseline), current: nRuns(current) }
  const need = runsNeeded(alpha)
  if (mode === 'statistical' && (samples.baseline < need || samples.current < need)) {
    notes.push(
      `Real-time results with ${samples.baseline} and ${plural(samples.current, 'run')}: the test needs ${need} or more runs on each side to detect a regression at α = ${alpha} (use \`kms-bench run --runs ${need}\`); until then its checks are inconclusive, and say so.`,
    )
  }

  const variants: VariantComparison[] = []
  for (const name of baseNames) {
    if (!curNames.includes(name)) {
      variants.push({
        name,
        status: 'missing',
        rows: [],
        outcomes: [
          {
            rule: 'variant present',
            variant: name,
            passed: false,
            inconclusive: false,
            isDefault: true,
            reason: `variant '${name}' is in the baseline but not in the current result, so it cannot be checked`,
          },
        ],
      })
      continue
    }
    const bs = samplesOf(baseline, name)
    const cs = samplesOf(current, name)
    const value = (ss: Sample[], read: (v: MetricSource, ctx: MetricContext) => number): number =>
      median(ss.map((s) => read(s.v, s.ctx)))
    const rows: DiffRow[] = ROWS.filter((r) => mode === 'statistical' || r.realOnly !== true).map((r) => {
      const b = value(bs, r.read)
      const c = value(cs, r.read)
      return { label: r.label, baseline: r.fmt(b), current: r.fmt(c), change: deltaText(b, c, r.fmt) }
    })
    const outcomes: RuleOutcome[] = []
    for (const { rule, isDefault } of rulesFor(name, user, defaults)) {
      const read = (s: Sample): number => rule.metric.read(s.v, s.ctx)
      if (rule.kind === 'absolute') {
        const actual = median(cs.map(read))
        const passed = rule.threshold.test(actual)
        const where = mode === 'statistical' && cs.length > 1 ? `median of ${cs.length} runs ` : ''
        outcomes.push({
          rule: rule.text,
          variant: name,
          passed,
          inconclusive: false,
          isDefault,
          reason: `${where}${fmtNum(actual, 6)} ${passed ? 'meets' : 'breaks'} ${rule.threshold.expression}`,
        })
        continue
      }
      const g =
        mode === 'exact'
          ? exactGate(read(at(bs, 0)), read(at(cs, 0)), rule.bound)
          : statisticalGate(bs.map(read), cs.map(read), rule.bound, alpha)
      outcomes.push({
        rule: rule.text,
        variant: name,
        passed: g.passed,
        inconclusive: g.inconclusive,
        isDefault,
        reason: g.reason,
      })
    }
    const causeOf = (ss: Sample[]): string => {
      const last = ss[ss.length - 1]
      return last === undefined ? '' : lossCauses(last.v).join(', ')
    }
    const causes = { baseline: causeOf(bs), current: causeOf(cs) }
    variants.push({
      name,
      status: 'matched',
      rows,
      outcomes,
      ...(causes.baseline !== '' || causes.current !== '' ? { causes } : {}),
    })
  }
  for (const name of curNames) {
    if (!baseNames.includes(name)) variants.push({ name, status: 'new', rows: [], outcomes: [] })
  }
  const passed = variants.every((v) => v.outcomes.every((o) => o.passed))
  const method =
    mode === 'exact'
      ? 'Exact comparison: both results ran in virtual time, which is deterministic (the same scenario and seed give the same figures on any machine), so every change is real and is held against the thresholds directly.'
      : `Statistical comparison: both results ran in real time, which is noisy. Each relative threshold fails only when a one-sided Mann-Whitney U test on the per-run values finds the current runs worse (p ≤ α = ${alpha}) and the median moved beyond the threshold (the minimum effect size); absolute thresholds apply to the median of the current runs. Runs: ${samples.baseline} baseline, ${samples.current} current.`
  return {
    mode,
    passed,
    method,
    samples,
    alpha,
    notes,
    variants,
    scenario: { baseline: baseline.scenario, current: current.scenario },
  }
}

/** Labels of the two files in the Markdown output. */
export interface CompareLabels {
  readonly baseline: string
  readonly current: string
}

/** Options of {@link renderComparisonMarkdown}. */
export interface CompareRenderOptions {
  /**
   * For a terminal: the same Markdown layout without backslash escapes (`\>`, `` \` ``), which
   * only a Markdown renderer hides; a `|` inside a table cell prints as `¦`.
   * @default false
   */
  readonly plain?: boolean
}

type Escape = (text: string) => string

/** Plain-text "escaping" for a terminal: one line per cell, no backslashes. */
const plainText: Escape = (text) => text.replace(/\r?\n/g, ' ')

function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[],
  md: Escape,
): string {
  const cell = (t: string): string => (md === plainText ? plainText(t).replace(/\|/g, '¦') : md(t))
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map((_, i) => (numeric[i] === true ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n')
}

/** Renders a comparison as GitHub-flavoured Markdown (a PR comment or step summary), or as plain text for a terminal. */
export function renderComparisonMarkdown(
  c: Comparison,
  labels: CompareLabels,
  options: CompareRenderOptions = {},
): string {
  const md: Escape = options.plain === true ? plainText : escapeMarkdown
  const out: string[] = []
  const title =
    c.scenario.baseline === c.scenario.current ? c.scenario.current : `${c.scenario.baseline} → ${c.scenario.current}`
  out.push(`# kms-bench compare: ${md(title)}`)
  const all = c.variants.flatMap((v) => v.outcomes)
  const failed = all.filter((o) => !o.passed)
  const inconclusive = all.filter((o) => o.inconclusive)
  out.push(
    failed.length > 0
      ? `**FAIL: ${failed.length} of ${all.length} checks regressed beyond their thresholds.**`
      : `**PASS: no regression beyond the thresholds (${all.length} checks${inconclusive.length > 0 ? `, ${inconclusive.length} inconclusive` : ''}).**`,
  )
  out.push(`Baseline \`${labels.baseline.replace(/`/g, "'")}\` · current \`${labels.current.replace(/`/g, "'")}\``)
  out.push(md(c.method))
  for (const n of c.notes) out.push(`> **Note:** ${md(n)}`)
  for (const v of c.variants) {
    out.push(`## ${md(v.name)}`)
    if (v.status === 'missing') {
      out.push(`Missing from the current result: **FAIL**.`)
      continue
    }
    if (v.status === 'new') {
      out.push('New in the current result: nothing to compare with, not gated.')
      continue
    }
    const valueHead = c.mode === 'statistical' && (c.samples.baseline > 1 || c.samples.current > 1) ? ' (median)' : ''
    out.push(
      mdTable(
        ['Metric', `Baseline${valueHead}`, `Current${valueHead}`, 'Change'],
        v.rows.map((r) => [r.label, r.baseline, r.current, r.change]),
        [false, true, true, true],
        md,
      ),
    )
    if (v.causes !== undefined)
      out.push(
        `Lost service (every non-success counts): baseline ${md(v.causes.baseline || 'none')}; current ${md(v.causes.current || 'none')}.`,
      )
    if (v.outcomes.length > 0) {
      out.push(
        mdTable(
          ['Result', 'Threshold', 'Why'],
          v.outcomes.map((o) => [
            o.passed ? (o.inconclusive ? 'pass (inconclusive)' : 'pass') : 'FAIL',
            `${o.rule}${o.isDefault ? ' (default)' : ''}`,
            o.reason,
          ]),
          [false, false, false],
          md,
        ),
      )
    }
  }
  if (failed.length > 0) {
    out.push('## Failed')
    out.push(failed.map((o) => `- **${md(o.variant)}**: \`${o.rule.replace(/`/g, "'")}\`: ${md(o.reason)}`).join('\n'))
  }
  return `${out.join('\n\n')}\n`
}

/** The thresholds a comparison used, for a one-line summary. */
export function describeRules(rules: readonly CompareRule[]): string {
  return rules
    .map((r) =>
      r.kind === 'relative'
        ? `${r.variant !== undefined ? `${r.variant}: ` : ''}${r.metric.path} ${boundText(r.bound)}`
        : r.text,
    )
    .join(', ')
}
