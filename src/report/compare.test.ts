import { describe, expect, it } from 'vitest'
import { type RunSummary, type VariantSummary, DEFAULT_COMPARE_RULES, parseCompareRule } from '../load/results/index.ts'
import { compareSummaries, ComparisonError, renderComparisonMarkdown } from './compare.ts'
import { Random } from '../random.ts'
import { loadFixture } from './fixtures/load.ts'

const exactDefaults = DEFAULT_COMPARE_RULES.exact.map(parseCompareRule)
const realDefaults = DEFAULT_COMPARE_RULES.statistical.map(parseCompareRule)
const labels = { baseline: 'base.json', current: 'cur.json' }

function withVariant(s: RunSummary, name: string, change: (v: VariantSummary) => VariantSummary): RunSummary {
  return { ...s, variants: s.variants.map((v) => (v.name === name ? change(v) : v)) }
}

describe('compareSummaries, virtual time (exact)', () => {
  const base = loadFixture('s3-throttling.summary.json')

  it('prints no Markdown escapes for a terminal (plain), and keeps them in Markdown', () => {
    const named = withVariant(base, 'baseline', (v) => ({ ...v, name: 'app_<main>' }))
    const worse = withVariant(named, 'app_<main>', (v) => ({ ...v, throttleRate: v.throttleRate * 2 }))
    const c = compareSummaries(named, worse, { defaults: exactDefaults })
    const md = renderComparisonMarkdown(c, labels)
    expect(md).toContain('app\\_\\<main\\>')
    const plain = renderComparisonMarkdown(c, labels, { plain: true })
    expect(plain).not.toMatch(/\\[>`_*<]/)
    expect(plain).toContain('| Throttle rate |')
    expect(plain).toContain('## app_<main>')
  })

  it('passes equal results and shows every variant', () => {
    const c = compareSummaries(base, structuredClone(base), { defaults: exactDefaults })
    expect(c.mode).toBe('exact')
    expect(c.passed).toBe(true)
    expect(c.variants.map((v) => v.name)).toEqual(base.variants.map((v) => v.name))
    for (const v of c.variants) expect(v.outcomes.map((o) => o.rule)).toEqual(DEFAULT_COMPARE_RULES.exact)
    const md = renderComparisonMarkdown(c, labels)
    expect(md).toContain('**PASS: no regression beyond the thresholds')
    expect(md).toContain('Exact comparison: both results ran in virtual time')
    expect(md).toContain('| KMS calls per request |')
    expect(md).toContain('| Cost per month (billed) |')
    expect(md).toContain('| Cost per month at full service |')
    expect(md).toContain('| Lost requests (throttled, failed, timed out, dropped) |')
  })

  it('fails any rise in KMS calls per request, naming the variant, the rule and the values', () => {
    const worse = withVariant(base, 'esdk-cache', (v) => ({
      ...v,
      kms: { ...v.kms, callsPerRequest: v.kms.callsPerRequest * 1.001 },
    }))
    const c = compareSummaries(base, worse, { defaults: exactDefaults })
    expect(c.passed).toBe(false)
    const failed = c.variants.flatMap((v) => v.outcomes).filter((o) => !o.passed)
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ variant: 'esdk-cache', rule: 'kms.callsPerRequest +0%', isDefault: true })
    expect(failed[0]?.reason).toMatch(/beyond \+0%/)
    expect(renderComparisonMarkdown(c, labels)).toMatch(/\*\*FAIL: 1 of \d+ checks regressed/)
  })

  it('lets a user rule replace the default on its metric, and a variant prefix narrow it', () => {
    const slower = withVariant(base, 'baseline', (v) => ({
      ...v,
      latencyMs: { ...v.latencyMs, p99: v.latencyMs.p99 * 1.15 },
    }))
    expect(compareSummaries(base, slower, { defaults: exactDefaults }).passed).toBe(false)
    expect(
      compareSummaries(base, slower, { defaults: exactDefaults, rules: [parseCompareRule('latencyMs.p99 +20%')] })
        .passed,
    ).toBe(true)
    const narrowed = compareSummaries(base, slower, {
      defaults: exactDefaults,
      rules: [parseCompareRule('bucket-keys: latencyMs.p99 +20%')],
    })
    expect(narrowed.passed).toBe(false) // the default still covers the baseline variant
  })

  it('applies absolute rules to the current result', () => {
    const c = compareSummaries(base, base, { rules: [parseCompareRule('baseline: throttleRate < 0.001')] })
    expect(c.passed).toBe(false)
    expect(c.variants.find((v) => v.name === 'baseline')?.outcomes[0]?.reason).toMatch(/breaks throttleRate < 0\.001/)
  })

  it('fails a variant missing from the current result and lists new ones ungated', () => {
    const fewer = { ...base, variants: base.variants.filter((v) => v.name !== 'bucket-keys') }
    expect(() => compareSummaries(base, fewer, { defaults: exactDefaults })).toThrow(
      /different variants \(bucket-keys only in the baseline\).*--allow-different/,
    )
    expect(() => compareSummaries(base, { ...base, scenario: 'other' })).toThrow(
      /different scenarios.*--allow-different/,
    )
    const c = compareSummaries(base, fewer, { defaults: exactDefaults, allowDifferent: true })
    expect(c.passed).toBe(false)
    expect(c.variants.find((v) => v.name === 'bucket-keys')?.status).toBe('missing')
    const more = compareSummaries(fewer, base, { defaults: exactDefaults, allowDifferent: true })
    expect(more.passed).toBe(true)
    expect(more.variants.find((v) => v.name === 'bucket-keys')?.status).toBe('new')
  })

  it('refuses results of different clocks and rules naming unknown variants', () => {
    expect(() => compareSummaries(base, { ...base, clock: 'real' })).toThrow(ComparisonError)
    expect(() => compareSummaries(base, { ...base, clock: 'real' })).toThrow(
      /cannot compare a virtual-time baseline with a real-time result/,
    )
    expect(() => compareSummaries(base, base, { rules: [parseCompareRule('nope: throttleRate +1%')] })).toThrow(
      /names variant 'nope', which neither result has/,
    )
  })

  it('notes a different seed', () => {
    const c = compareSummaries(base, { ...base, seed: base.seed + 1 }, { defaults: exactDefaults })
    expect(c.notes.join(' ')).toMatch(/differ in seed/)
  })

  it('reads a variant from the result itself when its runs do not hold it (no crash on a hand-edited file)', () => {
    const firstRun = {
      index: 1,
      startedAt: base.startedAt,
      durationSeconds: base.durationSeconds,
      complete: true,
      variants: base.variants.filter((v) => v.name !== 'bucket-keys'),
    }
    const worse = withVariant({ ...base, runs: [firstRun] }, 'bucket-keys', (v) => ({
      ...v,
      kms: { ...v.kms, callsPerRequest: v.kms.callsPerRequest + 1 },
    }))
    const c = compareSummaries(base, worse, { defaults: exactDefaults })
    expect(
      c.variants.find((v) => v.name === 'bucket-keys')?.outcomes.find((o) => o.rule === 'kms.callsPerRequest +0%')
        ?.passed,
    ).toBe(false)
    expect(c.variants.find((v) => v.name === 'baseline')?.outcomes.every((o) => o.passed)).toBe(true)
  })
})

describe('compareSummaries, real time (statistical)', () => {
  const one = loadFixture('single-variant.summary.json')
  const name = one.variants[0]?.name as string
  /** A real-time result whose runs have these p99s (ms); everything else equal. */
  function realRuns(p99s: number[]): RunSummary {
    const v = one.variants[0] as VariantSummary
    const { histogram: _h, serviceTimeHistogram: _s, timeline: _t, ...light } = v
    return {
      ...one,
      clock: 'real',
      runs: p99s.map((p99, i) => ({
        index: i + 1,
        startedAt: one.startedAt,
        durationSeconds: one.durationSeconds,
        complete: true,
        variants: [{ ...light, latencyMs: { ...light.latencyMs, p99 } }],
      })),
    }
  }

  it('passes two sets of noisy runs of one workload', () => {
    const c = compareSummaries(realRuns([20, 24, 19, 31, 22]), realRuns([23, 18, 27, 21, 20]), {
      defaults: realDefaults,
    })
    expect(c.mode).toBe('statistical')
    expect(c.passed).toBe(true)
    const p99 = c.variants[0]?.outcomes.find((o) => o.rule.startsWith('latencyMs.p99'))
    expect(p99?.reason).toMatch(/^not significant: Mann-Whitney U/)
    expect(renderComparisonMarkdown(c, labels)).toContain('Statistical comparison: both results ran in real time')
  })

  it('fails a consistent slowdown beyond the minimum effect', () => {
    const c = compareSummaries(realRuns([20, 21, 19, 22, 20]), realRuns([40, 41, 39, 44, 42]), {
      defaults: realDefaults,
    })
    expect(c.passed).toBe(false)
    const failed = c.variants.flatMap((v) => v.outcomes).filter((o) => !o.passed)
    expect(failed.map((o) => o.rule)).toEqual(['latencyMs.p99 +10% +1'])
    expect(failed[0]?.variant).toBe(name)
  })

  it('never fails on single runs: inconclusive, with a note on how many runs are needed', () => {
    const single = { ...one, clock: 'real' as const }
    const slower = withVariant(single, name, (v) => ({
      ...v,
      latencyMs: { ...v.latencyMs, p99: v.latencyMs.p99 * 5 + 10 },
    }))
    const c = compareSummaries(single, slower, { defaults: realDefaults })
    expect(c.passed).toBe(true)
    expect(c.variants[0]?.outcomes.some((o) => o.inconclusive)).toBe(true)
    expect(c.notes.join(' ')).toMatch(/needs 5 or more runs on each side/)
  })
})

/**
 * The statistical gate end to end on synthetic repeated runs (what `run --runs 5` writes): the
 * same decisions the CLI makes, without running anything in real time, so they are exact and
 * fast. The noise model: per-run p99 skewed with a heavy tail (a stray slow run now and then),
 * as on a shared machine; an unthrottled workload calls KMS once per request in every run.
 */
describe('compareSummaries on synthetic repeated runs', () => {
  const one = loadFixture('single-variant.summary.json')
  const { histogram: _h, serviceTimeHistogram: _s, timeline: _t, ...light } = one.variants[0] as VariantSummary
  const name = light.name
  const rate = 200
  const seconds = 1

  interface RunFigures {
    readonly p99: number
    /** KMS calls per request (retries of throttled calls raise it). @default 1 */
    readonly callsPerRequest?: number
    /** throttled requests / offered. @default 0 */
    readonly throttleRate?: number
  }

  /** A real-time result of `--runs N`: one entry per run, every request offered and answered. */
  function runsOf(figures: readonly RunFigures[]): RunSummary {
    const variant = (f: RunFigures) => {
      const throttled = Math.round((f.throttleRate ?? 0) * rate * seconds)
      const cpr = f.callsPerRequest ?? 1
      return {
        ...light,
        offered: { requests: rate * seconds, ratePerSecond: rate },
        completed: { succeeded: rate * seconds - throttled, throttled, failed: 0, dropped: 0, timedOut: 0, errors: {} },
        kms: { ...light.kms, calls: cpr * rate * seconds, callsPerRequest: cpr },
        throttleRate: f.throttleRate ?? 0,
        latencyMs: { ...light.latencyMs, p99: f.p99 },
      }
    }
    return {
      ...one,
      clock: 'real',
      durationSeconds: seconds,
      variants: [variant(figures[0] as RunFigures) as VariantSummary],
      runs: figures.map((f, i) => ({
        index: i + 1,
        startedAt: one.startedAt,
        durationSeconds: seconds,
        complete: true,
        variants: [variant(f)],
      })),
    }
  }

  const rnd = new Random(7)
  /** One run's p99 (ms) around `median`, log-normal-ish with a 10 % chance of a slow outlier. */
  const p99Around = (median: number): number =>
    median * Math.exp(0.3 * (rnd.next() + rnd.next() + rnd.next() - 1.5)) + (rnd.next() < 0.1 ? 25 * rnd.next() : 0)
  const set = (n: number, f: () => RunFigures): RunFigures[] => Array.from({ length: n }, f)

  it('two sets of runs of one workload compare as equal (200 seeded pairs; α bounds the false alarms)', () => {
    let failed = 0
    let significant = 0
    for (let i = 0; i < 200; i++) {
      const c = compareSummaries(
        runsOf(set(5, () => ({ p99: p99Around(8) }))),
        runsOf(set(5, () => ({ p99: p99Around(8) }))),
        { defaults: realDefaults },
      )
      expect(c.mode).toBe('statistical')
      expect(c.samples).toEqual({ baseline: 5, current: 5 })
      const outcomes = c.variants[0]?.outcomes ?? []
      expect(outcomes.map((o) => o.rule)).toEqual(DEFAULT_COMPARE_RULES.statistical)
      // Deterministic figures (calls per request, throttle rate, throughput) are identical in every run.
      for (const o of outcomes.filter((x) => !x.rule.startsWith('latencyMs'))) expect(o.reason).toMatch(/^identical/)
      if (!c.passed) failed++
      if (outcomes.some((o) => /^(significantly|regression)/.test(o.reason))) significant++
    }
    // 5 vs 5 runs: P(p ≤ 0.01) under the null is 2/252 per rule; the minimum effect (+10 % and
    // +1 ms on the median) removes most of those chance separations (these 200 pairs: 1 significant, 1 failed).
    expect(significant).toBeLessThanOrEqual(6)
    expect(failed).toBeLessThanOrEqual(2)
  })

  it('a throttled set fails on KMS calls per request: every run retries (the exact test, 5 vs 5)', () => {
    const base = runsOf(set(5, () => ({ p99: p99Around(8) })))
    const worse = runsOf(
      set(5, () => ({ p99: p99Around(9), callsPerRequest: 1.2 + 0.1 * rnd.next(), throttleRate: 0.01 * rnd.next() })),
    )
    const c = compareSummaries(base, worse, { defaults: realDefaults })
    expect(c.passed).toBe(false)
    const cpr = c.variants[0]?.outcomes.find((o) => o.rule === 'kms.callsPerRequest +0%')
    expect(cpr).toMatchObject({ passed: false, variant: name })
    expect(cpr?.reason).toMatch(
      /^regression: median 1 → 1\.\d+ .*significant \(Mann-Whitney U \(one-sided, exact, 5 vs 5 runs\) p = 0\.00397 ≤ α = 0\.01\)/,
    )
    const md = renderComparisonMarkdown(c, labels)
    expect(md).toContain('Runs: 5 baseline, 5 current.')
    expect(md).toMatch(/\*\*FAIL: \d of 5 checks regressed beyond their thresholds\.\*\*/)
    // The improvement (the reverse direction) passes.
    expect(compareSummaries(worse, base, { defaults: realDefaults }).passed).toBe(true)
  })

  it('catches a doubled p99 despite the noise (power: 100 seeded pairs)', () => {
    let caught = 0
    for (let i = 0; i < 100; i++) {
      const c = compareSummaries(
        runsOf(set(5, () => ({ p99: p99Around(8) }))),
        runsOf(set(5, () => ({ p99: p99Around(16) }))),
        { defaults: realDefaults },
      )
      if (!c.passed) caught++
    }
    // 5 vs 5 runs at α = 0.01 need an almost complete separation: with this noise (a slow outlier
    // in one run of ten) about three quarters of the doubled sets are caught (76 of these 100).
    expect(caught).toBeGreaterThanOrEqual(70)
  })

  it('one slow outlier run does not fail the gate; a small consistent shift is significant but within the bound', () => {
    const base = runsOf([8, 8.2, 7.9, 8.1, 8.05].map((p99) => ({ p99 })))
    const outlier = runsOf([8.1, 7.95, 8.15, 60, 8].map((p99) => ({ p99 })))
    const c = compareSummaries(base, outlier, { defaults: realDefaults })
    expect(c.passed).toBe(true)
    expect(c.variants[0]?.outcomes.find((o) => o.rule.startsWith('latencyMs.p99'))?.reason).toMatch(/^not significant/)
    const shifted = runsOf([8.5, 8.6, 8.55, 8.65, 8.7].map((p99) => ({ p99 })))
    const s = compareSummaries(base, shifted, { defaults: realDefaults })
    expect(s.passed).toBe(true)
    expect(s.variants[0]?.outcomes.find((o) => o.rule.startsWith('latencyMs.p99'))?.reason).toMatch(
      /^significantly higher .* within \+10% and \+1/,
    )
  })

  it('4 vs 4 runs cannot reach α = 0.01 (inconclusive, passes) but can reach α = 0.05', () => {
    const base = runsOf(set(4, () => ({ p99: p99Around(8) })))
    const worse = runsOf(set(4, () => ({ p99: 8, callsPerRequest: 1.25 })))
    const strict = compareSummaries(base, worse, { defaults: realDefaults })
    expect(strict.passed).toBe(true)
    expect(strict.variants[0]?.outcomes.find((o) => o.rule === 'kms.callsPerRequest +0%')).toMatchObject({
      passed: true,
      inconclusive: true,
    })
    const loose = compareSummaries(base, worse, { defaults: realDefaults, alpha: 0.05 })
    expect(loose.passed).toBe(false)
    expect(loose.variants[0]?.outcomes.find((o) => o.rule === 'kms.callsPerRequest +0%')?.reason).toMatch(
      /p = 0\.0143 ≤ α = 0\.05/,
    )
  })
})
