import { describe, expect, it } from 'vitest'
import { loadFixture } from '../report/fixtures/load.ts'
import { renderPlanHtml } from '../report/plan-html.ts'
import { renderPlanMarkdown } from '../report/plan-markdown.ts'
import {
  buildPlan,
  parseWorkload,
  PlanError,
  probeQuotas,
  projectPeak,
  variantsNeedingProbe,
  workloadScenario,
} from './plan.ts'
import { NO_MITIGATIONS, ScenarioError } from '../load/scenario/index.ts'
import type { RunSummary } from '../load/results/index.ts'

const run = loadFixture('s3-throttling.summary.json')

describe('buildPlan', () => {
  const plan = buildPlan(run, new Map(), { growthPerMonth: 0.05, months: 24 })

  it('prices month 0 exactly as the run priced its month', () => {
    for (const v of run.variants) {
      const p = plan.variants.find((x) => x.name === v.name)
      expect(p?.costByMonth[0]).toBeCloseTo(v.costUsd.monthly.total, 6)
      expect(p?.costByMonth).toHaveLength(25)
    }
  })

  it('projects every pool with compound growth and finds the month it runs out', () => {
    for (const v of plan.variants) {
      for (const p of v.pools) {
        expect(p.peakByMonth[12]).toBeCloseTo(projectPeak(p.peakNow, 0.05, 12), 9)
        const m = p.throttleMonth
        if (m !== null) {
          expect(p.peakByMonth[m] as number).toBeGreaterThan(p.limit)
          if (m > 0) expect(p.peakByMonth[m - 1] as number).toBeLessThanOrEqual(p.limit)
        } else {
          expect(p.peakByMonth[24] as number).toBeLessThanOrEqual(p.limit)
        }
        expect(p.requiredQuota).toBe(Math.ceil(p.peakByMonth[24] as number))
      }
    }
    // The fixture's baseline throttles today: month 0, and a quota request for it.
    const base = plan.variants.find((v) => v.name === plan.baseline)
    expect(base?.throttleMonth).toBe(0)
    expect(plan.quotaRequests.length).toBeGreaterThan(0)
  })

  it('ranks mitigations that remove throttling first, then by KMS calls saved, then dollars', () => {
    const clean = plan.mitigations.filter((m) => m.throttleMonth === null)
    const throttling = plan.mitigations.filter((m) => m.throttleMonth !== null)
    expect(plan.mitigations).toEqual([
      ...clean,
      ...throttling.sort((a, b) => (b.throttleMonth as number) - (a.throttleMonth as number)),
    ])
    const saved = clean.map((m) => m.kmsCallsSavedPerMonth)
    expect(saved).toEqual([...saved].sort((a, b) => b - a))
    expect(plan.mitigations.map((m) => m.rank)).toEqual(plan.mitigations.map((_, i) => i + 1))
    expect(plan.mitigations.map((m) => m.variant)).not.toContain(plan.baseline)
  })

  it('uses a probe for the demand of a throttled pool', () => {
    const needing = variantsNeedingProbe(run)
    expect(needing.map((v) => v.name)).toContain('baseline')
    const base = run.variants.find((v) => v.name === 'baseline')
    expect(Object.values(probeQuotas(base as RunSummary['variants'][number]))).toEqual(
      base?.quota.filter((q) => q.throttled > 0).map(() => 1e12),
    )
    // A probe whose busiest second saw 1,234 calls: the plan takes that as the demand.
    const probe: RunSummary = {
      ...run,
      variants: run.variants
        .filter((v) => v.name === 'baseline')
        .map((v) => ({ ...v, quota: v.quota.map((q) => ({ ...q, peakPerSecond: 1234, throttled: 0 })) })),
    }
    const p = buildPlan(run, new Map([['baseline', probe]]), { growthPerMonth: 0, months: 1 })
    const pool = p.variants.find((v) => v.name === 'baseline')?.pools.find((q) => q.demandSource === 'probe')
    expect(pool?.peakNow).toBe(1234)
  })

  it('renders plan.md and plan.html', () => {
    const md = renderPlanMarkdown(plan)
    expect(md).toContain(`# kms-bench capacity plan: ${run.scenario}`)
    expect(md).toContain('is throttled today')
    expect(md).toContain('## Quota increases to request')
    expect(md).toContain('## Mitigations, ranked')
    const html = renderPlanHtml(plan)
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/NaN|undefined/)
    const calm = renderPlanMarkdown(buildPlan(run, new Map(), { growthPerMonth: 0, months: 0 }))
    expect(calm).toContain('horizon 0 months')
  })

  it('marks projection lines that coincide, naming the variant they hide behind', () => {
    const twin = { ...structuredClone(run.variants.find((v) => v.name === 'esdk-cache')!), name: 'esdk-cache-twin' }
    const html = renderPlanHtml(
      buildPlan({ ...run, variants: [...run.variants, twin] }, new Map(), { growthPerMonth: 0.05, months: 24 }),
    )
    expect(html).toContain('esdk-cache-twin</span> <span class="note">(same line as esdk-cache)</span>')
    // Lines that differ are not marked.
    expect(renderPlanHtml(plan)).not.toContain('same line as')
  })

  it('refuses a growth at or below -100% and a bad horizon', () => {
    expect(() => buildPlan(run, new Map(), { growthPerMonth: -1, months: 12 })).toThrow(PlanError)
    expect(() => buildPlan(run, new Map(), { growthPerMonth: 0.1, months: 1.5 })).toThrow(/months must be an integer/)
  })
})

