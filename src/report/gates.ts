/**
 * Gate decisions: does a change from a baseline to a current result exceed a bound?
 *
 * - **Exact** (virtual time): the figures are deterministic, so a change is real and is
 *   compared with the bound directly.
 * - **Statistical** (real time, repeated runs): each side is a set of per-run values (p99,
 *   throughput, ...). A rule fails only when (1) a one-sided Mann-Whitney U test finds the
 *   current runs worse at significance level α, and (2) the shift of the medians exceeds the
 *   bound (the minimum effect size). Noise fails neither: random variation rarely separates
 *   the two sets of runs, and when it does by chance, the shift is small. With too few runs
 *   for any ordering to reach α the gate is *inconclusive* and passes, saying so.
 *
 * Why Mann-Whitney U rather than Welch's t: per-run latency percentiles are skewed and a
 * stray slow run (a GC pause, a noisy neighbour) is common; a rank test is unmoved by how far
 * out the outlier is, and makes no normality assumption with 5-10 runs per side. The exact
 * null distribution is enumerated (ties get mid-ranks), so p-values are exact for small
 * samples; beyond 60 values in all the normal approximation with tie correction is used.
 *
 * Pure: numbers in, decisions out.
 */
import type { RelativeBound } from '../load/index.ts'
import { at } from '../util/index.ts'

/** Result of a one-sided Mann-Whitney U test. */
export interface MannWhitneyResult {
  /** U statistic of the current sample (number of (baseline, current) pairs with current > baseline, ties ½) */
  readonly u: number
  /** one-sided p-value for the alternative */
  readonly pValue: number
  /** the smallest p-value these sample sizes and ties allow (when > α, no outcome can be significant) */
  readonly minPValue: number
  readonly method: 'exact' | 'normal'
  readonly n1: number
  readonly n2: number
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? at(s, m) : (at(s, m - 1) + at(s, m)) / 2
}

/** Mid-ranks (1-based, ties averaged), doubled so they are integers. */
function doubledMidRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v)
  const ranks = new Array<number>(values.length).fill(0)
  let k = 0
  while (k < order.length) {
    let j = k
    while (j + 1 < order.length && (order[j + 1] as { v: number }).v === (order[k] as { v: number }).v) j++
    // ranks k+1 .. j+1 averaged, doubled: (k+1 + j+1)
    for (let t = k; t <= j; t++) ranks[(order[t] as { i: number }).i] = k + j + 2
    k = j + 1
  }
  return ranks
}

/** Standard normal upper tail P(Z > z) (Abramowitz & Stegun 7.1.26 for erfc, |error| < 1.5e-7). */
function upperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erfc =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x)
  return z >= 0 ? erfc / 2 : 1 - erfc / 2
}

/** Values in all up to which the exact null distribution is enumerated. */
export const EXACT_LIMIT = 60

/**
 * One-sided Mann-Whitney U test. `alternative: 'greater'` asks whether `current` tends to be
 * larger than `baseline`; `'less'` whether it tends to be smaller.
 */
