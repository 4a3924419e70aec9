import { describe, expect, it } from 'vitest'
import type { RunSummary, VariantSummary } from '../load/summary.ts'
import { DEFAULT_COMPARE_RULES, parseCompareRule } from '../load/thresholds.ts'
import { compareSummaries, ComparisonError, renderComparisonMarkdown } from './compare.ts'
import { loadFixture } from './fixtures/load.ts'

const exactDefaults = DEFAULT_COMPARE_RULES.exact.map(parseCompareRule)
const realDefaults = DEFAULT_COMPARE_RULES.statistical.map(parseCompareRule)
const labels = { baseline: 'base.json', current: 'cur.json' }

function withVariant(s: RunSummary, name: string, change: (v: VariantSummary) => VariantSummary): RunSummary {
  return { ...s, variants: s.variants.map((v) => (v.name === name ? change(v) : v)) }
}

describe('compareSummaries, virtual time (exact)', () => {
  const base = loadFixture('s3-throttling.summary.json')

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
    expect(md).toContain('| Cost per month |')
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
    const c = compareSummaries(base, fewer, { defaults: exactDefaults })
    expect(c.passed).toBe(false)
    expect(c.variants.find((v) => v.name === 'bucket-keys')?.status).toBe('missing')
    const more = compareSummaries(fewer, base, { defaults: exactDefaults })
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
