import { describe, expect, it } from 'vitest'
import { Random } from '../random.ts'
import { exactGate, exceedsBound, mannWhitneyU, median, statisticalGate } from './gates.ts'

describe('mannWhitneyU', () => {
  // Reference values: scipy.stats.mannwhitneyu(current, baseline, alternative='greater', method='exact').
  it('matches the exact distribution for complete separation (5 vs 5: p = 1/252)', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 'greater')
    expect(r.u).toBe(25)
    expect(r.pValue).toBeCloseTo(1 / 252, 15)
    expect(r.minPValue).toBeCloseTo(1 / 252, 15)
    expect(r.method).toBe('exact')
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 'less').pValue).toBe(1)
  })

  it('matches scipy on interleaved samples of unequal size (U = 20, p = 0.2142857)', () => {
    const r = mannWhitneyU([1, 3, 5, 7, 9], [2, 4, 6, 8, 10, 12], 'greater')
    expect(r.u).toBe(20)
    expect(r.pValue).toBeCloseTo(0.21428571428571427, 12)
  })

  it('counts ties with mid-ranks in the exact permutation distribution', () => {
    // Brute force over all C(8,4) = 70 splits of [1,2,2,3 | 2,3,3,4]: 10 have a rank sum >= the observed one.
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 3, 4], 'greater')
    expect(r.u).toBe(13)
    expect(r.pValue).toBeCloseTo(10 / 70, 12)
  })

  it('uses the normal approximation beyond 60 values (scipy asymptotic: p = 0.0359479)', () => {
    const a = Array.from({ length: 40 }, (_, i) => i)
    const b = a.map((x) => x + 5)
    const r = mannWhitneyU(a, b, 'greater')
    expect(r.method).toBe('normal')
    expect(r.u).toBe(987.5)
    expect(r.pValue).toBeCloseTo(0.035947886709456714, 6)
  })

  it('says when no outcome can be significant (3 vs 3 runs cannot go below p = 0.05)', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'greater').minPValue).toBeCloseTo(0.05, 12)
    expect(mannWhitneyU([1, 1, 1], [1, 1, 1], 'greater')).toMatchObject({ pValue: 1, minPValue: 1 })
  })
})

describe('bounds and exact gates', () => {
  it('requires a change beyond every bound given', () => {
    expect(exceedsBound(100, 110, { direction: 'rise', fraction: 0.1 })).toBe(false)
    expect(exceedsBound(100, 110.01, { direction: 'rise', fraction: 0.1 })).toBe(true)
    expect(exceedsBound(0, 0.0001, { direction: 'rise', fraction: 0.01 })).toBe(true)
    expect(exceedsBound(1, 1, { direction: 'rise', fraction: 0 })).toBe(false)
    expect(exceedsBound(1, 1.0000001, { direction: 'rise', fraction: 0 })).toBe(true)
    expect(exceedsBound(0.2, 0.5, { direction: 'rise', fraction: 0.1, amount: 1 })).toBe(false)
    expect(exceedsBound(100, 85, { direction: 'drop', fraction: 0.1 })).toBe(true)
    expect(exceedsBound(100, 150, { direction: 'drop', fraction: 0.1 })).toBe(false)
  })

  it('passes equal figures and fails a rise beyond the bound, saying why', () => {
    expect(exactGate(1.15, 1.15, { direction: 'rise', fraction: 0 })).toMatchObject({
      passed: true,
      reason: 'unchanged (1.15)',
    })
    const worse = exactGate(1.0, 1.2, { direction: 'rise', fraction: 0 })
    expect(worse.passed).toBe(false)
    expect(worse.reason).toMatch(/1 → 1\.2 \(\+20%\): beyond \+0%/)
    expect(exactGate(10, 10.5, { direction: 'rise', fraction: 0.1 })).toMatchObject({ passed: true })
  })
})

