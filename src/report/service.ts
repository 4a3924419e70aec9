/**
 * Lost service, in one place: every application request that did not succeed (throttled,
 * failed, timed out at its deadline, or dropped before it could be sent) is a request the
 * application's user did not get served, whatever the cause. The verdict, the ranking, the
 * badges, junit.xml and `compare` all count it from here, and name the biggest causes by AWS
 * error code (`59 failed: InvalidCiphertextException`), so a report never calls a run clean
 * because the requests it lost were lost to something other than throttling.
 *
 * Cost at equal service: throttled calls are not billed, so a variant that fails a quarter of
 * its requests looks cheaper than one that serves them all. {@link costAtFullService} prices
 * every offered request at the variant's own cost per succeeded request (plus its keys),
 * which is what the variant would cost if it served the whole demand the way it served the
 * part it did.
 */
import type { LatencyStats, VariantSummary } from '../load/index.ts'
import { fmtInt, fmtMs, fmtPct, safeDiv } from './format.ts'

/** The outcome classes a request can be lost to, in the order reports name them. */
export const LOSS_CLASSES = ['throttled', 'failed', 'timedOut', 'dropped'] as const
/** One of {@link LOSS_CLASSES}. */
export type LossClass = (typeof LOSS_CLASSES)[number]

/** The `errors` key of each loss class other than `failed` (whose keys are the AWS codes). */
export const CLASS_CODE: Readonly<Record<Exclude<LossClass, 'failed'>, string>> = {
  throttled: 'ThrottlingException',
  timedOut: 'TimedOut',
  dropped: 'Dropped',
}

const CLASS_WORD: Readonly<Record<LossClass, string>> = {
  throttled: 'throttled',
  failed: 'failed',
  timedOut: 'timed out',
  dropped: 'dropped',
}

type Completed = Pick<VariantSummary, 'completed'>

/** Requests of a loss class (0 for fields an older result lacks). */
export function lostIn(v: Completed, c: LossClass): number {
  return v.completed[c] ?? 0
}

/** Requests that did not succeed: throttled + failed + timed out + dropped. */
export function lostRequests(v: Completed): number {
  return LOSS_CLASSES.reduce((a, c) => a + lostIn(v, c), 0)
}

/** Lost requests / offered requests (0 when nothing was offered). */
export function lostShare(v: Pick<VariantSummary, 'completed' | 'offered'>): number {
  return safeDiv(lostRequests(v), v.offered.requests)
}

/** True when a variant had throttled KMS calls or throttled requests. */
export function throttles(v: Pick<VariantSummary, 'completed' | 'kms'>): boolean {
  return v.kms.throttled > 0 || v.completed.throttled > 0
}

/** The AWS error codes of failed requests, most frequent first (ties by name). */
export function failureCodes(v: Completed): { code: string; count: number }[] {
  const classCodes = new Set<string>(Object.values(CLASS_CODE))
  return Object.entries(v.completed.errors ?? {})
    .filter(([code, n]) => n > 0 && !classCodes.has(code))
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}

/**
 * The causes of lost requests, biggest first, in words: `59 failed: InvalidCiphertextException`,
 * `24,448 dropped, 35 throttled (ThrottlingException)`. Empty when nothing was lost.
 * @param maxCodes failure codes named per class. @default 3
 */
export function lossCauses(v: Completed, maxCodes = 3): string[] {
  const parts = LOSS_CLASSES.filter((c) => lostIn(v, c) > 0)
    .map((c) => ({ c, n: lostIn(v, c) }))
    .sort((a, b) => b.n - a.n)
  return parts.map(({ c, n }) => {
    const head = `${fmtInt(n)} ${CLASS_WORD[c]}`
    if (c === 'throttled') return `${head} (ThrottlingException)`
    if (c === 'timedOut') return `${head} at the deadline`
    if (c === 'dropped') return `${head} (not sent)`
    const codes = failureCodes(v)
    if (codes.length === 0) return head
    const named = codes.slice(0, maxCodes).map((e) => (codes.length === 1 ? e.code : `${e.code} ${fmtInt(e.count)}`))
    return `${head}: ${named.join(', ')}${codes.length > maxCodes ? `, ${codes.length - maxCodes} more codes` : ''}`
  })
}

/** `lost 59 of 800 requests (7.38%): 59 failed: InvalidCiphertextException`, or `every request succeeded`. */
export function lossSentence(v: Pick<VariantSummary, 'completed' | 'offered'>): string {
  const lost = lostRequests(v)
  if (lost === 0) return 'every request succeeded'
  return `lost ${fmtInt(lost)} of ${fmtInt(v.offered.requests)} requests (${fmtPct(lostShare(v))}): ${lossCauses(v).join(', ')}`
}

/** Latency of succeeded requests (what a served user waited). */
export function servedLatency(v: Pick<VariantSummary, 'outcomes'>): LatencyStats {
  return v.outcomes.succeeded.latencyMs
}

/**
 * "Time to failure": how long lost requests took to fail, per class (`throttled p50 0.21 ms,
 * p99 1,210 ms; timed out at 10,000 ms`). Empty when no request failed.
 */
export function timeToFailure(v: Pick<VariantSummary, 'outcomes'>): string {
  const parts: string[] = []
  const classes: [string, LatencyStats | undefined][] = [
    ['throttled', v.outcomes.throttled.latencyMs],
    ['failed', v.outcomes.failed.latencyMs],
    ['timed out', v.outcomes.timedOut?.latencyMs],
  ]
  for (const [name, s] of classes) {
    if (s === undefined || s.count === 0) continue
    parts.push(
      s.p50 === s.max
        ? `${name} after ${fmtMs(s.max)}`
        : `${name} p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)}, max ${fmtMs(s.max)}`,
    )
  }
  return parts.join('; ')
}

/**
 * The monthly cost of serving every offered request at this variant's cost per succeeded
 * request: `monthly.keys + monthly.requests × offered / succeeded`. `undefined` when no
 * request succeeded (nothing to price service by).
 */
export function costAtFullService(
  v: Pick<VariantSummary, 'completed' | 'offered' | 'costUsd'> & Partial<Pick<VariantSummary, 'mitigations'>>,
): number | undefined {
  const succeeded = v.completed.succeeded
  const other = otherMonthlyCost(v)
  if (succeeded <= 0) return v.offered.requests === 0 ? v.costUsd.monthly.total + other : undefined
  return v.costUsd.monthly.keys + (v.costUsd.monthly.requests + other) * (v.offered.requests / succeeded)
}

/**
 * Monthly cost outside KMS that mitigations report (stat `dynamodbUsdPerMonth`: the hierarchical
 * keyring's branch key store reads), at full size.
 */
export function otherMonthlyCost(v: Partial<Pick<VariantSummary, 'mitigations'>>): number {
  let usd = 0
  for (const m of v.mitigations ?? []) usd += m.stats['dynamodbUsdPerMonth'] ?? 0
  return usd
}

/** How {@link costAtFullService} is computed, as the reports say it. */
export const COST_AT_FULL_SERVICE_METHOD =
  'Cost at full service = monthly key cost + monthly request cost × offered ÷ succeeded requests: every offered request priced at the variant’s own cost per succeeded request, so a variant is not made to look cheap by the requests it failed to serve (throttled calls are not billed). DynamoDB reads a mitigation makes (the hierarchical keyring\u2019s branch key store) are added to the request cost.'
