/**
 * The content both capacity-plan renderers print (plan.md, plan.html), as plain text: the
 * verdict, the meta line, the tables (quota pools, projection, cost), the ranked mitigations
 * and the quota requests. Each renderer escapes it for its format.
 */
import type { CapacityPlan, PlanPool, PlanVariant } from '../load/index.ts'
import { fmtInt, fmtNum, fmtPct, fmtRate, fmtSeconds, fmtUsd } from './format.ts'
import { describeExposure } from './rank.ts'
import { at } from '../util/index.ts'

/** A table of text cells; `numeric[i]` right-aligns column i. */
export interface PlanTable {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
  readonly numeric: readonly boolean[]
}

/** Growth as text: `10%/month`. */
export function growthText(g: number): string {
  return `${Number((g * 100).toPrecision(6))}%/month`
}

/** When a pool starts throttling, in words. */
export function throttleText(p: Pick<PlanPool, 'throttleMonth' | 'throttleMonthBeyond'>, months: number): string {
  if (p.throttleMonth === 0) return 'now'
  if (p.throttleMonth !== null) return `month ${p.throttleMonth}`
  if (p.throttleMonthBeyond !== null) return `month ${p.throttleMonthBeyond} (after the ${months}-month horizon)`
  return 'never at this growth'
}

function poolName(p: PlanPool, plan: CapacityPlan): string {
  const multi = new Set(plan.variants.flatMap((v) => v.pools.map((x) => `${x.account}/${x.region}`))).size > 1
  return multi ? `${p.quotaName} (${p.region}, ${p.account})` : p.quotaName
}

function baselineOf(plan: CapacityPlan): PlanVariant {
  return (plan.variants.find((v) => v.name === plan.baseline) ?? plan.variants[0]) as PlanVariant
}

/** The verdict: when the first quota runs out and what to do about it. */
export function planVerdict(plan: CapacityPlan): string[] {
  const base = baselineOf(plan)
  const g = growthText(plan.growthPerMonth)
  const lines: string[] = []
  const throttling = base.pools
    .filter((p) => p.throttleMonth !== null)
    .sort((a, b) => (a.throttleMonth as number) - (b.throttleMonth as number))
  const first = throttling[0]
  if (first !== undefined) {
    const where = `${poolName(first, plan)} in ${first.region}`
    lines.push(
      first.throttleMonth === 0
        ? `${base.name} is throttled today: ${where} peaks at ${fmtRate(first.peakNow)} against a quota of ${fmtRate(first.limit)} (${fmtPct(first.utilizationNow, 0)}).`
        : `${where} runs out in month ${first.throttleMonth} at ${g}: ${fmtRate(first.peakNow)} at peak now (${fmtPct(first.utilizationNow, 0)} of ${fmtRate(first.limit)}), ${fmtRate(first.peakByMonth[first.throttleMonth as number])} by then.`,
    )
    const req = plan.quotaRequests.find(
      (r) => r.pool === first.pool && r.region === first.region && r.account === first.account,
    )
    if (req !== undefined) {
      lines.push(
        req.adjustable
          ? `Request ${fmtInt(req.request)}/s (an increase of ${fmtInt(req.increase)}/s) to last through month ${plan.months}${req.avoidedBy.length > 0 ? `, or adopt ${req.avoidedBy.join(' or ')}, which stay${req.avoidedBy.length === 1 ? 's' : ''} under the current quota` : ''}.`
          : `This quota cannot be raised: ${req.avoidedBy.length > 0 ? `adopt ${req.avoidedBy.join(' or ')}, which stay${req.avoidedBy.length === 1 ? 's' : ''} under it,` : 'spread the load (another key store, account or Region)'} before month ${req.throttleMonth}.`,
      )
    }
    if (throttling.length > 1)
      lines.push(
        `${throttling.length - 1} more pool${throttling.length > 2 ? 's' : ''} run${throttling.length > 2 ? '' : 's'} out within ${plan.months} months (see the quota increases).`,
      )
  } else {
    const busiest = [...base.pools].sort((a, b) => b.utilizationNow - a.utilizationNow)[0]
    if (busiest === undefined) lines.push(`${base.name} makes no call that counts against a quota.`)
    else {
      const last = at(busiest.peakByMonth, plan.months)
      lines.push(
        `No quota runs out within ${plan.months} months at ${g}: the busiest, ${poolName(busiest, plan)} in ${busiest.region}, is at ${fmtPct(busiest.utilizationNow, 0)} of ${fmtRate(busiest.limit)} now and ${fmtPct(busiest.limit > 0 ? last / busiest.limit : 0, 0)} in month ${plan.months}${busiest.throttleMonthBeyond !== null ? `; it would run out in month ${busiest.throttleMonthBeyond}` : ''}.`,
      )
    }
  }
  lines.push(
    `${base.name} costs ${fmtUsd(base.costByMonth[0])}/month now and ${fmtUsd(base.costByMonth[plan.months])}/month in month ${plan.months}.`,
  )
  return lines
}

/** The meta line: growth, horizon, window, seed, source. */
export function planMeta(plan: CapacityPlan): string[] {
  return [
    `growth ${growthText(plan.growthPerMonth)} (compound)`,
    `horizon ${plan.months} months`,
    `${fmtSeconds(plan.windowSeconds)} of traffic simulated per variant (virtual time, seed ${plan.seed})`,
    `from a ${plan.source}`,
    `Region ${plan.region}`,
    ...(plan.costFactor !== 1 ? [`monthly bill at ${fmtNum(plan.costFactor, 4)} × the peak rate`] : []),
  ]
}