export function mannWhitneyU(
  baseline: readonly number[],
  current: readonly number[],
  alternative: 'greater' | 'less',
): MannWhitneyResult {
  const n1 = baseline.length
  const n2 = current.length
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1, minPValue: 1, method: 'exact', n1, n2 }
  const all = [...baseline, ...current]
  const ranks = doubledMidRanks(all)
  const w2 = ranks.slice(n1).reduce((a, b) => a + b, 0) // doubled rank sum of current
  const u = w2 / 2 - (n2 * (n2 + 1)) / 2
  const n = n1 + n2
  if (n <= EXACT_LIMIT) {
    // count[k][s]: subsets of k of the values whose doubled ranks sum to s.
    const maxSum = ranks.reduce((a, b) => a + b, 0)
    const count: Float64Array[] = Array.from({ length: n2 + 1 }, () => new Float64Array(maxSum + 1))
    at(count, 0)[0] = 1
    for (const r of ranks) {
      // 0/1 knapsack in place: k descending, so count[k] still holds the subsets without r.
      for (let k = n2 - 1; k >= 0; k--) {
        const from = at(count, k)
        const to = at(count, k + 1)
        for (let s = maxSum - r; s >= 0; s--) if (from[s] !== 0) to[s + r] = at(to, s + r) + at(from, s)
      }
    }
    const dist = at(count, n2)
    let total = 0
    let tail = 0
    let lo = -1
    let hi = -1
    for (let s = 0; s <= maxSum; s++) {
      const c = at(dist, s)
      if (c === 0) continue
      total += c
      if (lo < 0) lo = s
      hi = s
      if (alternative === 'greater' ? s >= w2 : s <= w2) tail += c
    }
    const extreme = (alternative === 'greater' ? dist[hi] : dist[lo]) as number
    return { u, pValue: Math.min(1, tail / total), minPValue: extreme / total, method: 'exact', n1, n2 }
  }
  // Normal approximation with tie correction and continuity correction.
  const counts = new Map<number, number>()
  for (const v of all) counts.set(v, (counts.get(v) ?? 0) + 1)
  let ties = 0
  for (const t of counts.values()) ties += t * t * t - t
  const mean = (n1 * n2) / 2
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)))
  if (!(variance > 0)) return { u, pValue: 1, minPValue: 1, method: 'normal', n1, n2 }
  const sd = Math.sqrt(variance)
  const z = alternative === 'greater' ? (u - mean - 0.5) / sd : (mean - u - 0.5) / sd
  const zMax = (mean - 0.5) / sd
  return { u, pValue: upperTail(z), minPValue: upperTail(zMax), method: 'normal', n1, n2 }
}

/**
 * True when moving from `baseline` to `current` exceeds the bound. The change must exceed
 * every bound given: the fraction of |baseline| and the amount; a bound with neither fails on
 * any change in its direction.
 */
export function exceedsBound(baseline: number, current: number, bound: RelativeBound): boolean {
  const change = bound.direction === 'rise' ? current - baseline : baseline - current
  if (!(change > 0)) return false
  if (bound.fraction !== undefined && !(change > Math.abs(baseline) * bound.fraction)) return false
  if (bound.amount !== undefined && !(change > bound.amount)) return false
  return true
}

/** How one rule came out for one variant. */
export interface GateOutcome {
  readonly passed: boolean
  /** the statistical test could not reach significance with these sample sizes (passed, with a warning) */
  readonly inconclusive: boolean
  /** baseline value (the median of its runs in statistical mode) */
  readonly baseline: number
  /** current value (the median of its runs in statistical mode) */
  readonly current: number
  /** one sentence: which test ran, and why the rule passed or failed */
  readonly reason: string
  /** p-value of the test (statistical mode) */
  readonly pValue?: number
}

/** Describes a bound: `+10%`, `+10% and +1`, `-5%`. */
export function boundText(bound: RelativeBound): string {
  const sign = bound.direction === 'rise' ? '+' : '-'
  const parts: string[] = []
  if (bound.fraction !== undefined) parts.push(`${sign}${trim(bound.fraction * 100)}%`)
  if (bound.amount !== undefined) parts.push(`${sign}${trim(bound.amount)}`)
  return parts.length === 0 ? `any ${bound.direction}` : parts.join(' and ')
}

/** A relative change as text: `+12.5%`, `−3%`, `from 0`. */
export function changeText(baseline: number, current: number): string {
  if (baseline === current) return '±0%'
  if (baseline === 0) return current > 0 ? 'up from 0' : 'down from 0'
  const r = (current - baseline) / Math.abs(baseline)
  return `${r > 0 ? '+' : '−'}${trim(Math.abs(r) * 100, 3)}%`
}

function trim(x: number, digits = 4): string {
  return Number(x.toPrecision(digits)).toString()
}

function num(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x)
}

