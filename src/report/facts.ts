/**
 * Derived facts the Markdown and HTML reports both state: the headline verdict, the busiest
 * quota pool, the assumptions gathered from the run and its mitigations, and the scale and
 * completeness notices. Kept in one place so both reports say the same thing.
 */
import type { QuotaPoolUsage, RunSummary, VariantSummary } from '../load/summary.ts'
import { fmtInt, fmtNum, fmtPct, fmtRate, fmtSeconds, safeDiv } from './format.ts'
import { incompleteRequests, type Ranking } from './rank.ts'

/** The pool a variant came closest to (or furthest over) its limit in, if it used any. */
export function busiestPool(v: VariantSummary): QuotaPoolUsage | undefined {
  let best: QuotaPoolUsage | undefined
  for (const q of v.quota) {
    if (
      best === undefined ||
      q.utilization > best.utilization ||
      (q.utilization === best.utilization && q.throttled > best.throttled)
    )
      best = q
  }
  return best
}

/** True when the run's pools span more than one account or Region (pool names then need both). */
export function multiScope(summary: RunSummary): boolean {
  const scopes = new Set<string>()
  for (const v of summary.variants) for (const q of v.quota) scopes.add(`${q.account}/${q.region}`)
  return scopes.size > 1
}

/** A pool's display name: `symmetric`, or `111122223333/eu-west-1/symmetric` when the run spans accounts or Regions. */
export function poolLabel(q: QuotaPoolUsage, withScope: boolean): string {
  return withScope ? `${q.account}/${q.region}/${q.pool}` : q.pool
}

/** The timeline key of a pool (`account/region/pool`), as in `TimelineEntry.poolAccepted`. */
export function poolKey(q: QuotaPoolUsage): string {
  return `${q.account}/${q.region}/${q.pool}`
}

/** One sentence on how a variant fared against its quota. */
export function throttleSentence(v: VariantSummary): string {
  const pool = busiestPool(v)
  const incomplete = incompleteRequests(v)
  const poolText =
    pool === undefined
      ? 'it made no call that counts against a quota'
      : `peak ${fmtRate(pool.peakPerSecond)} on the ${pool.pool} pool against a limit of ${fmtRate(pool.limit)} (${fmtPct(pool.utilization, 0)} utilisation${pool.throttledSeconds > 0 ? `, throttled in ${fmtInt(pool.throttledSeconds)} s` : ''})`
  if (v.offered.requests === 0) return `${v.name}: no application requests were offered.`
  if (v.completed.throttled > 0) {
    return `${v.name}: ${fmtPct(v.throttleRate)} of requests throttled (${fmtInt(v.completed.throttled)} of ${fmtInt(v.offered.requests)}); ${poolText}.`
  }
  if (v.kms.throttled > 0) {
    return `${v.name}: no request lost, but ${fmtInt(v.kms.throttled)} KMS calls throttled and retried (${fmtInt(v.retries)} retries); ${poolText}.`
  }
  if (incomplete > 0)
    return `${v.name}: no throttling, but ${fmtInt(incomplete)} requests failed or were dropped; ${poolText}.`
  return `${v.name}: no throttling; ${poolText}.`
}

/** The headline: how the baseline fared and which mitigation to pick. */
export function verdict(summary: RunSummary, ranking: Ranking): string[] {
  const lines = [throttleSentence(ranking.baseline)]
  const first = ranking.ranked[0]
  if (first === undefined) {
    lines.push('Only one variant ran, so there is nothing to compare it with.')
  } else if (first.tier === 'clean') {
    lines.push(`Best: ${first.variant.name}: ${first.reason}.`)
  } else {
    lines.push(`No variant removed the throttling. Least bad: ${first.variant.name}: ${first.reason}.`)
  }
  const failed = summary.thresholds.filter((t) => !t.passed)
  if (summary.thresholds.length > 0) {
    lines.push(
      failed.length === 0
        ? `All ${summary.thresholds.length} thresholds passed.`
        : `${failed.length} of ${summary.thresholds.length} thresholds failed.`,
    )
  }
  return lines
}

/** Notices that change how the numbers must be read (scale model, incomplete run, merged shards). */
export function notices(summary: RunSummary): string[] {
  const out: string[] = []
  if (!summary.complete) {
    out.push(
      'This run did not complete (it was interrupted or failed part-way): the numbers cover only the part that ran.',
    )
  }
  if (summary.scale !== 1) {
    out.push(
      `Scale model: this run ran at ${fmtNum(summary.scale)}× full size (request rates and quota limits multiplied by ${fmtNum(summary.scale)}). ` +
        'Ratios (throttled %, utilisation, KMS calls per request) carry over to full size; absolute counts and rates are those of the scaled run.',
    )
  }
  if (summary.shards.length > 1) out.push(`Merged from ${summary.shards.length} shards.`)
  return out
}

/** An assumption and where it comes from (`run`, or `variant / mitigation`). */
export interface Assumption {
  readonly source: string
  readonly text: string
}

/** Every assumption of the run and of its mitigations, deduplicated (first source kept). */
export function assumptions(summary: RunSummary): Assumption[] {
  const seen = new Map<string, Assumption>()
  for (const text of summary.assumptions) if (!seen.has(text)) seen.set(text, { source: 'run', text })
  for (const v of summary.variants) {
    for (const m of v.mitigations) {
      for (const text of m.assumptions) if (!seen.has(text)) seen.set(text, { source: `${v.name} / ${m.name}`, text })
    }
  }
  return [...seen.values()]
}

/** A finding a mitigation reported (e.g. the Service Quotas request that removes throttling). */
export interface Finding {
  /** `variant / mitigation` */
  readonly source: string
  readonly text: string
}

/** Every finding of the run's mitigations, in variant order. */
export function findings(summary: RunSummary): Finding[] {
  const out: Finding[] = []
  for (const v of summary.variants) {
    for (const m of v.mitigations)
      for (const text of m.findings ?? []) out.push({ source: `${v.name} / ${m.name}`, text })
  }
  return out
}

/** The mitigations of a variant in short form: `data-key-cache (maxAge 60000, maxMessages 1000)`. */
export function mitigationLabel(v: VariantSummary): string {
  if (v.mitigations.length === 0) return 'none'
  return v.mitigations
    .map((m) => {
      const params = Object.entries(m.params)
        .filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
        .map(([k, value]) => `${k} ${typeof value === 'number' ? fmtNum(value, 6) : String(value)}`)
      return params.length > 0 ? `${m.name} (${params.join(', ')})` : m.name
    })
    .join(' + ')
}

/** Run duration in words. */
export function durationText(summary: RunSummary): string {
  return fmtSeconds(summary.durationSeconds)
}

/** Share of offered requests that were throttled, failed or dropped. */
export function incompleteShare(v: VariantSummary): number {
  return safeDiv(incompleteRequests(v), v.offered.requests)
}
