/**
 * Ranks a run's variants (mitigations) against its baseline, with the reason for each rank, so
 * a report can say which mitigation fixes the throttling and what it costs.
 *
 * How variants are ranked, and why (the order is the point of the report):
 * 1. **Lost service first.** Every request that did not succeed (throttled, failed, timed out
 *    at its deadline, dropped) is an outage for that request, whatever the cause. A variant is
 *    in tier `clean` when it lost no request and no KMS call was throttled; `absorbed` when it
 *    lost no request but KMS calls were throttled and retried (the retries hide the quota
 *    problem and break as soon as load grows); otherwise `throttles` (it lost requests and
 *    throttling was part of it) or `fails` (it lost requests to other causes only), both
 *    ordered by the share of requests lost.
 * 2. **Monthly cost at full service next**, lowest first (`service.ts`: every offered request
 *    priced at the variant's cost per succeeded request, since throttled calls are not billed
 *    and would otherwise make a lossy variant look cheap).
 * 3. **Then p99 latency of succeeded requests** (from the intended send time), lowest first.
 * 4. **Then security exposure**: fewer messages per data key first, then fewer principals per
 *    shared bucket key. Exposure is printed beside every entry because caching and bucket keys
 *    trade KMS calls for wider key reuse; the reader weighs it, the rank only breaks ties.
 *
 * Variants are only ranked over the same window: a variant of an interrupted run that ran a
 * shorter part of the schedule than the baseline is listed as unranked, with the reason.
 */
import type { VariantSummary } from '../load/index.ts'
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtSeconds, fmtUsd } from './format.ts'
import { costAtFullService, lossCauses, lostRequests, lostShare, servedLatency, throttles } from './service.ts'

/** How a variant deals with the quota and its demand. */
export type RankTier = 'clean' | 'absorbed' | 'throttles' | 'fails'

/** One ranked variant. */
export interface RankedVariant {
  /** 1-based rank among the non-baseline variants */
  readonly rank: number
  readonly variant: VariantSummary
  readonly tier: RankTier
  /** lost (throttled + failed + timed out + dropped) application requests / offered requests */
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
  /** variants that cannot be ranked against the baseline (they ran a shorter window), with why */
  readonly unranked: readonly { readonly variant: VariantSummary; readonly reason: string }[]
  /** how the ranking is made, in one paragraph */
  readonly method: string
}

/** The ranking method in one line. */
export const RANKING_SUMMARY =
  'Ranked by lost service first (a throttled, failed, timed-out or dropped request is an outage for that request), then monthly cost at full service, p99 latency of succeeded requests and security exposure.'

/** The ranking method, as printed in the reports. */
export const RANKING_METHOD =
  'Ranked by (1) lost service: variants that lost no request and had no throttled KMS call first, then those whose retries absorbed throttling, then the rest by the share of requests lost (throttled, failed, timed out at the deadline, or dropped: each is an outage for that request); ' +
  '(2) monthly cost at full service, lowest first: every offered request priced at the variant’s own cost per succeeded request plus its keys, so a variant is not made cheap by the requests it failed to serve (throttled calls are not billed); 730-hour months; ' +
  '(3) p99 latency of succeeded requests; (4) security exposure (messages per data key, principals per bucket key), which is shown beside each entry to weigh yourself.'

const TIER_ORDER: Record<RankTier, number> = { clean: 0, absorbed: 1, throttles: 2, fails: 2 }

/** Requests that did not succeed: throttled, failed, timed out or dropped. */
export function incompleteRequests(v: VariantSummary): number {
  return lostRequests(v)
}

/** The tier of a variant (see the module comment). */
export function tierOf(v: VariantSummary): RankTier {
  if (lostRequests(v) > 0) return throttles(v) ? 'throttles' : 'fails'
  return v.kms.throttled > 0 ? 'absorbed' : 'clean'
}

/** The seconds of the schedule a variant covers. */
export function windowOf(v: VariantSummary, durationSeconds: number): number {
  return v.ranSeconds ?? durationSeconds
}

/** Picks the baseline: a variant named `baseline`, else the first with no mitigations and no quota overrides, else the first. */
export function pickBaseline(variants: readonly VariantSummary[]): VariantSummary {
  const first = variants[0]
  if (first === undefined) throw new RangeError('a run summary has at least one variant')
  // The SDK's retry layer (`sdk-retry`, in every run's mitigations) is the client's default, not a mitigation.
  const plain = (v: VariantSummary): boolean =>
    v.mitigations.every((m) => m.name === 'sdk-retry') && Object.keys(v.quotaOverrides).length === 0
  return variants.find((v) => v.name.toLowerCase() === 'baseline') ?? variants.find(plain) ?? first
}