describe('workloads', () => {
  it('becomes a scenario with one request per key and operation (Decrypts as envelope reads), weighted by rate', () => {
    const w = parseWorkload({
      name: 'w',
      keys: [
        { name: 'a', operations: { Encrypt: 300, Decrypt: 100 } },
        { name: 'mac', operations: { GenerateMac: 50 } },
      ],
      variants: [{ name: 'raised', quotas: { symmetric: 20000 } }],
    })
    const s = workloadScenario(w, NO_MITIGATIONS)
    expect(s.arrivals).toEqual({ shape: 'constant', rate: 450 })
    expect(
      s.requests.map((r) =>
        r.kind === 'op'
          ? [r.operation, r.key, r.weight]
          : r.kind === 'envelope-decrypt'
            ? [r.kind, r.key, r.weight]
            : r.kind,
      ),
    ).toEqual([
      ['Encrypt', 'a', 300],
      // Decrypts read envelope-encrypted messages: a data key of their own each.
      ['envelope-decrypt', 'a', 100],
      ['GenerateMac', 'mac', 50],
    ])
    expect(s.keys.find((k) => k.name === 'mac')).toMatchObject({ spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' })
    expect(s.variants.map((v) => v.name)).toEqual(['baseline', 'raised'])
    expect(s.duration).toBe(10)
  })

  it('lists every problem with its path', () => {
    let err: unknown
    try {
      parseWorkload({
        keys: [{ name: 'a', operations: { Encrypt: 5, Sign: 5, Frobnicate: 1, ListKeys: 2 } }],
        seconds: 0,
      })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ScenarioError)
    expect((err as ScenarioError).message).toMatch(/seconds/)
    let err2: unknown
    try {
      parseWorkload({ keys: [{ name: 'a', operations: { Encrypt: 5, Sign: 5, Frobnicate: 1, ListKeys: 2 } }] })
    } catch (e) {
      err2 = e
    }
    const problems = (err2 as ScenarioError).problems.join('\n')
    expect(problems).toMatch(/keys\.0\.operations\.Frobnicate: not a KMS operation/)
    expect(problems).toMatch(/keys\.0\.operations\.ListKeys: not a keyed operation/)
    expect(problems).toMatch(/keys\.0\.operations: ENCRYPT_DECRYPT and SIGN_VERIFY operations need different keys/)
  })
})