/** The plan's tables. */
export function planTables(plan: CapacityPlan): { pools: PlanTable; projection: PlanTable; cost: PlanTable } {
  const n = plan.months
  const poolRows: string[][] = []
  for (const v of plan.variants) {
    for (const p of v.pools) {
      poolRows.push([
        v.name,
        p.account,
        p.region,
        p.quotaName,
        fmtRate(p.limit),
        `${fmtRate(p.peakNow)}${p.demandSource === 'probe' ? ' (probe)' : ''}`,
        fmtPct(p.utilizationNow, 1),
        fmtRate(p.headroomNow),
        throttleText(p, n),
        fmtRate(p.peakByMonth[n]),
        p.increase > 0 ? `${fmtInt(p.requiredQuota)}/s (+${fmtInt(p.increase)})` : 'enough',
      ])
    }
  }
  const pools: PlanTable = {
    header: [
      'Variant',
      'Account',
      'Region',
      'Quota',
      'Quota now',
      'Peak now',
      'Utilisation',
      'Headroom',
      'Throttles from',
      `Peak in month ${n}`,
      `Quota for month ${n}`,
    ],
    rows: poolRows,
    numeric: [false, false, false, false, true, true, true, true, false, true, true],
  }
  const base = baselineOf(plan)
  const step = Math.max(1, Math.ceil((n + 1) / 25))
  const monthsShown = Array.from({ length: n + 1 }, (_, m) => m).filter((m) => m % step === 0 || m === n)
  const projection: PlanTable = {
    header: ['Month', ...base.pools.map((p) => `${poolName(p, plan)} (quota ${fmtRate(p.limit)})`), 'Cost per month'],
    rows: monthsShown.map((m) => [
      String(m),
      ...base.pools.map((p) => {
        const peak = at(p.peakByMonth, m)
        return `${fmtRate(peak)} (${fmtPct(p.limit > 0 ? peak / p.limit : 0, 0)})${peak > p.limit ? ' THROTTLED' : ''}`
      }),
      fmtUsd(base.costByMonth[m]),
    ]),
    numeric: [true, ...base.pools.map(() => true), true],
  }
  const cost: PlanTable = {
    header: ['Month', ...plan.variants.map((v) => v.name)],
    rows: monthsShown.map((m) => [String(m), ...plan.variants.map((v) => fmtUsd(v.costByMonth[m]))]),
    numeric: [true, ...plan.variants.map(() => true)],
  }
  return { pools, projection, cost }
}

/** One ranked mitigation in words. */
export interface MitigationLine {
  readonly variant: string
  readonly text: string
  readonly exposure: string
}

/** The ranked mitigations in words. */
export function planMitigationLines(plan: CapacityPlan): MitigationLine[] {
  const base = baselineOf(plan)
  return plan.mitigations.map((m) => {
    const saved = m.kmsCallsSavedPerMonth
    const share = base.kmsCallsPerMonth > 0 ? saved / base.kmsCallsPerMonth : 0
    const calls =
      saved >= 0
        ? `saves ${fmtInt(saved)} KMS calls/month (${fmtPct(share, 1)})`
        : `costs ${fmtInt(-saved)} more KMS calls/month`
    const dollars = (x: number): string => (x >= 0 ? `saves ${fmtUsd(x)}/month` : `costs ${fmtUsd(-x)}/month more`)
    const parts = [
      `${m.mitigations.length > 0 ? `${m.mitigations.join(' + ')}: ` : ''}${calls}`,
      `${dollars(m.dollarsSavedNow)} now, ${dollars(m.dollarsSavedAtHorizon).replace(/^saves |^costs /, '')} in month ${plan.months}`,
      m.throttleMonth === null
        ? `stays under its quotas through month ${plan.months}`
        : m.throttleMonth === 0
          ? 'is throttled today'
          : `throttles from month ${m.throttleMonth}`,
    ]
    const overrides = Object.entries(m.quotaOverrides)
    if (overrides.length > 0)
      parts.push(`needs a quota increase (${overrides.map(([p, l]) => `${p} ${fmtInt(l)}/s`).join(', ')})`)
    return { variant: m.variant, text: parts.join('; '), exposure: describeExposure({ exposure: m.exposure }) }
  })
}

/** One quota request in words, with the command that files it. */
export interface QuotaRequestLine {
  readonly text: string
  readonly command?: string
}

/** The quota increases the baseline needs, in words. */
export function quotaRequestLines(plan: CapacityPlan): QuotaRequestLine[] {
  return plan.quotaRequests.map((r) => {
    const head = `${r.quotaName} in ${r.region} (account ${r.account}): the current ${fmtInt(r.current)}/s ${r.throttleMonth === 0 ? 'is exceeded today' : `runs out in month ${r.throttleMonth}`}`
    const ask = r.adjustable
      ? `request ${fmtInt(r.request)}/s (an increase of ${fmtInt(r.increase)}/s) to last through month ${plan.months}`
      : 'this quota is not adjustable: reduce or spread the calls instead'
    const or =
      r.avoidedBy.length > 0
        ? `; or adopt ${r.avoidedBy.join(' or ')}, which stay${r.avoidedBy.length === 1 ? 's' : ''} under the current quota`
        : ''
    return { text: `${head}; ${ask}${or}.`, ...(r.adjustable && r.command !== undefined ? { command: r.command } : {}) }
  })
}