function compareVariants(a: VariantSummary, b: VariantSummary): number {
  const ta = TIER_ORDER[tierOf(a)]
  const tb = TIER_ORDER[tierOf(b)]
  if (ta !== tb) return ta - tb
  if (ta === TIER_ORDER.throttles) {
    const d = lostShare(a) - lostShare(b)
    if (d !== 0) return d
  }
  const keys: ((v: VariantSummary) => number)[] = [
    (v) => costAtFullService(v) ?? Number.POSITIVE_INFINITY,
    (v) => servedLatency(v).p99,
    (v) => v.exposure.maxMessagesPerDataKey,
    (v) => v.exposure.principalsPerBucketKey,
  ]
  for (const k of keys) {
    const d = k(a) - k(b)
    if (d !== 0 && !Number.isNaN(d)) return d
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
  const m = costAtFullService(v)
  const b = costAtFullService(base)
  if (m === undefined)
    return `no request succeeded, so no cost at full service (billed ${fmtUsd(v.costUsd.monthly.total)}/month)`
  const billed = Math.abs(v.costUsd.monthly.total - m) > 1e-9 ? `; billed ${fmtUsd(v.costUsd.monthly.total)}/month` : ''
  if (b !== undefined && b > 0 && m !== b) {
    const change = (m - b) / b
    const abs = Math.abs(change)
    // Near −100% keep enough digits to tell 99.9% from 99.999% savings.
    const digits = abs > 0.99 && abs < 1 ? Math.min(6, Math.max(1, Math.ceil(-Math.log10((1 - abs) * 100)))) : 1
    return `${fmtUsd(m)}/month at full service (${change < 0 ? '−' : '+'}${fmtPct(abs, digits)} vs ${base.name}${billed})`
  }
  return `${fmtUsd(m)}/month at full service${billed !== '' ? ` (${billed.slice(2)})` : ''}`
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
  let head: string
  if (tier === 'clean') {
    const baseLoses = lostRequests(base) > 0
    const baseThrottles = throttles(base)
    const removes = baseThrottles
      ? 'removes all throttling and serves every request'
      : baseLoses
        ? 'serves every request'
        : 'does not throttle'
    const peers = baseThrottles || baseLoses ? 'variants that do' : 'variants that do not throttle'
    if (tierPeers === 1)
      head = baseThrottles ? `${removes} (the only variant that does)` : `${removes} (nor does ${base.name})`
    else if (position === 0) head = `${removes}, at the lowest monthly cost among the ${tierPeers} ${peers}`
    else
      head =
        best !== undefined && (costAtFullService(v) ?? 0) > (costAtFullService(best) ?? 0)
          ? `${removes}, but costs ${fmtUsd((costAtFullService(v) ?? 0) - (costAtFullService(best) ?? 0))}/month more than ${best.name}`
          : `${removes}; ties on cost, ranked by latency and exposure`
  } else if (tier === 'absorbed') {
    head = `every request completed, but ${fmtInt(v.kms.throttled)} KMS calls were throttled and retried (${fmtInt(v.retries)} retries): the quota is still exceeded`
  } else {
    head = `still loses ${fmtPct(lostShare(v))} of requests (${lossCauses(v).join(', ')})`
  }
  const served = (x: VariantSummary): string =>
    x.completed.succeeded > 0 ? fmtMs(servedLatency(x).p99) : 'none succeeded'
  const facts = [
    costPhrase(v, base),
    `${fmtNum(v.kms.callsPerRequest)} ${fmtNum(v.kms.callsPerRequest) === '1' ? 'KMS call' : 'KMS calls'} per request (${base.name}: ${fmtNum(base.kms.callsPerRequest)})`,
    `p99 of succeeded requests ${served(v)} (${base.name}: ${served(base)})`,
  ]
  const overrides = Object.entries(v.quotaOverrides)
  // A result at full size (asRun kept) already states them at full size; older results record
  // them after --scale, so the increase to request is divided back.
  const fullSize = scale !== 1 ? ' at full size' : ''
  const div = v.asRun !== undefined ? 1 : scale
  const quotaText = overrides.map(([p, l]) => `${p} ${fmtInt(l / div)}/s`).join(', ')
  // A quota increase is advice only where the baseline needed one (it throttled or lost requests).
  if (overrides.length > 0)
    facts.push(
      throttles(base) || lostRequests(base) > 0
        ? `needs a quota increase (${quotaText}${fullSize}) through Service Quotas`
        : `ran with a quota override (${quotaText}${fullSize}) that ${base.name} did not need`,
    )
  return `${head}; ${facts.join('; ')}`
}

/**
 * Ranks the variants of a run against its baseline (see the module comment for the method).
 * @param options.scale the run's `--scale` factor, so that quota increases are stated at full size. @default 1
 * @param options.durationSeconds the run's planned duration, to find variants that ran a shorter window. @default none
 */
export function rankVariants(
  variants: readonly VariantSummary[],
  options: { scale?: number; durationSeconds?: number } = {},
): Ranking {
  const scale = options.scale !== undefined && options.scale > 0 ? options.scale : 1
  const baseline = pickBaseline(variants)
  const duration = options.durationSeconds ?? Number.NaN
  const baseWindow = windowOf(baseline, duration)
  const unranked: { variant: VariantSummary; reason: string }[] = []
  const comparable: VariantSummary[] = []
  for (const v of variants) {
    if (v === baseline) continue
    const w = windowOf(v, duration)
    if (Number.isFinite(baseWindow) && Number.isFinite(w) && Math.abs(w - baseWindow) > 1e-6)
      unranked.push({
        variant: v,
        reason: `not ranked: it ran ${fmtSeconds(w)} of the schedule and ${baseline.name} ran ${fmtSeconds(baseWindow)} (the run was interrupted), so their figures cover different windows`,
      })
    else comparable.push(v)
  }
  const others = comparable.slice().sort(compareVariants)
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
      incompleteRate: lostShare(v),
      reason: reasonFor(v, tier, peers.indexOf(v), peers.length, baseline, peers[0], scale),
      exposure: describeExposure(v),
    }
  })
  return { baseline, ranked, unranked, method: RANKING_METHOD }
}