/** Exact gate: deterministic figures, compared directly. */
export function exactGate(baseline: number, current: number, bound: RelativeBound): GateOutcome {
  const failed = exceedsBound(baseline, current, bound)
  const move = `${num(baseline)} → ${num(current)} (${changeText(baseline, current)})`
  return {
    passed: !failed,
    inconclusive: false,
    baseline,
    current,
    reason: failed
      ? `${move}: beyond ${boundText(bound)}`
      : baseline === current
        ? `unchanged (${num(current)})`
        : `${move}: within ${boundText(bound)}`,
  }
}

/**
 * Runs per side from which an exact one-sided Mann-Whitney test of n vs n untied values can
 * reach `alpha`: its smallest p-value is 1 / C(2n, n) (1/252 at n = 5, so 5 runs for α = 0.01).
 */
export function runsNeeded(alpha: number): number {
  let n = 1
  let c = 2 // C(2n, n)
  while (1 / c > alpha && n < 30) {
    n++
    c = (c * (2 * n) * (2 * n - 1)) / (n * n)
  }
  return n
}

/** What to do about an inconclusive test: more runs when a side has too few, else the ties are to blame. */
function inconclusiveAdvice(n1: number, n2: number, alpha: number): string {
  const need = runsNeeded(alpha)
  if (n1 < need || n2 < need) return `repeat each side with run --runs ${need} or more`
  return `more runs cannot help while the values tie this much (many runs give the same value); gate this metric on an absolute threshold, or compare virtual-time results, which are exact`
}

/**
 * Statistical gate on repeated runs: fails only when the current runs are significantly worse
 * (one-sided Mann-Whitney U, p ≤ alpha) *and* the median moved beyond the bound.
 */
export function statisticalGate(
  baseline: readonly number[],
  current: readonly number[],
  bound: RelativeBound,
  alpha: number,
): GateOutcome {
  const b = median(baseline)
  const c = median(current)
  const test = mannWhitneyU(baseline, current, bound.direction === 'rise' ? 'greater' : 'less')
  const worse = bound.direction === 'rise' ? 'higher' : 'lower'
  const label = `Mann-Whitney U (one-sided, ${test.method}, ${test.n1} vs ${test.n2} runs)`
  const move = `median ${num(b)} → ${num(c)} (${changeText(b, c)})`
  const big = exceedsBound(b, c, bound)
  const base = { baseline: b, current: c, pValue: test.pValue }
  const first = baseline[0]
  if (first !== undefined && [...baseline, ...current].every((x) => x === first)) {
    return {
      ...base,
      passed: true,
      inconclusive: false,
      reason: `identical in all ${baseline.length + current.length} runs (${num(first)})`,
    }
  }
  if (test.minPValue > alpha) {
    return {
      ...base,
      passed: true,
      inconclusive: true,
      reason: `inconclusive: with ${test.n1} vs ${test.n2} runs${test.minPValue === 1 ? ' and these ties' : ''} no outcome can reach p ≤ ${alpha} (smallest possible p = ${trim(test.minPValue, 3)}); ${inconclusiveAdvice(test.n1, test.n2, alpha)}; ${move}`,
    }
  }
  if (!(test.pValue <= alpha)) {
    return {
      ...base,
      passed: true,
      inconclusive: false,
      reason: `not significant: ${label} p = ${trim(test.pValue, 3)} > α = ${alpha}, so the difference is within noise; ${move}`,
    }
  }
  if (!big) {
    return {
      ...base,
      passed: true,
      inconclusive: false,
      reason: `significantly ${worse} (${label} p = ${trim(test.pValue, 3)} ≤ α = ${alpha}) but the ${move} is within ${boundText(bound)}`,
    }
  }
  return {
    ...base,
    passed: false,
    inconclusive: false,
    reason: `regression: ${move}, beyond ${boundText(bound)}, and significant (${label} p = ${trim(test.pValue, 3)} ≤ α = ${alpha})`,
  }
}
