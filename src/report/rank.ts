/**
 * Ranks a run's variants (mitigations) against its baseline, with the reason for each rank, so
 * a report can say which mitigation fixes the throttling and what it costs.
 *
 * How variants are ranked, and why (the order is the point of the report):
 * 1. **Throttling and failures first.** A variant is in tier `clean` when no KMS call was
 *    throttled and no application request was throttled, failed or dropped; in tier
 *    `absorbed` when requests all completed but KMS calls were still throttled and retried
 *    (the retries hide the quota problem, cost latency and break as soon as load grows); in
 *    tier `throttles` otherwise, ordered by the share of requests that did not complete. A
 *    throttled request is an outage for that request, so nothing else can outrank it.
 * 2. **Monthly cost next**, lowest first: among variants that stay under the quota, money is
 *    what a mitigation is bought with, and KMS request costs differ by orders of magnitude
 *    between mitigations while their latency differs by milliseconds.
 * 3. **Then p99 latency** (from the intended send time), lowest first.
 * 4. **Then security exposure**: fewer messages per data key first, then fewer principals per
 *    shared bucket key. Exposure is printed beside every entry because caching and bucket keys
 *    trade KMS calls for wider key reuse; the reader weighs it, the rank only breaks ties.
 */
import type { VariantSummary } from '../load/summary.ts'
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtSeconds, fmtUsd, safeDiv } from './format.ts'

/** How a variant deals with the quota. */
export type RankTier = 'clean' | 'absorbed' | 'throttles'

/** One ranked variant. */
export interface RankedVariant {
  /** 1-based rank among the non-baseline variants */
  readonly rank: number
  readonly variant: VariantSummary
  readonly tier: RankTier
  /** throttled + failed + dropped application requests / offered requests */
  readonly incompleteRate: number
  /** one sentence: why this rank */
  readonly reason: string
  /** the security-exposure trade-off in words (empty when there is none to speak of) */
  readonly exposure: string
}

/** The ranking of a run's variants. */
export interface Ranking {
  /** the reference variant (named `baseline`, else the first without mitigations, else the first) */
  readonly baseline: VariantSummary
  /** every other variant, best first */
  readonly ranked: readonly RankedVariant[]
  /** how the ranking is made, in one paragraph */
  readonly method: string
}

/** The ranking method in one line. */
export const RANKING_SUMMARY =
  'Ranked by throttling first (a throttled request is an outage for that request), then monthly cost, p99 latency and security exposure.'

/** The ranking method, as printed in the reports. */
export const RANKING_METHOD =
  'Ranked by (1) throttling: variants with no throttled KMS call and no throttled, failed or dropped request first, then those whose retries absorbed the throttling, then the rest by the share of requests that did not complete (a throttled request is an outage for that request); ' +
  '(2) monthly cost, lowest first (among variants that stay under the quota, request costs differ by orders of magnitude, latency by milliseconds); ' +
  '(3) p99 latency; (4) security exposure (messages per data key, principals per bucket key), which is shown beside each entry to weigh yourself.'

const TIER_ORDER: Record<RankTier, number> = { clean: 0, absorbed: 1, throttles: 2 }

/** Requests that did not complete: throttled, failed or dropped. */
export function incompleteRequests(v: VariantSummary): number {
  return v.completed.throttled + v.completed.failed + v.completed.dropped
}

/** The tier of a variant (see the module comment). */
export function tierOf(v: VariantSummary): RankTier {
  if (incompleteRequests(v) > 0) return 'throttles'
  return v.kms.throttled > 0 ? 'absorbed' : 'clean'
}

/** Picks the baseline: a variant named `baseline`, else the first with no mitigations and no quota overrides, else the first. */
export function pickBaseline(variants: readonly VariantSummary[]): VariantSummary {
  const first = variants[0]
  if (first === undefined) throw new RangeError('a run summary has at least one variant')
  return (
    variants.find((v) => v.name.toLowerCase() === 'baseline') ??
    variants.find((v) => v.mitigations.length === 0 && Object.keys(v.quotaOverrides).length === 0) ??
    first
  )
}