describe('statisticalGate', () => {
  const p99 = { direction: 'rise' as const, fraction: 0.1, amount: 1 }

  it('passes noise: runs drawn from one distribution do not fail (seeded, 300 comparisons)', () => {
    const rnd = new Random(42)
    // Skewed per-run p99s around 20 ms with a heavy tail, as on a shared machine.
    const draw = (): number =>
      20 * Math.exp(0.35 * (rnd.next() + rnd.next() + rnd.next() - 1.5)) + (rnd.next() < 0.1 ? 30 * rnd.next() : 0)
    let failed = 0
    for (let i = 0; i < 300; i++) {
      const a = Array.from({ length: 5 }, draw)
      const b = Array.from({ length: 5 }, draw)
      if (!statisticalGate(a, b, p99, 0.01).passed) failed++
    }
    // α = 0.01 bounds the false-alarm rate of the test alone; the minimum effect cuts it further.
    expect(failed).toBeLessThanOrEqual(3)
  })

  it('fails a real regression: every current run slower by far more than 10 %', () => {
    const g = statisticalGate([20, 21, 19, 22, 20.5], [30, 31, 29, 33, 30.5], p99, 0.01)
    expect(g.passed).toBe(false)
    expect(g.reason).toMatch(
      /^regression: median 20\.5 → 30\.5 .*Mann-Whitney U \(one-sided, exact, 5 vs 5 runs\) p = 0\.00397/,
    )
  })

  it('passes a significant but small shift, and says so', () => {
    const g = statisticalGate([20, 20.1, 20.2, 20.3, 20.4], [21, 21.1, 21.2, 21.3, 21.4], p99, 0.01)
    expect(g.passed).toBe(true)
    expect(g.reason).toMatch(/^significantly higher .* but the median .* is within \+10% and \+1/)
  })

  it('is inconclusive (and passes) with too few runs, naming what to do', () => {
    const g = statisticalGate([20], [90], p99, 0.01)
    expect(g).toMatchObject({ passed: true, inconclusive: true })
    expect(g.reason).toMatch(/inconclusive: with 1 vs 1 runs no outcome can reach p ≤ 0\.01 .*--runs 5 or more/)
  })

  it('treats identical runs as unchanged, and tests drops for higher-is-better metrics', () => {
    expect(statisticalGate([1, 1, 1, 1, 1], [1, 1, 1, 1, 1], { direction: 'rise', fraction: 0 }, 0.01)).toMatchObject({
      passed: true,
      inconclusive: false,
      reason: 'identical in all 10 runs (1)',
    })
    const drop = statisticalGate(
      [1000, 1010, 990, 1005, 995],
      [700, 710, 690, 705, 695],
      { direction: 'drop', fraction: 0.1 },
      0.01,
    )
    expect(drop.passed).toBe(false)
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })
})

describe('inconclusive advice', () => {
  it('asks for more runs only when a side has fewer than the test needs', async () => {
    const { runsNeeded } = await import('./gates.ts')
    expect(runsNeeded(0.01)).toBe(5)
    expect(runsNeeded(0.05)).toBe(3)
    const few = statisticalGate([1, 2, 3, 4, 5], [9], { direction: 'rise' }, 0.01)
    expect(few.inconclusive).toBe(true)
    expect(few.reason).toContain('repeat each side with run --runs 5 or more')
    // 5 vs 5 with every current value tied to a baseline value: more runs are not the answer
    const tied = statisticalGate([1, 1, 1, 1, 2], [1, 1, 1, 1, 1], { direction: 'rise' }, 0.01)
    if (tied.inconclusive) expect(tied.reason).not.toContain('--runs 5')
    const tiedAll = statisticalGate([1, 1, 1, 2, 2], [2, 2, 2, 2, 2], { direction: 'rise' }, 0.01)
    expect(tiedAll.inconclusive).toBe(true)
    expect(tiedAll.reason).not.toContain('--runs')
    expect(tiedAll.reason).toContain('tie')
  })
})
