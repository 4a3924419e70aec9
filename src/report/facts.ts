/**
 * Derived facts the Markdown and HTML reports both state: the headline verdict, the busiest
 * quota pool, the assumptions gathered from the run and its mitigations, and the scale and
 * completeness notices. Kept in one place so both reports say the same thing.
 */
import type { QuotaPoolUsage, RunSummary, VariantSummary } from '../load/index.ts'
import { fmtInt, fmtLimit, fmtNum, fmtPct, fmtRate, fmtSeconds, isUnbounded, plural } from './format.ts'
import { tierOf, type Ranking } from './rank.ts'
import { lossSentence, lostRequests, throttles } from './service.ts'

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

/** One sentence on how a variant fared: what it lost and why, and how close it came to its quota. */
export function throttleSentence(v: VariantSummary): string {
  const pool = busiestPool(v)
  const poolText =
    pool === undefined
      ? 'it made no call that counts against a quota'
      : `peak ${fmtRate(pool.peakPerSecond)} on the ${pool.pool} pool against a limit of ${fmtLimit(pool.limit, '/s')} (${fmtPct(pool.utilization, 0)} utilisation${pool.throttledSeconds > 0 ? `, throttled in ${fmtInt(pool.throttledSeconds)} s` : ''})`
  if (v.offered.requests === 0) return `${v.name}: no application requests were offered.`
  if (lostRequests(v) > 0) {
    const retried =
      v.kms.throttled > 0 ? `; ${fmtInt(v.kms.throttled)} KMS calls throttled (${fmtInt(v.retries)} retries)` : ''
    return `${v.name}: ${lossSentence(v)}${retried}; ${poolText}.`
  }
  if (v.kms.throttled > 0) {
    return `${v.name}: no request lost, but ${plural(v.kms.throttled, 'KMS call')} throttled and retried (${plural(v.retries, 'retry', 'retries')}); ${poolText}.`
  }
  return `${v.name}: no throttling, every request succeeded; ${poolText}.`
}

/** The headline: how the baseline fared and which mitigation to pick. */
export function verdict(summary: RunSummary, ranking: Ranking): string[] {
  const lines = [throttleSentence(ranking.baseline)]
  const first = ranking.ranked[0]
  const anyThrottling = summary.variants.some((v) => throttles(v))
  if (first === undefined) {
    lines.push(
      ranking.unranked.length > 0
        ? `No variant can be ranked against ${ranking.baseline.name}: ${ranking.unranked.map((u) => `${u.variant.name} ${u.reason}`).join('; ')}.`
        : 'Only one variant ran, so there is nothing to compare it with.',
    )
  } else if (first.tier === 'clean' && tierOf(ranking.baseline) === 'clean') {
    lines.push(
      `No mitigation is needed: ${ranking.baseline.name} already serves every request without throttling. Cheapest alternative: ${first.variant.name}: ${first.reason}.`,
    )
  } else if (first.tier === 'clean') {
    lines.push(`Best: ${first.variant.name}: ${first.reason}.`)
  } else if (first.tier === 'absorbed') {
    lines.push(`No variant stays under the quota. Closest: ${first.variant.name}: ${first.reason}.`)
  } else if (anyThrottling) {
    lines.push(`No variant removed the throttling. Least bad: ${first.variant.name}: ${first.reason}.`)
  } else {
    lines.push(
      `No variant served every request, and none was throttled: the requests were lost to other causes. Least bad: ${first.variant.name}: ${first.reason}.`,
    )
  }
  for (const u of ranking.unranked) if (first !== undefined) lines.push(`${u.variant.name}: ${u.reason}.`)
  const failed = summary.thresholds.filter((t) => !t.passed)
  if (summary.thresholds.length > 0) {
    lines.push(
      failed.length === 0
        ? summary.thresholds.length === 1
          ? 'The threshold passed.'
          : `All ${summary.thresholds.length} thresholds passed.`
        : `${failed.length} of ${plural(summary.thresholds.length, 'threshold')} failed.`,
    )
  }
  return lines
}

/** Notices that change how the numbers must be read (scale model, incomplete run, merged shards, latency model). */
export function notices(summary: RunSummary): string[] {
  const out: string[] = []
  if (!summary.complete) {
    const ran = Math.max(0, ...summary.variants.map((v) => v.ranSeconds ?? summary.durationSeconds))
    out.push(
      `This run did not complete (it was interrupted or failed part-way): the numbers cover only the part that ran${ran < summary.durationSeconds ? ` (at most ${fmtSeconds(ran)} of ${fmtSeconds(summary.durationSeconds)}; rates are over the time each variant ran)` : ''}.`,
    )
  }
  if (summary.scale !== 1) {
    out.push(
      summary.target === 'embedded'
        ? `Scale model: this run ran at ${fmtNum(summary.scale)}× full size (request rates and quota limits multiplied by ${fmtNum(summary.scale)}). ` +
            'Counts, rates and costs are shown at full size (what ran, divided by the scale; the figures as run are in summary.json `asRun`); ratios (lost %, utilisation, KMS calls per request) carry over, latency is as measured.'
        : `Offered rates were multiplied by ${fmtNum(summary.scale)} (--scale); the endpoint's quotas are its own (kms-bench does not scale them: start \`kms-bench serve\` with scaled --quota values for a scale model). Counts, rates and costs are those of the run as it ran.`,
    )
  }
  if (summary.clock === 'virtual' && summary.latencyModel === 'none')
    out.push(
      "Latency model 'none' (chosen with --latency none or the scenario): KMS calls take 0 ms of simulated time, so latency shows only retry backoff and waits, not what users would see. The default is the 'aws' model.",
    )
  if (summary.deadline !== undefined) {
    const by = Object.entries(summary.deadline.byRequest ?? {})
    out.push(
      `Request deadline ${fmtSeconds(summary.deadline.ms / 1000)}${by.length > 0 ? ` (${by.map(([k, ms]) => `${k}: ${fmtSeconds(ms / 1000)}`).join(', ')})` : ''}: a request not done by then stops (retries and waits end) and counts as timed out, a failure. ${summary.deadline.source}`,
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
        .map(
          ([k, value]) =>
            `${k} ${typeof value === 'number' ? (isUnbounded(value) ? 'none' : fmtNum(value, 6)) : String(value)}`,
        )
      return params.length > 0 ? `${m.name} (${params.join(', ')})` : m.name
    })
    .join(' + ')
}

/**
 * When the run started, in words. A virtual-clock run has no wall-clock start (its clock begins
 * at a fixed epoch so results repeat), so its date is not shown as if it were real.
 */
export function startedText(summary: RunSummary): string {
  return summary.clock === 'virtual' ? 'virtual time (no wall-clock date)' : `started ${summary.startedAt}`
}

/** Run duration in words. */
export function durationText(summary: RunSummary): string {
  return fmtSeconds(summary.durationSeconds)
}