function compareVariants(a: VariantSummary, b: VariantSummary): number {
  const ta = TIER_ORDER[tierOf(a)]
  const tb = TIER_ORDER[tierOf(b)]
  if (ta !== tb) return ta - tb
  if (ta === TIER_ORDER.throttles) {
    const d = safeDiv(incompleteRequests(a), a.offered.requests) - safeDiv(incompleteRequests(b), b.offered.requests)
    if (d !== 0) return d
  }
  const keys: ((v: VariantSummary) => number)[] = [
    (v) => v.costUsd.monthly.total,
    (v) => v.latencyMs.p99,
    (v) => v.exposure.maxMessagesPerDataKey,
    (v) => v.exposure.principalsPerBucketKey,
  ]
  for (const k of keys) {
    const d = k(a) - k(b)
    if (d !== 0 && Number.isFinite(d)) return d
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** The security-exposure trade-off of a variant in words. */
export function describeExposure(v: Pick<VariantSummary, 'exposure'>): string {
  const e = v.exposure
  const parts: string[] = []
  if (e.maxMessagesPerDataKey > 1) {
    parts.push(
      `one data key protects up to ${fmtInt(e.maxMessagesPerDataKey)} messages${e.maxSecondsPerDataKey > 0 ? ` for up to ${fmtSeconds(e.maxSecondsPerDataKey)}` : ''}`,
    )
  }
  if (e.plaintextKeysInMemory > 0)
    parts.push(`${fmtInt(e.plaintextKeysInMemory)} plaintext data keys held in memory at peak`)
  if (e.principalsPerBucketKey > 1)
    parts.push(
      `a bucket key is shared by ${fmtInt(e.principalsPerBucketKey)} principal${e.principalsPerBucketKey === 1 ? '' : 's'}`,
    )
  parts.push(...e.notes)
  return parts.join('; ')
}

function costPhrase(v: VariantSummary, base: VariantSummary): string {
  const m = v.costUsd.monthly.total
  const b = base.costUsd.monthly.total
  if (b > 0 && m !== b) {
    const change = (m - b) / b
    const abs = Math.abs(change)
    // Near −100% keep enough digits to tell 99.9% from 99.999% savings.
    const digits = abs > 0.99 && abs < 1 ? Math.min(6, Math.max(1, Math.ceil(-Math.log10((1 - abs) * 100)))) : 1
    return `${fmtUsd(m)}/month (${change < 0 ? '−' : '+'}${fmtPct(abs, digits)} vs ${base.name})`
  }
  return `${fmtUsd(m)}/month`
}

function reasonFor(
  v: VariantSummary,
  tier: RankTier,
  position: number,
  tierPeers: number,
  base: VariantSummary,
  best: VariantSummary | undefined,
  scale: number,
): string {
  const incomplete = incompleteRequests(v)
  let head: string
  if (tier === 'clean') {
    const baseThrottles = base.kms.throttled > 0 || incompleteRequests(base) > 0
    const removes = baseThrottles ? 'removes all throttling' : 'does not throttle'
    const peers = baseThrottles ? 'variants that do' : 'variants that do not throttle'
    if (tierPeers === 1)
      head = baseThrottles ? `${removes} (the only variant that does)` : `${removes} (nor does ${base.name})`
    else if (position === 0) head = `${removes}, at the lowest monthly cost among the ${tierPeers} ${peers}`
    else
      head =
        best !== undefined && v.costUsd.monthly.total > best.costUsd.monthly.total
          ? `${removes}, but costs ${fmtUsd(v.costUsd.monthly.total - best.costUsd.monthly.total)}/month more than ${best.name}`
          : `${removes}; ties on cost, ranked by latency and exposure`
  } else if (tier === 'absorbed') {
    head = `every request completed, but ${fmtInt(v.kms.throttled)} KMS calls were throttled and retried (${fmtInt(v.retries)} retries): the quota is still exceeded`
  } else {
    const parts: string[] = []
    if (v.completed.throttled > 0) parts.push(`${fmtInt(v.completed.throttled)} throttled`)
    if (v.completed.failed > 0) parts.push(`${fmtInt(v.completed.failed)} failed`)
    if (v.completed.dropped > 0) parts.push(`${fmtInt(v.completed.dropped)} dropped`)
    head = `still loses ${fmtPct(safeDiv(incomplete, v.offered.requests))} of requests (${parts.join(', ')})`
  }
  const facts = [
    costPhrase(v, base),
    `${fmtNum(v.kms.callsPerRequest)} KMS calls per request (${base.name}: ${fmtNum(base.kms.callsPerRequest)})`,
    `p99 ${fmtMs(v.latencyMs.p99)} (${base.name}: ${fmtMs(base.latencyMs.p99)})`,
  ]
  const overrides = Object.entries(v.quotaOverrides)
  // Overrides are recorded after --scale; the increase to request is the full-size value.
  const fullSize = scale !== 1 ? ' at full size' : ''
  if (overrides.length > 0)
    facts.push(
      `needs a quota increase (${overrides.map(([p, l]) => `${p} ${fmtInt(l / scale)}/s`).join(', ')}${fullSize}) through Service Quotas`,
    )
  return `${head}; ${facts.join('; ')}`
}

/**
 * Ranks the variants of a run against its baseline (see the module comment for the method).
 * @param options.scale the run's `--scale` factor, so that quota increases are stated at full size. @default 1
 */
export function rankVariants(variants: readonly VariantSummary[], options: { scale?: number } = {}): Ranking {
  const scale = options.scale !== undefined && options.scale > 0 ? options.scale : 1
  const baseline = pickBaseline(variants)
  const others = variants
    .filter((v) => v !== baseline)
    .slice()
    .sort(compareVariants)
  const byTier = new Map<RankTier, VariantSummary[]>()
  for (const v of others) {
    const t = tierOf(v)
    const list = byTier.get(t) ?? []
    list.push(v)
    byTier.set(t, list)
  }
  const ranked = others.map((v, i): RankedVariant => {
    const tier = tierOf(v)
    const peers = byTier.get(tier) ?? [v]
    return {
      rank: i + 1,
      variant: v,
      tier,
      incompleteRate: safeDiv(incompleteRequests(v), v.offered.requests),
      reason: reasonFor(v, tier, peers.indexOf(v), peers.length, baseline, peers[0], scale),
      exposure: describeExposure(v),
    }
  })
  return { baseline, ranked, method: RANKING_METHOD }
}
